// Progressive enhancement for the notification editor: clicking (or Enter on) a variable inserts it
// at the cursor of the last template field used. Without JavaScript the code stays selectable.
(function () {
  "use strict";
  var fields = document.querySelectorAll(".notification-editor textarea, .notification-editor input[type=text]");
  var last = null;
  fields.forEach(function (field) {
    if (field.name === "case_reference") return;
    field.addEventListener("focus", function () { last = field; });
  });
  function insert(code) {
    var target = last || fields[0];
    if (!target) return;
    var start = target.selectionStart || 0, end = target.selectionEnd || 0, text = code.dataset.insert;
    target.value = target.value.slice(0, start) + text + target.value.slice(end);
    target.focus();
    target.selectionStart = target.selectionEnd = start + text.length;
  }
  document.querySelectorAll(".variable-code").forEach(function (code) {
    code.setAttribute("role", "button");
    // The tooltip's words come from the page (data-insert-title on <body>, set by base.html).
    var title = document.body.getAttribute("data-insert-title");
    if (title) { code.setAttribute("title", title); }
    code.addEventListener("click", function () { insert(code); });
    code.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); insert(code); }
    });
  });
})();
