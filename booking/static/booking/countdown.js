// Counts the hold down once a second; announces only the lapse (a per-second announcement would drown screen readers).
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown]");
  if (!box) return;
  var text = box.querySelector("[data-countdown-text]");
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
})();
