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
  var map = L.map(el, { minZoom: 3, maxZoom: 18, preferCanvas: false })
    .setView([parseFloat(d.centerLat), parseFloat(d.centerLon)], 11);
  // Tiles are WGS-84 (OSM, Tianditu); a GCJ-02 source would need every point shifted (see docs/maps.md).
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
      var m = L.marker([c.lat, c.lon], { icon: icon, keyboard: true,
        title: c.count + " · " + d.tOverdue + " " + c.overdue + " · " + d.tMajor + " " + c.major });
      m.on("click", function () { map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, 18)); });
      bubbles.addLayer(m);
      if (c.boundary) {
        var t = Math.log(1 + c.count) / Math.log(1 + max);
        heat.addLayer(L.polygon(c.boundary, { stroke: c.overdue > 0, color: "#d0021b", weight: 1,
          fillColor: heatColor(t), fillOpacity: 0.25 + 0.45 * t, interactive: false }));
      }
    });
    data.points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], { radius: 7, weight: 2, color: "#fff",
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

  function load() {
    var b = map.getBounds();
    var p = filters();
    p.set("bbox", [b.getSouth(), Math.max(b.getWest(), -180), b.getNorth(), Math.min(b.getEast(), 180)]
      .map(function (x) { return x.toFixed(5); }).join(","));
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
