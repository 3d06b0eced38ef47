// newsdesk bulk selection on the queue: shift-click ticks a range of
// rows, the box in the table's head ("Select all on this page") ticks
// every row, and a live count says
// how many are ticked. Nothing here is needed: without it the checkboxes
// (which belong to the bulk form by their form attribute) post as they are.
(function () {
  "use strict";

  var form = document.getElementById("bulk-form");
  if (!form) return;
  var pageToggle = document.querySelector("[data-bulk-page]");
  var pageBox = pageToggle && pageToggle.querySelector("input[type=checkbox]");
  var counter = form.querySelector("[data-bulk-count]");
  var anchor = null; // the last box ticked or unticked by a plain click (or `x`)

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("input[type=checkbox][name=ids][form=bulk-form]"));
  }

  function update() {
    var all = boxes();
    var n = all.filter(function (b) { return b.checked; }).length;
    if (counter) counter.textContent = n === 0 ? "" : (n === 1 ? "1 selected" : n + " selected");
    if (pageBox) {
      pageBox.checked = n > 0 && n === all.length;
      pageBox.indeterminate = n > 0 && n < all.length;
    }
  }

  // A shift-click sets every box from the anchor to the clicked one as
  // the clicked one now is; any other click moves the anchor.
  document.addEventListener("click", function (ev) {
    var box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "ids" || box.getAttribute("form") !== "bulk-form") return;
    var all = boxes();
    if (ev.shiftKey && anchor && anchor !== box && all.indexOf(anchor) >= 0) {
      var a = all.indexOf(anchor), b = all.indexOf(box);
      var lo = Math.min(a, b), hi = Math.max(a, b);
      for (var i = lo; i <= hi; i++) all[i].checked = box.checked;
    }
    anchor = box;
    update();
  });
  document.addEventListener("change", update);

  if (pageToggle && pageBox) {
    pageToggle.hidden = false;
    pageBox.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = pageBox.checked; });
      update();
    });
  }
  update(); // boxes the browser kept ticked on back/forward
})();
