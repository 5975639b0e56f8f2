// The four-colour map: enterprise scale (zones by highest level) or regional scale (units by level),
// with open major hazards overlaid. Data come from /api/v1/risk GeoJSON endpoints; tiles are optional
// (the map still draws if the tile server cannot be reached).
(function () {
  var el = document.getElementById("risk-map");
  if (!el || !window.L) return;
  var COLOURS = { red: "#e03131", orange: "#f08c00", yellow: "#fcc419", blue: "#1c7ed6" };
  var status = document.querySelector("[data-map-status]");
  // GeoJSON from the server is WGS-84; with GCJ-02 tiles (data-tile-crs="gcj02") every zone vertex and dot
  // is shifted WGS-84 → GCJ-02 for display (crs.js); with WGS-84 tiles nothing is converted.
  var crs = window.HWCRS && window.HWCRS.forTiles ? window.HWCRS.forTiles(el.dataset.tileCrs)
    : { toDisplay: function (a, b) { return [a, b]; } };
  function coordsToLatLng(c) {
    var p = crs.toDisplay(c[1], c[0]);
    return c.length > 2 ? L.latLng(p[0], p[1], c[2]) : L.latLng(p[0], p[1]);
  }
  var center = (el.dataset.center || "34.75,113.65").split(",").map(Number);
  center = crs.toDisplay(center[0], center[1]);
  var map = L.map(el, { zoomControl: true, preferCanvas: false }).setView(center, el.dataset.scale === "enterprise" ? 17 : 11);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function setCount(key, n) {
    var node = document.querySelector('[data-legend-count="' + key + '"]');
    if (node) node.textContent = n ? "(" + n + ")" : "";
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }
  function pointPopup(p) {
    return "<strong>" + esc(p.name) + "</strong><br>" + esc(p.area || "") + (p.activity ? " · " + esc(p.activity) : "") +
      "<br>" + esc(p.method.toUpperCase()) + " " + esc(p.value) + (p.forced_red ? " ⚠" : "") +
      '<br><a href="/staff/risk/points/' + p.id + '/">→</a>';
  }

  var bounds = L.latLngBounds([]);
  function mainLayer(fc) {
    return L.geoJSON(fc, {
      coordsToLatLng: coordsToLatLng,
      style: function (f) {
        var c = COLOURS[f.properties.colour];
        return { color: c, weight: 2, fillColor: c, fillOpacity: 0.45, className: "risk-zone risk-zone-" + f.properties.level };
      },
      pointToLayer: function (f, latlng) {
        var p = f.properties, c = COLOURS[p.colour];
        var radius = p.kind === "organization" ? 9 + Math.min(8, Math.sqrt(p.points || 1) * 2) : 7;
        return L.circleMarker(latlng, { radius: radius, color: "#fff", weight: 2, fillColor: c, fillOpacity: 0.95,
                                        className: "risk-dot risk-dot-" + p.level });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        if (p.kind === "zone") {
          layer.bindPopup("<strong>" + esc(p.area) + "</strong><ul>" + p.points.map(function (q) {
            return '<li><a href="/staff/risk/points/' + q.id + '/">' + esc(q.name) + "</a> · " + esc(q.value) + "</li>";
          }).join("") + "</ul>");
          layer.bindTooltip(esc(p.area), { permanent: true, direction: "center", className: "risk-label" });
        } else if (p.kind === "organization") {
          var link = el.dataset.orgMap ? '<br><a href="' + el.dataset.orgMap + p.id + '">' + esc(el.dataset.labelPoints) + " →</a>" : "";
          layer.bindPopup("<strong>" + esc(p.name) + "</strong><br>" + p.points + " " + esc(el.dataset.labelPoints) + link);
          layer.bindTooltip(esc(p.name));
        } else {
          layer.bindPopup(pointPopup(p));
        }
        if (layer.getBounds) bounds.extend(layer.getBounds()); else bounds.extend(layer.getLatLng());
      },
    });
  }
  function hazardLayer(fc) {
    var icon = L.divIcon({ className: "", html: '<div class="risk-hazard-icon" data-major-hazard></div>', iconSize: [18, 18] });
    return L.geoJSON(fc, {
      coordsToLatLng: coordsToLatLng,
      pointToLayer: function (f, latlng) {
        bounds.extend(latlng);
        return L.marker(latlng, { icon: icon, zIndexOffset: 1000, title: el.dataset.labelMajorHazard + " " + f.properties.reference });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup("<strong>" + esc(el.dataset.labelMajorHazard) + "</strong><br>" +
          '<a href="' + esc(p.url) + '">' + esc(p.reference) + "</a> " + esc(p.title));
      },
    });
  }

  Promise.all([getJSON(el.dataset.main), getJSON(el.dataset.hazards)]).then(function (res) {
    var main = res[0], hazards = res[1];
    mainLayer(main).addTo(map);
    hazardLayer(hazards).addTo(map);
    var counts = (main.properties && main.properties.counts) || {};
    Object.keys(counts).forEach(function (k) { setCount(k, counts[k]); });
    setCount("hazards", hazards.features.length);
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 18 });
    if (!main.features.length && status) status.textContent = el.dataset.labelEmpty;
    el.dataset.loaded = "1";
    el.dataset.features = String(main.features.length);
    el.dataset.hazardCount = String(hazards.features.length);
  }).catch(function () {
    if (status) status.textContent = el.dataset.labelError;
    el.dataset.loaded = "error";
  });
})();
