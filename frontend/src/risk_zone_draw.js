// Drawing a risk point's zone (or placing its location) on the risk point form, with Leaflet-Geoman.
//
// The form keeps its plain fields as the truth: the zone textarea (GeoJSON Polygon, WGS-84 [lon, lat]) and
// the lat/lon inputs, all under "Advanced" so pasting or typing still works without the map. This script
// only reads them into the drawing when the page opens (and when they are changed by hand), and writes the
// drawing back into them after every create, edit, drag or delete. The server validates what is posted.
//
// Tiles in GCJ-02 (HAZARDWATCH_TILE_CRS=gcj02, data-tile-crs) are drawn over in GCJ-02 display coordinates:
// stored WGS-84 is shifted for display and what is drawn is shifted back to WGS-84 before it is written
// into the form (crs.js). With WGS-84 tiles both directions are the identity.
//
// Read-only mode (data-readonly on the box, for users who may see a point but not change it): no form and no
// Geoman; the zone or location comes from data-zone / data-lat / data-lon and is only shown, with the site's
// other zones around it.
// Plain browser script; needs leaflet.js, crs.js and (to draw) leaflet-geoman.min.js loaded before it.
(function () {
  "use strict";

  var box = document.querySelector("[data-zone-draw]");
  var readOnly = !!box && box.hasAttribute("data-readonly");
  if (!box || !window.L || (!readOnly && !L.PM) || !window.HWCRS) return;
  var form = readOnly ? null : box.closest("form");
  // In read-only mode plain objects stand in for the fields: the same code reads them and never posts them.
  var zoneInput = readOnly ? { value: box.dataset.zone || "" } : form.querySelector("[name=zone]");
  var latInput = readOnly ? { value: box.dataset.lat || "" } : form.querySelector("[name=lat]");
  var lonInput = readOnly ? { value: box.dataset.lon || "" } : form.querySelector("[name=lon]");
  var statusEl = box.querySelector("[data-draw-status]");
  var crs = HWCRS.forTiles(box.dataset.tileCrs);
  var maxVertices = Number(box.dataset.maxVertices) || 500;
  box.hidden = false;

  var center = (box.dataset.center || "34.7466,113.6253").split(",").map(Number);
  var map = L.map(box.querySelector("[data-zone-map]"), { zoomControl: true })
    .setView(crs.toDisplay(center[0], center[1]), Number(box.dataset.zoom) || 17);
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, { maxZoom: 19, attribution: box.dataset.tileAttribution || "" }).addTo(map);
  }

  // Drawn in violet so the zone being edited stands apart from the four risk colours of the site's other zones.
  var DRAW_STYLE = { color: "#7048e8", weight: 3, fillColor: "#7048e8", fillOpacity: 0.2 };
  if (!readOnly) {
    var lang = (document.documentElement.lang || "").toLowerCase();
    if (lang.indexOf("zh") === 0) {
      map.pm.setLang(lang.indexOf("hant") >= 0 || lang === "zh-tw" ? "zh_tw" : "zh");
    }
    map.pm.addControls({
      position: "topleft",
      drawPolygon: true, drawRectangle: true, drawMarker: true,
      drawCircle: false, drawCircleMarker: false, drawPolyline: false, drawText: false,
      editMode: true, dragMode: true, removalMode: true, cutPolygon: false, rotateMode: false,
    });
    // Geoman refuses self-intersecting rings while drawing and reverts vertex moves that would create one;
    // the server checks again (hazardwatch/risk/geometry.py).
    map.pm.setGlobalOptions({
      allowSelfIntersection: false, snappable: true, pathOptions: DRAW_STYLE,
      templineStyle: { color: "#7048e8" }, hintlineStyle: { color: "#7048e8", dashArray: "5 5" },
    });
  }

  var current = null; // the one shape of the form: an L.Polygon (zone) or an L.Marker (location)

  function round7(x) { return Math.round(x * 1e7) / 1e7; }

  function label(name, values) {
    return String(box.dataset[name] || "").replace(/\{(\w+)\}/g, function (m, key) {
      return values && values[key] != null ? values[key] : m;
    });
  }

  // WGS-84 rings [[lon, lat], …] (closed) of the polygon layer.
  function ringsOf(layer) {
    var rings = layer.getLatLngs();
    if (rings.length && !Array.isArray(rings[0])) rings = [rings];
    return rings.map(function (ring) {
      var out = ring.map(function (ll) {
        var w = crs.fromDisplay(ll.lat, ll.lng);
        return [round7(w[1]), round7(w[0])];
      });
      if (out.length) out.push(out[0].slice());
      return out;
    });
  }

  // Approximate area in m² (equirectangular at the first vertex, like geometry.zone_area_km2 on the server).
  function areaM2(ring) {
    if (ring.length < 4) return 0;
    var kx = 111320 * Math.cos(ring[0][1] * Math.PI / 180), ky = 110574, sum = 0;
    for (var i = 0; i < ring.length - 1; i++) {
      sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    }
    return Math.abs(sum / 2) * kx * ky;
  }

  function showStatus(state, text) {
    box.dataset.state = state;
    statusEl.textContent = text;
  }

  // Drawing → form fields.
  function sync() {
    if (current && current instanceof L.Polygon) {
      var rings = ringsOf(current);
      zoneInput.value = JSON.stringify({ type: "Polygon", coordinates: rings });
      latInput.value = lonInput.value = "";
      var corners = rings.reduce(function (n, r) { return n + r.length - 1; }, 0);
      showStatus("zone", corners > maxVertices ? label("labelTooMany", { limit: maxVertices })
        : label("labelZone", { n: corners, area: Math.round(areaM2(rings[0])).toLocaleString() }));
    } else if (current && current instanceof L.Marker) {
      var ll = current.getLatLng(), w = crs.fromDisplay(ll.lat, ll.lng);
      zoneInput.value = "";
      latInput.value = round7(w[0]);
      lonInput.value = round7(w[1]);
      showStatus("point", label("labelPoint", { lat: latInput.value, lon: lonInput.value }));
    } else {
      zoneInput.value = latInput.value = lonInput.value = "";
      showStatus("none", label("labelNone"));
    }
  }

  function adopt(layer) {
    if (current && current !== layer) map.removeLayer(current);
    current = layer;
    layer.on("pm:edit pm:update pm:dragend pm:markerdragend pm:vertexadded pm:vertexremoved", sync);
  }

  map.on("pm:create", function (e) {
    adopt(e.layer);
    sync();
  });
  map.on("pm:remove", function (e) {
    if (e.layer === current) current = null;
    sync();
  });

  // The polygon of a GeoJSON text (Polygon, Feature or a one-feature FeatureCollection), or null.
  function polygonOf(text) {
    var g = JSON.parse(text);
    if (g && g.type === "FeatureCollection" && g.features && g.features.length === 1) g = g.features[0];
    if (g && g.type === "Feature") g = g.geometry;
    if (!g || g.type !== "Polygon" || !Array.isArray(g.coordinates) || !g.coordinates.length) return null;
    return g.coordinates.map(function (ring) {
      var pts = ring.map(function (p) { return crs.toDisplay(p[1], p[0]); });
      var a = pts[0], b = pts[pts.length - 1];
      if (pts.length > 1 && a[0] === b[0] && a[1] === b[1]) pts.pop(); // Leaflet rings are implicitly closed
      return pts;
    });
  }

  // Form fields → drawing (page load, and hand edits under "Advanced").
  function load(fit) {
    if (current) { map.removeLayer(current); current = null; }
    var text = zoneInput.value.trim();
    if (text) {
      var rings = null;
      try { rings = polygonOf(text); } catch (err) { rings = null; }
      var finite = rings && rings.every(function (r) {
        return r.length >= 3 && r.every(function (p) { return isFinite(p[0]) && isFinite(p[1]); });
      });
      if (!finite) {
        showStatus("invalid", label("labelBadText"));
        return;
      }
      adopt(L.polygon(rings, DRAW_STYLE).addTo(map));
      if (fit) map.fitBounds(current.getBounds(), { maxZoom: 18, padding: [30, 30] });
      showStatus("zone", "");
      syncStatusOnly();
      return;
    }
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    if (isFinite(lat) && isFinite(lon)) {
      adopt(L.marker(crs.toDisplay(lat, lon)).addTo(map));
      if (fit) map.setView(current.getLatLng(), Math.max(map.getZoom(), 17));
    }
    syncStatusOnly();
  }

  // Show what is drawn without rewriting the fields (keeps the text exactly as typed or stored).
  function syncStatusOnly() {
    var saved = [zoneInput.value, latInput.value, lonInput.value];
    sync();
    zoneInput.value = saved[0]; latInput.value = saved[1]; lonInput.value = saved[2];
  }

  // The site's other zones, for orientation (and snapping to their corners and edges), not editable here.
  var COLOURS = { red: "#e03131", orange: "#f08c00", yellow: "#fcc419", blue: "#1c7ed6" };
  if (box.dataset.contextUrl) {
    var own = Number(box.dataset.pointId) || null;
    fetch(box.dataset.contextUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (fc) {
        var layer = L.geoJSON(fc, {
          coordsToLatLng: function (c) { var p = crs.toDisplay(c[1], c[0]); return L.latLng(p[0], p[1]); },
          filter: function (f) {
            var p = f.properties || {};
            return p.kind === "zone" && !(p.points || []).some(function (q) { return q.id === own; });
          },
          style: function (f) {
            var c = COLOURS[f.properties.colour] || "#868e96";
            return { color: c, weight: 1.5, dashArray: "5 4", fillColor: c, fillOpacity: 0.12, interactive: false,
                     className: "risk-draw-context", pmIgnore: true, snapIgnore: false };
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(String(f.properties.area || ""),
                          { permanent: true, direction: "center", className: "risk-label" });
          },
        }).addTo(map);
        box.dataset.context = String(layer.getLayers().length);
      })
      .catch(function () { box.dataset.context = "error"; });
  }

  load(true);
  if (!readOnly) {
    [zoneInput, latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () { load(true); });
    });
  }
  // The map was laid out while the fieldset may have been off screen; let Leaflet measure again.
  window.addEventListener("load", function () { map.invalidateSize(); });
  box.dataset.ready = "1";
  window.HWZoneDraw = { map: map };
})();
