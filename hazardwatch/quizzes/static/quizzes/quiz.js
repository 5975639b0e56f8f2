// Countdown for the quiz page; the server checks the time limit on every answer.
(function () {
  var el = document.getElementById("quiz-timer");
  if (!el) return;
  var left = parseInt(el.dataset.seconds || "0", 10);
  var end = Date.now() + left * 1000;
  var fmt = el.textContent.trim().replace(/\d+/, "{s}");
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (s <= 0) { el.textContent = el.dataset.expired; el.classList.add("is-late"); return; }
    el.textContent = fmt.replace("{s}", s);
    setTimeout(tick, 1000);
  }
  if (left > 0) tick();
})();
