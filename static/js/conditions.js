// Progressive enhancement for case forms: hide a field while its "show when" condition does not hold.
// Without JavaScript every field shows with a hint ("Only needed if ...") and the server decides.
(function () {
  "use strict";

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

  function update(form) {
    var wrappers = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < wrappers.length; i++) {
      var wrapper = wrappers[i];
      var pairs;
      try { pairs = JSON.parse(wrapper.getAttribute("data-show-when")); } catch (e) { continue; }
      var shown = pairs.some(function (pair) {
        var source = form.querySelector('[name="' + pair[0] + '"]');
        var sourceWrapper = source && source.closest("[data-show-when]");
        return (!sourceWrapper || !sourceWrapper.hidden) && currentValue(form, pair[0]) === pair[1];
      });
      wrapper.hidden = !shown;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-show-when]")) { continue; }
      // twice, so a field shown by a field that is itself hidden ends up hidden too
      var refresh = (function (f) { return function () { update(f); update(f); }; })(form);
      form.addEventListener("change", refresh);
      form.addEventListener("input", refresh);
      refresh();
    }
  });
})();
