// Behaviour every page may use, declared in the HTML with data attributes so that no page needs an inline
// script or event handler (the Content-Security-Policy allows scripts from our own static files only):
//   data-print                   a button that opens the browser's print dialog
//   data-confirm="question"      on a form: asks before it is submitted
//   data-check-all="name"        a checkbox that checks or unchecks every checkbox named `name`
//   data-no-submit               a form that is never submitted by the browser (a script sends its data)
//   data-filter-select="id"      a search box that hides the options of select #id not matching its words
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.checkAll) return;
    document.querySelectorAll('input[type="checkbox"][name="' + box.dataset.checkAll + '"]').forEach(function (c) {
      c.checked = box.checked;
    });
  });
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.filterSelect) return;
    var select = document.getElementById(box.dataset.filterSelect);
    if (!select) return;
    var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      var text = option.text.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      option.hidden = !(match || option.selected);
    });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-no-submit")) {
      event.preventDefault();
      return;
    }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
