// Bulk actions on the office's task list: select all, show the field the chosen action needs, count the selection.
(function () {
  "use strict";
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const boxes = () => Array.from(document.querySelectorAll('input[name="tasks"][form="bulk-form"]'));
  const all = document.querySelector("[data-select-all]");
  const count = form.querySelector("[data-bulk-count]");
  const submit = form.querySelector("[data-bulk-submit]");
  const action = form.querySelector("[data-bulk-action]");

  function refresh() {
    const n = boxes().filter((b) => b.checked).length;
    count.textContent = n;
    submit.disabled = n === 0;
    form.querySelectorAll("[data-bulk-for]").forEach((el) => {
      el.classList.toggle("d-none", el.dataset.bulkFor !== action.value);
    });
  }
  if (all) {
    all.addEventListener("change", () => {
      boxes().forEach((b) => { b.checked = all.checked; });
      refresh();
    });
  }
  boxes().forEach((b) => b.addEventListener("change", refresh));
  action.addEventListener("change", refresh);
  refresh();
})();
