/* Staff workbench: the case map and htmx glue. Everything works without this file too. */
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // A small map with the case's point. Without Leaflet (not loaded) the text fallback stays;
  // without tiles (offline, blocked) the point is still drawn, on a blank background.
  function initMaps(root) {
    if (!window.L || !root || !root.querySelectorAll) return;
    var nodes = root.matches && root.matches("[data-map]") ? [root] : root.querySelectorAll("[data-map]");
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.hasAttribute("data-map-ready")) return;
      var lat = parseFloat(el.getAttribute("data-lat"));
      var lon = parseFloat(el.getAttribute("data-lon"));
      if (!isFinite(lat) || !isFinite(lon)) return;
      el.setAttribute("data-map-ready", "");
      el.innerHTML = "";
      el.classList.add("has-map");
      try {
        // The stored point is WGS-84; GCJ-02 tiles (data-tile-crs="gcj02") need it shifted (crs.js).
        var at = [lat, lon];
        if (el.getAttribute("data-tile-crs") === "gcj02" && window.HWCRS) at = window.HWCRS.toDisplay(lat, lon);
        var map = window.L.map(el, { scrollWheelZoom: false }).setView(at, 16);
        var tiles = el.getAttribute("data-tile-url");
        if (tiles) {
          window.L.tileLayer(tiles, {
            maxZoom: 19,
            attribution: escapeHtml(el.getAttribute("data-tile-attribution") || ""),
          }).addTo(map);
        }
        window.L.circleMarker(at, {
          radius: 9, color: "#b42318", weight: 3, fillColor: "#f04438", fillOpacity: 0.5,
        }).addTo(map);
      } catch (e) {
        el.textContent = lat.toFixed(5) + ", " + lon.toFixed(5);
      }
    });
  }

  // Refused actions come back as 4xx with the panel that explains why: show it rather than drop it.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && xhr.responseText) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", function (evt) {
    initMaps((evt.detail && evt.detail.elt) || evt.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initMaps(document); });
  } else {
    initMaps(document);
  }
})();
