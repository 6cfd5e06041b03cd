// Behaviour every page may use, declared in the HTML with data attributes so that no page needs an inline
// script or event handler (the Content-Security-Policy allows scripts from our own static files only):
//   data-print                   a button that opens the browser's print dialog
//   data-confirm="question"      on a form: asks before it is submitted
//   data-check-all="name"        a checkbox that checks or unchecks every checkbox named `name`
//   data-no-submit               a form that is never submitted by the browser (a script sends its data)
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
