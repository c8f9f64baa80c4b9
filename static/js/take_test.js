// The assessment's countdown: #time-left carries the seconds left in data-seconds; the
// server enforces the deadline, this only shows it ticking.
(function () {
  "use strict";
  var el = document.getElementById("time-left");
  if (!el) { return; }
  var left = parseInt(el.dataset.seconds, 10);
  function show() {
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = m + " min " + (s < 10 ? "0" : "") + s + " s";
  }
  show();
  setInterval(function () { if (left > 0) { left -= 1; show(); } }, 1000);
})();
