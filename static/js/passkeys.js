// Passkeys (WebAuthn) for the forms marked data-passkey-form (templates/passkeys/): "register" on the
// account page, "sign-in" on the sign-in page. Each form works like this: ask the server for options
// (a POST with the page's CSRF token and the form's fields), let the browser ask the authenticator,
// put its answer (JSON) into the form's hidden "credential" field and submit the form as usual; the
// server checks it and answers with a redirect and a message. Without this script, or in a browser
// without passkeys, the forms stay hidden and the pages work as before.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) { return; }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return { publicKey: options };
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) { json.response.userHandle = toText(response.userHandle); }
    }
    return JSON.stringify(json);
  }

  function setUp(form) {
    var kind = form.getAttribute("data-passkey-form");
    var container = form.closest("[data-passkey-section]") || form.parentNode;
    var message = container.querySelector("[data-passkey-message]");
    var unsupported = container.querySelector("[data-passkey-unsupported]");
    var button = form.querySelector("button[type=submit]");
    var busy = false;

    function say(text) {
      if (!message) { return; }
      message.textContent = text;
      message.hidden = !text;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      button.disabled = true;
      say("");
      var body = new FormData(form);
      body.delete("credential");
      fetch(form.getAttribute("data-options-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("input[name=csrf_token]").value, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            if (data.confirm) { window.location.assign(data.confirm); }
            throw { shown: data.error || message.getAttribute("data-failed") };
          }
          return data;
        });
      }).then(function (options) {
        return kind === "register"
          ? navigator.credentials.create(creationOptions(options))
          : navigator.credentials.get(requestOptions(options));
      }).then(function (credential) {
        form.querySelector("input[name=credential]").value = credentialJSON(credential);
        form.submit();
      }).catch(function (error) {
        busy = false;
        button.disabled = false;
        if (error && error.shown) { say(error.shown); return; }
        var cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
        say(message.getAttribute(cancelled ? "data-cancelled" : "data-failed"));
      });
    });

    if (unsupported) { unsupported.hidden = true; }
    var section = form.closest("[data-passkey-section]");
    if (section) { section.hidden = false; }
    form.hidden = false;
  }

  document.querySelectorAll("form[data-passkey-form]").forEach(setUp);
})();
