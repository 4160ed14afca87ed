// Progressive enhancement for every page's forms (each page works without it):
// - a live count under long text fields that have a limit (the limit is stated and checked by the server);
// - after a refused form, focus moves to its error summary, next to that form;
// - after an action that returns to a place on the page (#feed-end, #staff-actions ...), its message is
//   shown there rather than at the top, out of sight.
(function () {
  "use strict";

  // The words come from the page (templates/_macros/forms.html), in the page's language: one text per
  // plural category ("one", "few", "other" ...), with %(num)s where the count goes.
  function characterCounts() {
    var lang = document.documentElement.lang || undefined;
    var fmt = new Intl.NumberFormat(lang);
    var plurals = new Intl.PluralRules(lang);
    document.querySelectorAll("[data-count-for]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-count-for"));
      var texts;
      try { texts = JSON.parse(counter.getAttribute("data-texts")); } catch (e) { return; }
      if (!field || !texts) { return; }
      var limit = parseInt(field.getAttribute("data-limit"), 10);
      var wasOver = false;
      function words(kind, count) {
        var forms = texts[plurals.select(count)] || texts.other;
        return forms ? forms[kind].replace("%(num)s", fmt.format(count)) : "";
      }
      function update() {
        var left = limit - field.value.length;
        var over = left < 0;
        counter.textContent = over ? words("over", -left) : words("left", left);
        counter.classList.toggle("over-limit", over);
        // Announce crossing the limit, not every keystroke.
        if (over !== wasOver) { counter.setAttribute("aria-live", over ? "assertive" : "polite"); }
        wasOver = over;
      }
      field.addEventListener("input", update);
      update();
    });
  }

  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return false; }
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "center" });
    return true;
  }

  function messagesWhereTheActionWas() {
    var flashes = document.querySelector(".flashes");
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (!flashes || !target) { return; }
    target.parentNode.insertBefore(flashes, target);
    flashes.scrollIntoView({ block: "center" });
  }

  characterCounts();
  if (!focusErrors()) { messagesWhereTheActionWas(); }
})();
