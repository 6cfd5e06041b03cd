/* Search-as-you-type choice of a task: the page never lists every task of the campaign. Declared in the HTML:

     <div class="task-choice" data-task-choice data-url="/tasks/choices/" data-msg-none="…">
       <input type="text" name="task" …>          the 序号; without this script a plain text field
       <div data-task-choice-label>…</div>       (optional) the chosen task's title
     </div>

   A match with a `value` (evidence:activity_choices: the activity's id) puts that in the field, its label under it.
   Typing asks the server for a handful of matches (tasks:choices: by 序号 or words of the title, the person's own
   and their office's first) and shows them under the field; ↑/↓ move, Enter or a tap chooses, Esc closes.
   With data-target="id" (a <select multiple>), a chosen task is added to that list, selected, and the field is
   emptied for the next one. No library; served from our own static files (the CSP allows nothing else). */
(function () {
  "use strict";
  var DELAY = 180;

  function setup(box) {
    var input = box.querySelector("input");
    if (!input || !box.dataset.url) return;
    var target = box.dataset.target ? document.getElementById(box.dataset.target) : null;
    var label = box.querySelector("[data-task-choice-label]");
    var list = document.createElement("ul");
    list.className = "dropdown-menu task-choice-list";
    list.id = (input.id || "task-choice") + "-matches";
    list.setAttribute("role", "listbox");
    list.dataset.testid = "task-choice-matches";
    box.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    var timer = null;
    var asked = 0;
    var active = -1;
    var results = [];

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (o, i) {
        o.classList.toggle("active", i === active);
        o.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }
    function chosenValues() {
      if (!target) return [];
      return Array.prototype.filter.call(target.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
    }
    function render(items) {
      results = items;
      active = -1;
      list.textContent = "";
      var chosen = chosenValues();
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "dropdown-item-text small text-muted";
        none.textContent = box.dataset.msgNone || "";
        list.appendChild(none);
      }
      items.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.className = "dropdown-item text-wrap";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.index = String(i);
        li.dataset.code = r.code;
        var code = document.createElement("span");
        code.className = "fw-semibold me-1";
        code.textContent = r.code;
        li.appendChild(code);
        li.appendChild(document.createTextNode(r.title));
        if (chosen.indexOf(String(r.id)) >= 0) li.classList.add("task-choice-chosen");
        list.appendChild(li);
      });
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
    }
    function load() {
      var mine = ++asked;
      var url = box.dataset.url + "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (mine === asked && document.activeElement === input) render(data.results || []);
        })
        .catch(function () { /* offline: the field still takes a typed 序号 */ });
    }
    function addToTarget(r) {
      var option = Array.prototype.find.call(target.options, function (o) { return o.value === String(r.id); });
      if (!option) {
        var group = target.querySelector("optgroup[data-task-choice-group]");
        if (!group) {
          group = document.createElement("optgroup");
          group.label = box.dataset.groupLabel || "";
          group.setAttribute("data-task-choice-group", "");
          target.appendChild(group);
        }
        option = new Option(r.label, String(r.id));
        group.appendChild(option);
      }
      option.selected = true;
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function choose(index) {
      var r = results[index];
      if (!r) return;
      if (target) {
        addToTarget(r);
        input.value = "";
      } else {
        input.value = r.value !== undefined ? r.value : r.code; // an activity's field takes its id
        if (label) label.textContent = r.value !== undefined ? r.label : r.title;
      }
      close();
    }

    input.addEventListener("input", function () {
      if (label && !target) label.textContent = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(load, DELAY);
    });
    input.addEventListener("focus", function () {
      if (!input.value.trim()) load(); // an empty field offers the person's own tasks first
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      var open = list.classList.contains("show");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) { load(); return; }
        var down = event.key === "ArrowDown";
        highlight(active < 0 ? (down ? 0 : -1) : active + (down ? 1 : -1));
      } else if (event.key === "Enter" && open && results.length) {
        event.preventDefault(); // the first Enter chooses, the next one submits the form
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    // keep the focus in the field while a match is pressed, then take it
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var item = event.target instanceof Element ? event.target.closest("[data-index]") : null;
      if (item) choose(parseInt(item.getAttribute("data-index"), 10));
    });
  }

  document.querySelectorAll("[data-task-choice]").forEach(setup);
})();
