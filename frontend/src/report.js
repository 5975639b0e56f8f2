// The report form: pick the hazard's location by GPS or by tapping a Leaflet map, count photos.
// Works without map tiles (the map still takes taps) and without Leaflet (GPS only).
// Texts come from data-* attributes the template fills with translated strings.
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) return;

  var latInput = form.querySelector('[data-role="lat"]');
  var lonInput = form.querySelector('[data-role="lon"]');
  var crsInput = form.querySelector('[data-role="crs"]');
  var fieldset = document.getElementById("location");
  var statusLine = document.getElementById("location-status");
  var note = document.getElementById("map-note");
  var mapBox = document.getElementById("report-map");
  var locateButton = document.getElementById("use-location");
  var submitButton = document.getElementById("submit-report");
  var map = null;
  var marker = null;
  // The tiles' coordinate system (HAZARDWATCH_TILE_CRS): a tap on GCJ-02 tiles (AMap, Tencent) is a GCJ-02
  // point and is sent as such with crs=gcj02 (the server converts); GPS fixes are WGS-84 and are shifted
  // only for drawing (crs.js).
  var tileCrs = mapBox && mapBox.getAttribute("data-tile-crs") === "gcj02" && window.HWCRS ? "gcj02" : "wgs84";

  // A point in `crs` → where to draw it on the tiles.
  function toTiles(lat, lon, crs) {
    if (tileCrs === "gcj02" && crs !== "gcj02") return window.HWCRS.toDisplay(lat, lon);
    if (tileCrs !== "gcj02" && crs === "gcj02" && window.HWCRS) return window.HWCRS.fromDisplay(lat, lon);
    return [lat, lon];
  }

  function showNote(text, warn) {
    if (!note || !text) return;
    note.textContent = text;
    note.hidden = false;
    note.classList.toggle("warn", !!warn);
  }

  function fixed(value) {
    return Number(value).toFixed(6);
  }

  // lat/lon are tile (display) coordinates.
  function placeMarker(lat, lon, recenter) {
    if (!map) return;
    if (marker) {
      marker.setLatLng([lat, lon]);
    } else {
      marker = L.marker([lat, lon], { draggable: true, keyboard: false }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng().wrap();
        setLocation(p.lat, p.lng, tileCrs, false);
      });
    }
    if (recenter) map.setView([lat, lon], Math.max(map.getZoom(), 16));
  }

  // GPS fixes are WGS-84 (navigator.geolocation); map picks are in the tiles' system (WGS-84 for OSM).
  function setLocation(lat, lon, crs, recenter) {
    latInput.value = fixed(lat);
    lonInput.value = fixed(lon);
    crsInput.value = crs || "wgs84";
    statusLine.textContent = statusLine.getAttribute("data-set") + " " + latInput.value + ", " + lonInput.value;
    statusLine.classList.add("set");
    if (fieldset) {
      fieldset.classList.remove("has-error");
      var stale = fieldset.querySelector("#map-note ~ ul.errorlist");
      if (stale) stale.hidden = true;  // the server's complaint was about the previous point
    }
    var at = toTiles(lat, lon, crs || "wgs84");
    placeMarker(at[0], at[1], recenter);
  }

  // --- the map ---------------------------------------------------------------------------------
  if (mapBox && window.L) {
    try {
      var center = toTiles(parseFloat(mapBox.getAttribute("data-center-lat")) || 34.7466,
                           parseFloat(mapBox.getAttribute("data-center-lon")) || 113.6253, "wgs84");
      map = L.map(mapBox, { zoomControl: true, attributionControl: true }).setView(center, 13);
      map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
      var tilesLoaded = false;
      var warned = false;
      var tiles = L.tileLayer(mapBox.getAttribute("data-tile-url"), {
        attribution: mapBox.getAttribute("data-attribution") || "",
        maxZoom: 19,
      });
      tiles.on("tileload", function () { tilesLoaded = true; });
      tiles.on("tileerror", function () {
        if (!tilesLoaded && !warned) {
          warned = true;
          showNote(mapBox.getAttribute("data-tiles-failed"), true);
        }
      });
      tiles.addTo(map);
      map.on("click", function (event) {
        var p = event.latlng.wrap();
        setLocation(p.lat, p.lng, tileCrs, false);
      });
      mapBox.setAttribute("data-ready", "1");
    } catch (err) {
      map = null;
      mapBox.hidden = true;
      showNote(mapBox.getAttribute("data-no-map"), true);
    }
  } else if (mapBox) {
    mapBox.hidden = true;
    showNote(mapBox.getAttribute("data-no-map"), true);
  }

  // A form re-shown after an error keeps its point (and its coordinate system).
  var oldLat = parseFloat(latInput.value);
  var oldLon = parseFloat(lonInput.value);
  if (isFinite(oldLat) && isFinite(oldLon) && Math.abs(oldLat) <= 90 && Math.abs(oldLon) <= 180) {
    statusLine.classList.add("set");
    var old = toTiles(oldLat, oldLon, (crsInput && crsInput.value) || "wgs84");
    placeMarker(old[0], old[1], true);
  }

  // --- "use my location" -------------------------------------------------------------------------
  if (locateButton && "geolocation" in navigator) {
    locateButton.hidden = false;
    var idleLabel = locateButton.textContent;
    locateButton.addEventListener("click", function () {
      locateButton.disabled = true;
      locateButton.textContent = locateButton.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          locateButton.disabled = false;
          locateButton.textContent = idleLabel;
          setLocation(position.coords.latitude, position.coords.longitude, "wgs84", true);
        },
        function () {
          locateButton.disabled = false;
          locateButton.textContent = idleLabel;
          showNote(locateButton.getAttribute("data-denied"), true);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // --- photos: show how many are chosen, warn past the limit -----------------------------------------
  var photoInput = form.querySelector('input[type="file"][name="photos"]');
  var photoCount = document.getElementById("photo-count");
  if (photoInput && photoCount) {
    photoInput.addEventListener("change", function () {
      var n = photoInput.files ? photoInput.files.length : 0;
      var max = parseInt(photoCount.getAttribute("data-max"), 10) || 6;
      photoCount.hidden = n === 0;
      photoCount.textContent = n > max
        ? photoCount.getAttribute("data-too-many")
        : photoCount.getAttribute("data-count") + " " + n;
      photoCount.classList.toggle("errorlist", n > max);
    });
  }

  // --- employee reports need a name and phone ------------------------------------------------------
  var employee = form.querySelector('input[name="is_employee"]');
  if (employee) {
    var toggle = function () {
      ["contact_name", "contact_phone"].forEach(function (name) {
        var input = form.querySelector('[name="' + name + '"]');
        if (input) input.required = employee.checked;
      });
    };
    employee.addEventListener("change", toggle);
    toggle();
  }

  // --- submit: a location is required; avoid double submission ---------------------------------------
  form.addEventListener("submit", function (event) {
    if (!latInput.value || !lonInput.value) {
      event.preventDefault();
      statusLine.textContent = statusLine.getAttribute("data-required");
      statusLine.classList.remove("set");
      if (fieldset) {
        fieldset.classList.add("has-error");
        fieldset.scrollIntoView({ behavior: "smooth", block: "start" });
      }
      return;
    }
    if (submitButton) {
      submitButton.disabled = true;
      submitButton.textContent = submitButton.getAttribute("data-sending") || submitButton.textContent;
    }
  });

  // Back/forward cache: re-enable the button when the page is shown again.
  window.addEventListener("pageshow", function () {
    if (submitButton) submitButton.disabled = false;
  });
})();
