// Refreshes every background job's progress indicator (jobs/_progress.html) until the job ends, then reloads
// the page once so that it shows the result (the download link, or the message).
(function () {
  "use strict";
  function watch(box) {
    if (box.dataset.jobFinished === "1") return;
    var url = box.dataset.jobStatusUrl;
    var bar = box.querySelector("progress");
    function field(name) { return box.querySelector('[data-job-field="' + name + '"]'); }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (s) {
          field("status_label").textContent = s.status_label;
          field("stage").textContent = s.stage;
          field("percent").textContent = s.percent;
          bar.value = s.percent;
          bar.textContent = s.percent + "%";
          if (s.message) { field("message").textContent = s.message; field("message").classList.remove("d-none"); }
          if (s.finished) { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 700);
  }
  document.querySelectorAll("[data-job-status-url]").forEach(watch);
})();
