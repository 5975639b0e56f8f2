/* Hazard map: cluster bubbles and an H3 hexagon heat layer from /api/v1/map/clusters. */
(function () {
  "use strict";
  var el = document.getElementById("hazard-map");
  if (!el || !window.L) return;
  var d = el.dataset;
  var statusEl = document.getElementById("hm-status");
  var form = document.getElementById("hm-filters");
  var heatBox = document.getElementById("hm-heat");
  var exportLink = document.getElementById("hm-export");
  // Coordinates from the server are WGS-84. With GCJ-02 tiles (data-tile-crs="gcj02", AMap/Tencent) every
  // drawn point and vertex is shifted WGS-84 → GCJ-02 and the viewport is shifted back before asking the API
  // (crs.js, see docs/maps.md); with WGS-84 tiles (OSM, Tianditu) nothing is converted.
  var crs = window.HWCRS && window.HWCRS.forTiles ? window.HWCRS.forTiles(d.tileCrs)
    : { shifted: false, toDisplay: function (a, b) { return [a, b]; }, fromDisplay: function (a, b) { return [a, b]; },
        latLngs: function (x) { return x; } };
  var map = L.map(el, { minZoom: 3, maxZoom: 18, preferCanvas: false })
    .setView(crs.toDisplay(parseFloat(d.centerLat), parseFloat(d.centerLon)), 11);
  var tilesFailed = false;
  var tiles = L.tileLayer(d.tileUrl, { attribution: d.attribution, maxZoom: 18 });
  tiles.on("tileerror", function () {
    if (tilesFailed) return;
    tilesFailed = true;
    el.classList.add("tiles-failed");
    say(d.tTiles);
  });
  tiles.addTo(map);
  var bubbles = L.layerGroup().addTo(map);
  var heat = L.layerGroup();
  var points = L.layerGroup().addTo(map);
  var timer = null, seq = 0, lastMessage = "";

  function say(text) { lastMessage = text; statusEl.textContent = text; }

  function filters() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) p.set(k, v); });
    return p;
  }

  function heatColor(t) { // 0..1 → yellow..red
    var g = Math.round(220 - 190 * t);
    return "rgb(240," + g + ",40)";
  }

  function render(data) {
    bubbles.clearLayers(); heat.clearLayers(); points.clearLayers();
    var max = 1;
    data.cells.forEach(function (c) { if (c.count > max) max = c.count; });
    data.cells.forEach(function (c) {
      var size = Math.round(26 + 10 * Math.log10(c.count));
      var html = "<span>" + c.count + "</span>" + (c.overdue ? "<span class='hm-ov'>" + c.overdue + "</span>" : "");
      var icon = L.divIcon({ className: "", iconSize: [size, size],
        html: "<div class='hm-cluster" + (c.overdue ? " is-overdue" : "") + "' style='width:" + size + "px;height:" +
          size + "px;position:relative'>" + html + "</div>" });
      var at = crs.toDisplay(c.lat, c.lon);
      var m = L.marker(at, { icon: icon, keyboard: true,
        title: c.count + " · " + d.tOverdue + " " + c.overdue + " · " + d.tMajor + " " + c.major });
      m.on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 18)); });
      bubbles.addLayer(m);
      if (c.boundary) {
        var t = Math.log(1 + c.count) / Math.log(1 + max);
        heat.addLayer(L.polygon(crs.latLngs(c.boundary), { stroke: c.overdue > 0, color: "#d0021b", weight: 1,
          fillColor: heatColor(t), fillOpacity: 0.25 + 0.45 * t, interactive: false }));
      }
    });
    data.points.forEach(function (p) {
      var m = L.circleMarker(crs.toDisplay(p.lat, p.lon), { radius: 7, weight: 2, color: "#fff",
        fillColor: p.overdue ? "#d0021b" : "#1d63b2", fillOpacity: 0.95, className: "hm-point" });
      var a = document.createElement("a");
      a.href = p.url; a.textContent = d.tOpen + " " + p.reference + " (" + p.status + ")";
      m.bindPopup(a);
      points.addLayer(m);
    });
    var text = data.total + " " + d.tCount;
    if (data.truncated) text += " · " + d.tTruncated;
    if (tilesFailed) text += " · " + d.tTiles;
    say(text);
    el.dataset.loaded = String(data.cells.length + data.points.length);
  }

  // The API wants a WGS-84 bbox: shift the four displayed corners back and take their extent.
  function viewportBbox() {
    var b = map.getBounds();
    var s = b.getSouth(), w = Math.max(b.getWest(), -180), n = b.getNorth(), e = Math.min(b.getEast(), 180);
    if (!crs.shifted) return [s, w, n, e];
    var corners = [crs.fromDisplay(s, w), crs.fromDisplay(s, e), crs.fromDisplay(n, w), crs.fromDisplay(n, e)];
    var lats = corners.map(function (c) { return c[0]; }), lons = corners.map(function (c) { return c[1]; });
    return [Math.max(Math.min.apply(null, lats), -90), Math.max(Math.min.apply(null, lons), -180),
            Math.min(Math.max.apply(null, lats), 90), Math.min(Math.max.apply(null, lons), 180)];
  }

  function load() {
    var p = filters();
    p.set("bbox", viewportBbox().map(function (x) { return x.toFixed(5); }).join(","));
    p.set("zoom", map.getZoom());
    p.set("scope", d.scope);
    var mine = ++seq;
    el.setAttribute("aria-busy", "true");
    fetch(d.api + "?" + p.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (r) {
        if (mine !== seq) return;
        el.removeAttribute("aria-busy");
        if (!r.ok) { say((r.body && r.body.message) || d.tError); return; }
        render(r.body);
      })
      .catch(function () { if (mine === seq) { el.removeAttribute("aria-busy"); say(d.tError); } });
    if (exportLink) {
      var e = filters(); e.delete("scope");
      exportLink.href = exportLink.href.split("?")[0] + (e.toString() ? "?" + e.toString() : "");
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(load, 200); }
  map.on("moveend", schedule);
  form.addEventListener("change", function (ev) {
    if (ev.target === heatBox) {
      if (heatBox.checked) { heat.addTo(map); map.removeLayer(bubbles); }
      else { map.removeLayer(heat); bubbles.addTo(map); }
      return;
    }
    schedule();
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); schedule(); });
  say(d.tLoading);
  load();
})();
