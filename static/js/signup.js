// Progressive enhancement for the sign-up and preferences forms (they work without it).
// Loaded as a file: the Content-Security-Policy forbids inline script.
(function () {
  "use strict";

  // Pre-select the browser's time zone, mapped to its canonical name (a browser may still say
  // Asia/Calcutta for Asia/Kolkata); the reader can change it.
  var zoneSelect = document.querySelector("select[data-detect-timezone]");
  if (zoneSelect && window.Intl && Intl.DateTimeFormat) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    var aliases = {};
    try { aliases = JSON.parse(zoneSelect.getAttribute("data-aliases") || "{}"); } catch (e) { aliases = {}; }
    zone = aliases[zone] || zone;
    var option = Array.prototype.find.call(zoneSelect.options, function (o) { return o.value === zone; });
    if (option && !zoneSelect.closest("form").querySelector("[data-focus]")) { zoneSelect.value = zone; }
  }

  // A form that came back with errors: move focus to its summary, so the reader hears it.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }

  // Buttons only needed without JavaScript (the live preview replaces "Preview my digest").
  document.querySelectorAll("[data-no-js-only]").forEach(function (el) { el.hidden = true; });

  // The weekday only matters for weekly digests.
  document.querySelectorAll("form").forEach(function (form) {
    var weekday = form.querySelector("[data-weekday-field]");
    var radios = form.querySelectorAll('input[type="radio"][name$="frequency"]');
    if (!weekday || !radios.length) return;
    function sync() {
      var checked = form.querySelector('input[type="radio"][name$="frequency"]:checked');
      weekday.hidden = !checked || checked.value !== "weekly";
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  });

  // An error link to a field inside a closed <details>: open it first.
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function () {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var details = target && target.closest("details");
      if (details) { details.open = true; }
    });
  });

  // The private feed address: a copy button, and select-all on focus.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else { field.select(); document.execCommand && document.execCommand("copy"); done(); }
    });
  });
})();
