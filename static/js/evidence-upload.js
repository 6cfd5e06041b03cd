/* Evidence upload page: each chosen or dropped file goes in its own request with its own progress bar;
   the caption fields (standard, task, caption …) are sent with every file and remembered across batches
   (sessionStorage). No library; served from our own static files. */
(function () {
  "use strict";
  var drop = document.getElementById("evidence-drop");
  if (!drop) return;
  var meta = document.getElementById("evidence-meta");
  var queueList = document.getElementById("evidence-queue");
  var picker = document.getElementById("evidence-files");
  var camera = document.getElementById("evidence-camera");
  var url = drop.dataset.uploadUrl;
  var maxSize = parseInt(drop.dataset.maxSize, 10);
  var msg = drop.dataset;
  var STORE = "evidence-upload-fields";
  // One file at a time: each still has its own request and bar, and a slow phone link is not split further.
  var PARALLEL = 1;
  var waiting = [];
  var running = 0;

  function csrfToken() {
    var input = meta.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- remember the caption fields across a batch (and a reload) ---
  function saveFields() {
    var data = {};
    Array.prototype.forEach.call(meta.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      if (el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    try { sessionStorage.setItem(STORE, JSON.stringify(data)); } catch (e) { /* private mode */ }
  }
  function restoreFields() {
    var params = new URLSearchParams(window.location.search);
    if (params.has("standard") || params.has("task")) return; // the link chose them
    var data;
    try { data = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { data = null; }
    if (!data) return;
    Object.keys(data).forEach(function (name) {
      var el = meta.elements[name];
      if (!el) return;
      if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = data[name].indexOf(o.value) >= 0; });
      } else {
        el.value = data[name];
      }
    });
  }
  restoreFields();
  meta.addEventListener("change", saveFields);
  meta.addEventListener("input", saveFields);

  // --- one row per file ---
  function humanSize(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + " MB";
    return (n / 1024 / 1024 / 1024).toFixed(2) + " GB";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function makeRow(file) {
    var li = el("li", "list-group-item px-0");
    li.dataset.testid = "upload-row";
    li.setAttribute("data-testid", "upload-row");
    var head = el("div", "d-flex justify-content-between small");
    head.appendChild(el("span", "text-truncate me-2", file.name));
    head.appendChild(el("span", "text-muted text-nowrap", humanSize(file.size)));
    var progress = el("div", "progress my-1");
    progress.setAttribute("role", "progressbar");
    progress.setAttribute("aria-valuemin", "0");
    progress.setAttribute("aria-valuemax", "100");
    var bar = el("div", "progress-bar");
    bar.style.width = "0%";
    progress.appendChild(bar);
    var status = el("div", "small text-muted", msg.msgWaiting);
    status.setAttribute("data-testid", "upload-status");
    li.appendChild(head);
    li.appendChild(progress);
    li.appendChild(status);
    queueList.appendChild(li);
    return { li: li, bar: bar, progress: progress, status: status };
  }
  function setProgress(row, pct) {
    row.bar.style.width = pct + "%";
    row.progress.setAttribute("aria-valuenow", String(pct));
  }
  function finish(row, ok, text, link) {
    row.bar.classList.add(ok ? "bg-success" : "bg-danger");
    if (ok) setProgress(row, 100);
    row.status.className = "small " + (ok ? "text-success" : "text-danger");
    row.status.textContent = text;
    row.li.dataset.state = ok ? "done" : "error";
    if (link) {
      row.status.appendChild(document.createTextNode(" "));
      var a = el("a", "", msg.msgOpen);
      a.href = link;
      row.status.appendChild(a);
    }
  }

  function metaData() {
    var fd = new FormData(meta);
    return fd;
  }

  function offerDuplicate(row, data) {
    row.li.dataset.state = "duplicate";
    row.bar.classList.add("bg-warning");
    row.status.className = "small text-warning-emphasis";
    row.status.textContent = data.error;
    var target = (data.items || []).filter(function (i) { return i.link_url && !i.in_recycle_bin; })[0];
    var buttons = el("div", "mt-1 d-flex gap-2");
    if (target) {
      var linkBtn = el("button", "btn btn-sm btn-outline-primary", msg.msgLink + (target.archive_number ? " " + target.archive_number : ""));
      linkBtn.type = "button";
      linkBtn.addEventListener("click", function () {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", target.link_url);
        xhr.setRequestHeader("X-CSRFToken", csrfToken());
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.responseType = "json";
        xhr.onload = function () {
          buttons.remove();
          var data = xhr.response || {};
          // "nothing changed" (already linked) is said as the server words it
          if (xhr.status === 200 && data.ok) finish(row, true, data.changed === false ? data.message : msg.msgLinked, data.url || target.url);
          else finish(row, false, data.error || msg.msgFailed);
        };
        xhr.onerror = function () { finish(row, false, msg.msgFailed); };
        xhr.send(metaData());
      });
      buttons.appendChild(linkBtn);
    }
    var cancel = el("button", "btn btn-sm btn-outline-secondary", msg.msgCancel);
    cancel.type = "button";
    cancel.addEventListener("click", function () {
      buttons.remove();
      row.status.textContent = msg.msgCancelled;
      row.status.className = "small text-muted";
      row.li.dataset.state = "cancelled";
    });
    buttons.appendChild(cancel);
    row.status.after(buttons);
  }

  // The file itself is the request's body, its name and the caption fields in headers (percent-encoded):
  // behind nginx the app then renames nginx's copy of the body into the archive instead of writing it again
  // (evidence/rawbody.py). Fields too long for a header (nginx and gunicorn take 32 KB) go as multipart.
  var RAW_FIELDS_MAX = 24 * 1024;
  function rawFields() {
    var params = new URLSearchParams();
    new FormData(meta).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") params.append(name, value);
    });
    var encoded = params.toString();
    return encoded.length <= RAW_FIELDS_MAX ? encoded : null;
  }

  function send(job) {
    running += 1;
    var row = job.row;
    var fields = rawFields();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.responseType = "json";
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) setProgress(row, Math.min(99, Math.round((e.loaded / e.total) * 100)));
    };
    xhr.onload = function () {
      var data = xhr.response || {};
      if (xhr.status === 200 && data.ok) {
        finish(row, true, msg.msgDone + (data.archive_number ? " · " + data.archive_number : ""), data.url);
      } else if (xhr.responseURL && xhr.responseURL.indexOf("/accounts/login/") >= 0) {
        finish(row, false, msg.msgLogin); // the session ended: sign in again, then retry
        offerRetry(job);
      } else if (xhr.status === 409 && data.duplicate) {
        offerDuplicate(row, data);
      } else {
        finish(row, false, data.error || msg.msgFailed);
        if (xhr.status >= 500 || xhr.status === 0) offerRetry(job);
      }
      done();
    };
    xhr.onerror = function () {
      finish(row, false, msg.msgFailed);
      offerRetry(job);
      done();
    };
    if (fields !== null) {
      xhr.setRequestHeader("X-Civunit-File-Name", encodeURIComponent(job.file.name));
      xhr.setRequestHeader("X-Civunit-Fields", fields);
      xhr.setRequestHeader("Content-Type", job.file.type || "application/octet-stream");
      xhr.send(job.file);
    } else {
      var fd = metaData();
      fd.append("file", job.file, job.file.name);
      xhr.send(fd);
    }
  }
  // A dropped connection (common on phones) can be retried; a refusal by the server cannot.
  function offerRetry(job) {
    var retry = el("button", "btn btn-sm btn-outline-secondary mt-1", msg.msgRetry);
    retry.type = "button";
    retry.setAttribute("data-testid", "upload-retry");
    retry.addEventListener("click", function () {
      retry.remove();
      job.row.bar.classList.remove("bg-danger");
      setProgress(job.row, 0);
      job.row.status.className = "small text-muted";
      job.row.status.textContent = msg.msgWaiting;
      waiting.push(job);
      pump();
    });
    job.row.status.after(retry);
  }
  window.addEventListener("beforeunload", function (e) {
    if (running > 0 || waiting.length > 0) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  function done() {
    running -= 1;
    pump();
  }
  function pump() {
    while (running < PARALLEL && waiting.length) send(waiting.shift());
  }
  function addFiles(files) {
    saveFields();
    Array.prototype.forEach.call(files, function (file) {
      var row = makeRow(file);
      if (file.size > maxSize) {
        finish(row, false, msg.msgTooLarge);
        return;
      }
      waiting.push({ file: file, row: row });
    });
    pump();
  }

  picker.addEventListener("change", function () { addFiles(picker.files); picker.value = ""; });
  camera.addEventListener("change", function () { addFiles(camera.files); camera.value = ""; });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("dragover"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove("dragover"); });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files) addFiles(e.dataTransfer.files);
  });
})();
