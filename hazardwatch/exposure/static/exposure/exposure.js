/* Exposure redaction editor: draw blur boxes on a photo with the mouse (or a finger).
   Boxes are kept as normalized [x, y, w, h] (fractions of the displayed photo) in a hidden input;
   the server validates them and blurs those regions when it re-encodes the photo. */
(function () {
  "use strict";

  function clamp(v) { return Math.max(0, Math.min(1, v)); }

  function read(input) {
    try { var v = JSON.parse(input.value || "[]"); return Array.isArray(v) ? v : []; } catch (e) { return []; }
  }

  function init(root) {
    var nodes = (root || document).querySelectorAll("[data-draw]:not([data-draw-ready])");
    Array.prototype.forEach.call(nodes, function (area) {
      area.setAttribute("data-draw-ready", "");
      var item = area.closest("[data-photo-key]");
      var input = item.querySelector("[data-boxes]");
      var count = item.querySelector("[data-box-count]");
      var check = item.querySelector("input[type=checkbox]");
      var img = area.querySelector("img");
      var boxes = read(input);
      var start = null, live = null;

      function draw() {
        Array.prototype.forEach.call(area.querySelectorAll(".xp-box"), function (b) { b.remove(); });
        boxes.forEach(function (b) {
          var el = document.createElement("div");
          el.className = "xp-box";
          el.style.left = b[0] * 100 + "%"; el.style.top = b[1] * 100 + "%";
          el.style.width = b[2] * 100 + "%"; el.style.height = b[3] * 100 + "%";
          area.appendChild(el);
        });
        input.value = JSON.stringify(boxes);
        if (count) count.textContent = String(boxes.length);
      }

      function point(evt) {
        var r = img.getBoundingClientRect();
        return [clamp((evt.clientX - r.left) / r.width), clamp((evt.clientY - r.top) / r.height)];
      }

      area.addEventListener("pointerdown", function (evt) {
        if (evt.button !== 0) return;
        evt.preventDefault();
        start = point(evt);
        live = document.createElement("div");
        live.className = "xp-box xp-box-live";
        area.appendChild(live);
        area.setPointerCapture(evt.pointerId);
      });
      area.addEventListener("pointermove", function (evt) {
        if (!start) return;
        var p = point(evt);
        live.style.left = Math.min(start[0], p[0]) * 100 + "%";
        live.style.top = Math.min(start[1], p[1]) * 100 + "%";
        live.style.width = Math.abs(p[0] - start[0]) * 100 + "%";
        live.style.height = Math.abs(p[1] - start[1]) * 100 + "%";
      });
      area.addEventListener("pointerup", function (evt) {
        if (!start) return;
        var p = point(evt);
        var x = Math.min(start[0], p[0]), y = Math.min(start[1], p[1]);
        var w = Math.abs(p[0] - start[0]), h = Math.abs(p[1] - start[1]);
        start = null;
        if (live) { live.remove(); live = null; }
        if (w < 0.01 || h < 0.01) return;
        boxes.push([+x.toFixed(4), +y.toFixed(4), +Math.min(w, 1 - x).toFixed(4), +Math.min(h, 1 - y).toFixed(4)]);
        if (check) check.checked = true;  // drawing on a photo means it is meant to be published
        draw();
      });
      var clear = item.querySelector("[data-clear-boxes]");
      if (clear) clear.addEventListener("click", function () { boxes = []; draw(); });
      draw();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (evt) { init(evt.target); });
})();
