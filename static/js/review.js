// newsdesk review page: keeps the quality slider and the number field in
// step, and keeps the form's Save buttons on screen. The slider has no
// name, so only the number field is submitted; it stays hidden without
// JavaScript and the form works the same.
(function () {
  "use strict";
  function wire(slider) {
    var input = document.getElementById(slider.getAttribute("data-sync"));
    if (!input) return;
    function fromInput() {
      var n = parseInt(input.value, 10);
      if (!isNaN(n) && n >= 0 && n <= 100) slider.value = String(n);
    }
    slider.addEventListener("input", function () { input.value = slider.value; });
    input.addEventListener("input", fromInput);
    if (input.value === "") slider.value = "50";
    fromInput();
    slider.hidden = false;
  }

  // The panel scrolls inside itself, its Save buttons stuck at its foot.
  // CSS can only guess how far down the page it starts (a flash pushes it
  // further), so fit it to the window below its top: the buttons are then
  // on screen however the page opens. Only while it is sticky (wide
  // windows); narrow ones show it in the page's flow.
  var gap = 16; // the panel's sticky top and bottom margin, 1rem
  function fit(panel) {
    if (getComputedStyle(panel).position !== "sticky") {
      panel.style.maxHeight = "";
      return;
    }
    var top = Math.max(panel.getBoundingClientRect().top, gap);
    panel.style.maxHeight = Math.max(window.innerHeight - top - gap, 200) + "px";
  }

  function init() {
    document.querySelectorAll("input[type=range][data-sync]").forEach(wire);
    var panel = document.querySelector(".review-side");
    if (panel) {
      var refit = function () { fit(panel); };
      window.addEventListener("scroll", refit, { passive: true });
      window.addEventListener("resize", refit);
      refit();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
