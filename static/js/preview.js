// Live preview: while a visitor chooses topics and words, fetch what their digest would contain.
// The form works without this script (the "Preview" button submits the choices to the home page).
(function () {
  "use strict";
  var box = document.getElementById("preview");
  var form = document.querySelector("form.signup-form");
  if (!box || !form || !window.fetch) { return; }
  var url = box.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;
  function refresh() {
    var params = new URLSearchParams();
    var body = new FormData();
    var file = false;
    new FormData(form).forEach(function (value, name) {
      if (name === "email" || name === "website") { return; }
      if (typeof value !== "string") {  // a chosen library file: only a POST can carry it
        if (value.size) { file = true; body.append(name, value); }
        return;
      }
      body.append(name, value);
      if (name !== "csrfmiddlewaretoken") { params.append(name, value); }
    });
    var ticket = ++latest;
    var request = file
      ? fetch(url, { method: "POST", body: body, headers: { "Accept": "text/html" } })
      : fetch(url + "?" + params.toString(), { headers: { "Accept": "text/html" } });
    request
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && ticket === latest) { box.innerHTML = html; } })
      .catch(function () { /* the preview is a convenience; sign-up works without it */ });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
