// One-tap report: fill the phone's location when the unit has none, then send the form.
(function () {
  "use strict";
  document.querySelectorAll("form.cl-report-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.needsLocation !== "1" || form.lat.value || !navigator.geolocation || form.dataset.asked) {
        return;
      }
      event.preventDefault();
      form.dataset.asked = "1";
      var button = document.querySelector('button[form="' + form.id + '"]');
      if (button) { button.disabled = true; button.textContent = form.dataset.locating; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.lat.value = pos.coords.latitude.toFixed(6);
        form.lon.value = pos.coords.longitude.toFixed(6);
        form.submit();
      }, function () { form.submit(); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  });
})();
