// The report form asks for likely duplicates once the place and kind of hazard are chosen (and again when
// they or the photos change), shows them, and lets the reporter follow one instead of filing a new case.
// No library needed; the server answers an HTML fragment (the same URL answers JSON for the API-minded).
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  var box = document.getElementById("duplicates");
  if (!form || !box || !window.fetch || !window.FormData) return;

  var lat = form.querySelector('[data-role="lat"]');
  var lon = form.querySelector('[data-role="lon"]');
  var category = form.querySelector('[name="category"]');
  var follow = form.querySelector('[data-role="follow"]');
  var statusLine = document.getElementById("location-status");
  var photos = form.querySelector('input[type="file"][name="photos"]');
  var submitButton = document.getElementById("submit-report");
  var timer = null;
  var lastKey = "";

  function key() {
    var n = photos && photos.files ? photos.files.length : 0;
    return [lat.value, lon.value, category.value, n].join("|");
  }

  function setFollow(reference) {
    follow.value = reference || "";
    box.querySelectorAll("[data-follow]").forEach(function (b) {
      var on = b.getAttribute("data-follow") === follow.value;
      b.classList.toggle("btn-primary", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = b.getAttribute(on ? "data-following" : "data-label");
    });
    var line = box.querySelector('[data-role="follow-status"]');
    var undo = box.querySelector("[data-unfollow]");
    if (line) {
      line.textContent = follow.value ? line.getAttribute("data-text") + " " + follow.value + "." : "";
      line.hidden = !follow.value;
    }
    if (undo) undo.style.display = follow.value ? "" : "none";
  }

  function check() {
    if (!lat.value || !lon.value || !category.value) return;
    var k = key();
    if (k === lastKey) return;
    lastKey = k;
    var data = new FormData(form);
    data.delete("description");
    data.delete("contact_name");
    data.delete("contact_phone");
    data.delete("contact_email");  // only place, kind and photos leave the form
    fetch(box.getAttribute("data-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": (form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "" },
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      if (k !== lastKey) return;  // an answer to an older question
      var keep = follow.value;
      box.innerHTML = html;
      var still = keep && box.querySelector('[data-follow="' + keep + '"]');
      setFollow(still ? keep : "");
      box.hidden = !box.querySelector("[data-duplicates='found'], [data-duplicates='error']");
    }).catch(function () { /* the report can always be sent as a new case */ });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  }

  box.addEventListener("click", function (event) {
    var chosen = event.target.closest("[data-follow]");
    if (chosen) setFollow(chosen.getAttribute("data-follow"));
    if (event.target.closest("[data-unfollow]")) setFollow("");
  });
  if (category) category.addEventListener("change", soon);
  if (photos) photos.addEventListener("change", soon);
  // report.js sets the hidden coordinates and rewrites the status line: watch the line.
  if (statusLine && window.MutationObserver) {
    new MutationObserver(soon).observe(statusLine, { childList: true, characterData: true, subtree: true });
  }
  soon();
})();
