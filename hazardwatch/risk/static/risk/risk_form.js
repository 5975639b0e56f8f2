// Show only the score inputs of the chosen method (LEC or LS). Without JavaScript both are shown.
(function () {
  var form = document.querySelector("[data-risk-form]");
  if (!form) return;
  var method = form.querySelector("select[name=method]");
  function sync() {
    form.querySelectorAll(".risk-scores").forEach(function (box) {
      box.hidden = box.getAttribute("data-method") !== method.value;
    });
  }
  method.addEventListener("change", sync);
  sync();
})();
