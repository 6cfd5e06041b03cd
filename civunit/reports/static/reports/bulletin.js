// Bulletins: the print button, a confirmation before publishing or deleting a draft, and on the draft form only the fields of the chosen period. Without this script
// every field shows and the form still works.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

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
