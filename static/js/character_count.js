// Progressive enhancement: a live count under every long text field that has a limit (the page works
// without it: the limit is stated, and the server refuses a longer text with a message, keeping it).
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat(document.documentElement.lang || undefined);
  document.querySelectorAll("[data-count-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-count-for"));
    if (!field) { return; }
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    var wasOver = false;
    function update() {
      var left = limit - field.value.length;
      var over = left < 0;
      counter.textContent = over
        ? fmt.format(-left) + (left === -1 ? " character too many" : " characters too many") +
          " (the limit is " + fmt.format(limit) + ")."
        : fmt.format(left) + (left === 1 ? " character left." : " characters left.");
      counter.classList.toggle("over-limit", over);
      // Announce crossing the limit, not every keystroke.
      if (over !== wasOver) { counter.setAttribute("aria-live", over ? "assertive" : "polite"); }
      wasOver = over;
    }
    field.addEventListener("input", update);
    update();
  });
})();
