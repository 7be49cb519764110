// Counts the hold down once a second; announces only the lapse (a per-second announcement would drown screen readers).
// It starts on the hold already on the page, and again on the one booking/hold.js brings in ("booking:held").
(function () {
  "use strict";
  function start(box) {
    var text = box.querySelector("[data-countdown-text]");
    if (!text) return;
    var ends = Date.now() + Number(box.dataset.seconds) * 1000;
    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      text.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) {
        box.setAttribute("role", "alert");
        box.textContent = box.dataset.lapsed;
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  }
  var box = document.querySelector("[data-countdown]");
  if (box) start(box);
  document.addEventListener("booking:held", function (event) {
    var held = event.target.querySelector("[data-countdown]");
    if (held) start(held);
  });
})();
