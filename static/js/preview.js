// Live preview: while a visitor chooses topics and words, fetch what their digest would contain
// (without the address) and show the count beside the controls; on phones a floating bar
// carries the count and the Subscribe button. The form works without this script.
(function () {
  "use strict";
  var box = document.getElementById("preview");
  var form = document.querySelector("form.signup-form");
  var bar = document.querySelector("[data-floating-bar]");
  if (!box || !form || !window.fetch) { return; }
  var url = box.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function updateBar() {
    if (!bar) return;
    var holder = box.querySelector("[data-preview-count]");
    var count = holder ? holder.getAttribute("data-preview-count") : "";
    var text = bar.querySelector("[data-floating-text]");
    if (count === "") { text.textContent = "Get the papers in your topics by email"; }
    else { text.textContent = count + (count === "1" ? " paper" : " papers") + " this week for your digest"; }
  }

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
      // 429: the network's hourly preview cap; its fragment says previews are paused.
      .then(function (response) {
        return response.ok || response.status === 429 ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && ticket === latest) { box.innerHTML = html; updateBar(); }
      })
      .catch(function () { /* the preview is a convenience; sign-up works without it */ });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  updateBar();

  // The floating bar (phones) hides while the form's own Subscribe button is on screen.
  var submit = form.querySelector("button[type=submit]");
  if (bar && submit && window.IntersectionObserver) {
    new IntersectionObserver(function (entries) {
      bar.hidden = entries[0].isIntersecting;
    }).observe(submit);
  }
})();
