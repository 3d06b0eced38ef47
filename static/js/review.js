// newsdesk review page. Every part is an enhancement; the form works the
// same without it:
// - the quality slider, kept in step with the number field (the slider
//   has no name, so only the number field is submitted);
// - the review panel fitted to the window above the decision bar;
// - the focus put on the article, so keys.js's keys work at once;
// - Enter in the quality and topic fields leaves the field instead of
//   submitting (in the add-topic field it starts the next topic);
// - typed topics not yet in use marked "new";
// - a question before leaving the page with unsaved edits;
// - images that fail to load hidden (the CSP forbids inline onerror);
// - the next article's lead image loaded ahead.
//
// instant.js may replace the page's <main> with the next article's
// without a page load: it then calls newsdeskReview.start() again, which
// first removes every listener the previous start added (one
// AbortController per page shown).
(function () {
  "use strict";

  // ---- Quality slider ----
  var page = null; // the AbortController of the page shown; its signal ends its listeners
  function on(target, type, fn, opts) {
    opts = opts || {};
    opts.signal = page.signal;
    target.addEventListener(type, fn, opts);
  }

  function wire(slider) {
    var input = document.getElementById(slider.getAttribute("data-sync"));
    if (!input) return;
    function fromInput() {
      var n = parseInt(input.value, 10);
      if (!isNaN(n) && n >= 0 && n <= 100) slider.value = String(n);
    }
    on(slider, "input", function () {
      input.value = slider.value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    on(input, "input", fromInput);
    on(input, "change", fromInput); // keys.js sets the value and fires change
    if (input.value === "") slider.value = "50";
    fromInput();
    slider.hidden = false;
  }

  // ---- Panel height ----
  // The panel scrolls inside itself. CSS can only guess how far down the
  // page it starts (a flash pushes it further), so fit it to the window
  // between its top and the decision bar. Only while it is sticky (wide
  // windows); narrow ones show it in the page's flow.
  var GAP = 16; // the panel's sticky top margin, 1rem
  function fit(panel, bar) {
    if (getComputedStyle(panel).position !== "sticky") {
      panel.style.maxHeight = "";
      return;
    }
    var top = Math.max(panel.getBoundingClientRect().top, GAP);
    var barHeight = bar ? bar.getBoundingClientRect().height : 0;
    panel.style.maxHeight = Math.max(window.innerHeight - top - barHeight - GAP, 160) + "px";
  }

  // ---- Focus ----
  // On the article, not in a field and not at the top of the page, so
  // the keys work at once and Tab goes on into the work area. After a
  // failed save app.js focuses the error summary or the field in error:
  // that wins.
  function focusWork() {
    if (document.querySelector(".error-summary, [aria-invalid='true']")) return;
    if (location.hash) return;
    var active = document.activeElement;
    if (active && active !== document.body && active.matches("input, textarea, select")) return;
    var art = document.querySelector("[data-testid='article']");
    if (art) art.focus({ preventScroll: true });
  }

  // ---- Enter in single-line fields ----
  // Enter in a text field would submit the form and stay (the hidden
  // default button saves). Here it leaves the field, keeping its value;
  // in the add-topic field it starts another topic.
  function plainEnterInField(ev) {
    if (ev.key !== "Enter" || ev.shiftKey || ev.ctrlKey || ev.altKey || ev.metaKey || ev.isComposing) return false;
    var el = ev.target;
    return el instanceof HTMLInputElement && !!el.form && el.form.classList.contains("review-form") &&
      (el.type === "text" || el.type === "number");
  }
  // Blink submits on the keypress that follows an Enter keydown; a
  // cancelled keydown has none, but a keypress sent on its own (by
  // automation, some IMEs) would still submit.
  function onEnterPress(ev) {
    if (plainEnterInField(ev)) ev.preventDefault();
  }
  function onEnter(ev) {
    if (!plainEnterInField(ev)) return;
    var el = ev.target;
    ev.preventDefault();
    if (el.id === "new-topic" && el.value.trim() !== "" && !/,\s*$/.test(el.value)) {
      el.value = el.value.replace(/\s+$/, "") + ", ";
      el.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    el.blur();
  }

  // ---- New topics ----
  // The datalist holds the topics in use (every one when data-all-topics
  // is true, else the most used). A typed topic in neither the list nor
  // the article's own topics is shown as new, so a typo is seen before
  // it becomes a topic.
  function splitTopics(s) {
    return s.split(/[,\n]/).map(function (t) { return t.trim(); }).filter(function (t) { return t !== ""; });
  }
  function checkNewTopics(input, out, names) {
    var known = {};
    names.forEach(function (n) { known[n.toLowerCase()] = true; });
    document.querySelectorAll(".review-form input[name=topics]").forEach(function (t) {
      known[t.value.trim().toLowerCase()] = true;
    });
    var fresh = splitTopics(input.value).filter(function (t) { return !known[t.toLowerCase()]; });
    out.textContent = "";
    out.hidden = fresh.length === 0;
    if (fresh.length === 0) return;
    var all = input.getAttribute("data-all-topics") === "true";
    out.appendChild(document.createTextNode(all ? "Not in use yet: " : "Not among the most used topics: "));
    fresh.forEach(function (t, i) {
      if (i > 0) out.appendChild(document.createTextNode(" "));
      var b = document.createElement("span");
      b.className = "topic topic-new";
      b.textContent = t;
      var badge = document.createElement("span");
      badge.className = "badge new";
      badge.textContent = all ? "new" : "new?";
      b.appendChild(document.createTextNode(" "));
      b.appendChild(badge);
      out.appendChild(b);
    });
  }
  // A datalist suggests whole values: after a comma, offer each topic
  // behind what is typed already, so the second topic is suggested too.
  function suggestAfterComma(input, list, names) {
    var m = /^[\s\S]*,\s*/.exec(input.value); // up to the last comma and the spaces after it
    var prefix = m ? m[0] : "";
    if (list.getAttribute("data-prefix") === prefix) return;
    list.setAttribute("data-prefix", prefix);
    var options = document.createDocumentFragment();
    names.forEach(function (n) {
      var o = document.createElement("option");
      o.value = prefix + n;
      options.appendChild(o);
    });
    list.replaceChildren(options);
  }
  function wireTopics(add, out) {
    var list = document.getElementById(add.getAttribute("list"));
    var names = list ? Array.prototype.map.call(list.options, function (o) { return o.value; }) : [];
    function update() {
      if (list) suggestAfterComma(add, list, names);
      checkNewTopics(add, out, names);
    }
    on(add, "input", update);
    update();
  }

  // ---- Unsaved changes ----
  // The form's values as submitted, the CSRF token aside.
  function snapshot(form) {
    var parts = [];
    new FormData(form).forEach(function (v, k) {
      if (k !== "_csrf") parts.push(k + "=" + v);
    });
    return parts.join("&");
  }
  function guardUnsaved(form) {
    // A form shown again with errors holds edits that were not saved.
    var initial = form.querySelector(".error-summary") ? null : snapshot(form);
    var submitting = false;
    // Heard on the document, as the event bubbles there after every
    // listener of the form has run: instant.js's among them, which
    // cancels the submit when it saves in the background (a listener on
    // the form, added before instant.js's, would never see that).
    on(document, "submit", function (ev) {
      if (ev.target === form && !ev.defaultPrevented) submitting = true;
    });
    on(window, "beforeunload", function (ev) {
      if (submitting || snapshot(form) === initial) return;
      ev.preventDefault();
      ev.returnValue = ""; // older browsers need it set to ask
    });
    // Back from the next page (bfcache) shows this page as it was left.
    on(window, "pageshow", function (ev) { if (ev.persisted) submitting = false; });
  }

  // ---- Images ----
  // A picture that does not load leaves nothing behind: not the broken
  // image box, not its empty frame.
  function hideBroken(img) {
    img.classList.add("broken");
    var fig = img.closest(".picture");
    if (fig) fig.hidden = true;
  }
  document.addEventListener("error", function (ev) {
    if (ev.target instanceof HTMLImageElement) hideBroken(ev.target);
  }, true);

  function preloadNext(bar) {
    var src = bar && bar.getAttribute("data-next-image");
    if (!src) return;
    var img = new Image();
    img.referrerPolicy = "no-referrer";
    img.src = src;
  }

  function init() {
    if (page) page.abort();
    page = new AbortController();
    document.querySelectorAll("input[type=range][data-sync]").forEach(wire);
    // Images that failed before this script ran.
    document.querySelectorAll("main img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) hideBroken(img);
    });
    var bar = document.querySelector(".decision-bar");
    var panel = document.querySelector(".review-side");
    if (panel) {
      var refit = function () { fit(panel, bar); };
      on(window, "scroll", refit, { passive: true });
      on(window, "resize", refit);
      refit();
    }
    var form = document.querySelector("form.review-form");
    if (form) {
      on(form, "keydown", onEnter);
      on(form, "keypress", onEnterPress);
      guardUnsaved(form);
    }
    var add = document.getElementById("new-topic");
    var out = document.getElementById("new-topic-check");
    if (add && out) wireTopics(add, out);
    focusWork();
    if (document.readyState === "complete") preloadNext(bar);
    else on(window, "load", function () { preloadNext(bar); });
  }
  // For instant.js: set up the page again after it replaced <main>.
  window.newsdeskReview = { start: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
