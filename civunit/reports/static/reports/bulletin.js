// Bulletins: on the draft form, only the fields of the chosen period (without this script every field shows and
// the form still works). The print button and the confirmations are static/js/civunit.js's (data-print,
// data-confirm), on every page.
(function () {
  "use strict";

  var FIELDS = { month: ["year", "month"], quarter: ["year", "quarter"], custom: ["start", "end"] };
  var radios = document.querySelectorAll("input[name=period_kind]");
  if (!radios.length) { return; }
  function show() {
    var chosen = document.querySelector("input[name=period_kind]:checked");
    var wanted = FIELDS[chosen ? chosen.value : "month"] || [];
    document.querySelectorAll("[data-period-field]").forEach(function (box) {
      box.hidden = wanted.indexOf(box.getAttribute("data-period-field")) < 0;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
