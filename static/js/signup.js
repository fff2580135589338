// Progressive enhancement for the sign-up and preferences forms (the forms work without it).
// Loaded as a file: the Content-Security-Policy forbids inline script.
(function () {
  "use strict";

  // Pre-select the browser's time zone on the sign-up form; the reader can still change it.
  var zoneSelect = document.querySelector("select[data-detect-timezone]");
  if (zoneSelect && window.Intl && Intl.DateTimeFormat) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zoneSelect.querySelector('option[value="' + zone.replace(/"/g, "") + '"]')) {
      zoneSelect.value = zone;
    }
  }

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

  // The private feed address: select it all on focus, ready to copy.
  var feed = document.getElementById("feed-url");
  if (feed) feed.addEventListener("focus", function () { feed.select(); });
})();
