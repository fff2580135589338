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
    new FormData(form).forEach(function (value, name) {
      if (name !== "email" && name !== "website" && name !== "csrfmiddlewaretoken") {
        params.append(name, value);
      }
    });
    var ticket = ++latest;
    fetch(url + "?" + params.toString(), { headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && ticket === latest) { box.innerHTML = html; } })
      .catch(function () { /* the preview is a convenience; sign-up works without it */ });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
