/* Live character counter for explanation reports (说明报告).
 *
 * Counts exactly as the server does (campaign/text.py): Unicode code points after CRLF and CR become LF.
 * Array.from() iterates by code point, so an emoji or an Extension-B character counts once (String.length
 * would count it twice). Typing or pasting past the limit is cut back to the limit, so the counter stops
 * there; text already longer when the page loads is only marked, never cut silently.
 */
(function () {
  "use strict";

  function normalize(text) {
    return text.replace(/\r\n?/g, "\n");
  }

  function countChars(text) {
    return Array.from(normalize(text)).length;
  }

  function attach(area) {
    var limit = parseInt(area.getAttribute("data-char-limit"), 10);
    var counter = document.getElementById(area.id + "-counter");
    var note = document.getElementById(area.id + "-limit-note");
    var composing = false;

    function show() {
      var n = countChars(area.value);
      if (counter) {
        counter.textContent = n + " / " + limit;
        counter.classList.toggle("text-danger", n > limit);
        counter.classList.toggle("fw-semibold", n >= limit);
      }
      if (note) {
        note.hidden = n < limit;
      }
    }

    function clip() {
      var chars = Array.from(normalize(area.value));
      if (chars.length > limit) {
        var end = area.selectionEnd;
        area.value = chars.slice(0, limit).join("");
        area.selectionStart = area.selectionEnd = Math.min(end, area.value.length);
      }
      show();
    }

    area.addEventListener("compositionstart", function () { composing = true; });
    area.addEventListener("compositionend", function () { composing = false; clip(); });
    area.addEventListener("input", function () {
      // While an input method is composing (Chinese pinyin), wait for the committed text.
      if (!composing) { clip(); } else { show(); }
    });
    show();
  }

  document.querySelectorAll("textarea[data-char-limit]").forEach(attach);
})();
