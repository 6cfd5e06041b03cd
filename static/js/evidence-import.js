// The archive import form: while a large ZIP uploads, the button is disabled and a note says to keep the page open.
(function () {
  "use strict";
  document.querySelectorAll(".js-import-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector(".js-import-submit");
      var note = form.querySelector(".js-import-uploading");
      if (button) button.disabled = true;
      if (note) note.classList.remove("d-none");
    });
  });
})();
