// newsdesk review page: keeps the quality slider and the number field in
// step. The slider has no name, so only the number field is submitted; it
// stays hidden without JavaScript and the form works the same.
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
  function init() {
    document.querySelectorAll("input[type=range][data-sync]").forEach(wire);
    var summary = document.querySelector("[data-testid=form-errors]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
