// WGS-84 ⇄ GCJ-02 ("Mars" coordinates of AMap, Tencent and WeChat's map picker) for the Leaflet pages.
// Same formula as hazardwatch/places/geo.py (wgs84_to_gcj02 / gcj02_to_wgs84): the forward shift applies
// only inside China's rough rectangle; the inverse is found by fixed-point iteration.
//
// Stored coordinates are WGS-84. toDisplay/fromDisplay always convert WGS-84 → GCJ-02 and back; pages
// only call them when the tile source is GCJ-02 (HAZARDWATCH_TILE_CRS, passed as data-tile-crs), or use
// HWCRS.forTiles(crs), which hands back the identity for "wgs84" tiles.
// Plain browser script, no modules: load it before the page's map script.
(function (global) {
  "use strict";

  var A = 6378245.0; // Krasovsky 1940 semi-major axis used by the GCJ-02 formula
  var EE = 0.00669342162296594323;
  var PI = Math.PI;

  function outsideChina(lat, lon) {
    return !(72.004 <= lon && lon <= 137.8347 && 0.8293 <= lat && lat <= 55.8271);
  }

  function transformLat(x, y) {
    var ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    ret += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return ret;
  }

  function transformLon(x, y) {
    var ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    ret += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return ret;
  }

  // WGS-84 → GCJ-02, [lat, lon].
  function toDisplay(lat, lon) {
    lat = Number(lat); lon = Number(lon);
    if (outsideChina(lat, lon)) return [lat, lon];
    var dlat = transformLat(lon - 105.0, lat - 35.0);
    var dlon = transformLon(lon - 105.0, lat - 35.0);
    var radlat = lat / 180.0 * PI;
    var s = Math.sin(radlat);
    var magic = 1 - EE * s * s;
    var sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * PI);
    dlon = (dlon * 180.0) / (A / sqrtmagic * Math.cos(radlat) * PI);
    return [lat + dlat, lon + dlon];
  }

  // GCJ-02 → WGS-84 by iteration (converges to ~1 cm in a few steps), [lat, lon].
  function fromDisplay(lat, lon, toleranceDeg) {
    lat = Number(lat); lon = Number(lon);
    var tol = toleranceDeg || 1e-7;
    if (outsideChina(lat, lon)) return [lat, lon];
    var wlat = lat, wlon = lon;
    for (var i = 0; i < 30; i++) {
      var g = toDisplay(wlat, wlon);
      var dlat = g[0] - lat, dlon = g[1] - lon;
      wlat -= dlat; wlon -= dlon;
      if (Math.abs(dlat) < tol && Math.abs(dlon) < tol) break;
    }
    return [wlat, wlon];
  }

  function isPair(a) {
    return a && a.length >= 2 && typeof a[0] === "number" && typeof a[1] === "number";
  }

  // Shift a [lat, lon] pair, or an array (nested to any depth, as for L.polygon) of such pairs.
  function mapPairs(a, fn) {
    if (isPair(a)) return fn(a[0], a[1]);
    if (a && typeof a.lat === "number" && typeof a.lng === "number") return fn(a.lat, a.lng);
    return Array.prototype.map.call(a || [], function (b) { return mapPairs(b, fn); });
  }

  function latLngs(array) { return mapPairs(array, toDisplay); }

  function identity(lat, lon) { return [Number(lat), Number(lon)]; }

  // The conversions a page needs for its tile source: GCJ-02 tiles shift, anything else is the identity.
  function forTiles(crs) {
    var gcj = String(crs || "").toLowerCase() === "gcj02";
    return {
      crs: gcj ? "gcj02" : "wgs84",
      shifted: gcj,
      toDisplay: gcj ? toDisplay : identity,
      fromDisplay: gcj ? function (lat, lon) { return fromDisplay(lat, lon); } : identity,
      latLngs: gcj ? latLngs : function (array) { return mapPairs(array, identity); },
    };
  }

  global.HWCRS = {
    toDisplay: toDisplay,
    fromDisplay: fromDisplay,
    latLngs: latLngs,
    forTiles: forTiles,
    outsideChina: outsideChina,
  };
})(window);
