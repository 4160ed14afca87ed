// Progressive enhancement for case forms: hide a field while its "show when" condition does not hold,
// mark a field required (asterisk, aria-required) while its "require when" condition holds, and tell
// screen readers which fields appeared or became required. Without JavaScript every field shows with
// a hint ("Only needed if ...", "Required if ...") and the server decides. The announcements' words come
// from the page, in its language (data-now-shown and data-now-required on <body>, set by base.html).
(function () {
  "use strict";

  function text(name, placeholder, value) {
    var pattern = document.body.getAttribute(name) || "";
    return pattern.replace(placeholder, value);
  }

  function list(items) {
    if (window.Intl && Intl.ListFormat) {
      return new Intl.ListFormat(document.documentElement.lang || undefined, { type: "conjunction" }).format(items);
    }
    return items.join(", ");
  }

  function currentValue(form, name) {
    var controls = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) { return control.value; }
      } else {
        return control.value.trim();
      }
    }
    return "";
  }

  function holds(form, pairs) {
    return pairs.some(function (pair) {
      var source = form.querySelector('[name="' + pair[0] + '"]');
      var sourceWrapper = source && source.closest("[data-show-when]");
      return (!sourceWrapper || !sourceWrapper.hidden) && currentValue(form, pair[0]) === pair[1];
    });
  }

  function markRequired(wrapper, required) {
    var label = wrapper.querySelector("label, legend");
    var mark = label && label.querySelector(".conditional-required");
    if (required && label && !mark) {
      mark = document.createElement("span");
      mark.className = "required conditional-required";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = " *";
      label.appendChild(mark);
    } else if (!required && mark) {
      mark.remove();
    }
    wrapper.querySelectorAll("input, select, textarea").forEach(function (control) {
      if (required) { control.setAttribute("aria-required", "true"); } else { control.removeAttribute("aria-required"); }
    });
    var group = wrapper.querySelector("fieldset");
    if (group) {
      if (required) { group.setAttribute("aria-required", "true"); } else { group.removeAttribute("aria-required"); }
    }
  }

  function requirements(form) {
    var changed = [];
    form.querySelectorAll("[data-require-when]").forEach(function (wrapper) {
      var pairs;
      try { pairs = JSON.parse(wrapper.getAttribute("data-require-when")); } catch (e) { return; }
      var required = !wrapper.hidden && holds(form, pairs);
      var was = wrapper.getAttribute("data-now-required") === "true";
      if (required !== was) {
        markRequired(wrapper, required);
        wrapper.setAttribute("data-now-required", String(required));
        if (required) { changed.push(text("data-now-required", "%(field)s", wrapper.getAttribute("data-label"))); }
      }
    });
    return changed;
  }

  function update(form) {
    var wrappers = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < wrappers.length; i++) {
      var wrapper = wrappers[i];
      var pairs;
      try { pairs = JSON.parse(wrapper.getAttribute("data-show-when")); } catch (e) { continue; }
      wrapper.hidden = !holds(form, pairs);
    }
  }

  function announce(text) {
    var status = document.getElementById("conditions-status");
    if (status && text) { status.textContent = text; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-show-when], [data-require-when]")) { continue; }
      // twice, so a field shown by a field that is itself hidden ends up hidden too
      var refresh = (function (f) {
        return function (event) {
          var before = Array.prototype.filter.call(f.querySelectorAll("[data-show-when]"),
                                                   function (w) { return !w.hidden; });
          update(f); update(f);
          var appeared = Array.prototype.filter.call(f.querySelectorAll("[data-show-when]"), function (w) {
            return !w.hidden && before.indexOf(w) < 0;
          }).map(function (w) { return w.getAttribute("data-label"); });
          var news = requirements(f);
          if (event && appeared.length) { news.unshift(text("data-now-shown", "%(fields)s", list(appeared))); }
          if (event) { announce(news.join(" ")); }
        };
      })(form);
      form.addEventListener("change", refresh);
      form.addEventListener("input", refresh);
      refresh(null);
    }
  });
})();
