// newsdesk keyboard shortcuts: one registry of key -> {description, scope,
// action}, in the manner of Miniflux's keyboard_handler.js. The `?` overlay
// is generated from the same registry, so no key can exist unlisted, and a
// key whose target is not on the page is neither run nor listed.
//
// No key fires while the editor types in a field (text inputs, textarea,
// select, contenteditable) or holds Ctrl, Alt or Meta; Shift only counts
// for keys typed with it (`?`). Esc leaves a field, cancels a typed
// quality or closes the overlay. Every page works the same without this
// file: each key is a shortcut for a link, button or field already there.
(function () {
  "use strict";

  // Quality keys: the step of [ and ], the range, and what an empty
  // quality counts as (the middle, where the slider shows it too).
  var QUALITY_STEP = 5, QUALITY_MIN = 0, QUALITY_MAX = 100, QUALITY_EMPTY = 50;
  // SEQUENCE_MS is how long the first key of a sequence ("g q") waits
  // for the second.
  var SEQUENCE_MS = 1500;

  // Scopes, in the order the overlay lists them; a scope is active on a
  // page when its test finds the page's main element.
  var scopes = [
    { id: "queue", title: "Queue", active: function () { return !!queueTable(); } },
    { id: "review", title: "Review page", active: function () { return !!document.querySelector("form.review-form"); } },
    { id: "everywhere", title: "Everywhere", active: function () { return true; } }
  ];

  // The registry. keys: alternatives, each a key or a space-separated
  // sequence ("g q"), as KeyboardEvent.key names them. label: how the
  // overlay prints them (a sequence, "0–9 Enter"), when not the keys. target: a function
  // returning the element the key acts on; no element, no key. action:
  // runs with (target, key); returning false means "not handled", and the
  // browser's own handling goes ahead.
  var registry = [];
  function on(keys, spec) {
    spec.keys = [].concat(keys);
    registry.push(spec);
  }

  // ---- Queue ----
  on("j", { scope: "queue", description: "Select the next article", target: firstRow, action: function () { move(1); } });
  on("k", { scope: "queue", description: "Select the previous article", target: firstRow, action: function () { move(-1); } });
  on(["Enter", "o"], { scope: "queue", description: "Open the selected article", target: currentRow, action: openRow });
  on("x", { scope: "queue", description: "Tick the selected article (for bulk actions)", target: currentRow, action: function (row) {
    var box = row.querySelector("input[type=checkbox]");
    if (box) box.click();
  } });
  on("/", { scope: "queue", description: "Search", target: byID("f-q"), action: focusField });

  // ---- Review page: buttons and links marked data-key (the decision bar,
  // the Undo buttons); keys.js only clicks them, the page decides what
  // they do. ----
  on("a", { scope: "review", description: "Approve and open the next article", target: dataKey("a"), action: click, saves: true });
  on("r", { scope: "review", description: "Reject and open the next article", target: dataKey("r"), action: click, saves: true });
  on("s", { scope: "review", description: "Save", target: dataKey("s"), action: click, saves: true });
  on("n", { scope: "review", description: "Save and open the next article", target: dataKey("n"), action: click, saves: true });
  on("p", { scope: "review", description: "Tick or untick Published", target: byID("published"), action: click });
  on("[", { scope: "review", description: "Quality −" + QUALITY_STEP + " (empty counts as " + QUALITY_EMPTY + ")", target: byID("quality"), action: function (el) { stepQuality(el, -QUALITY_STEP); } });
  on("]", { scope: "review", description: "Quality +" + QUALITY_STEP + " (empty counts as " + QUALITY_EMPTY + ")", target: byID("quality"), action: function (el) { stepQuality(el, QUALITY_STEP); } });
  on(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "Enter"], {
    scope: "review", label: "0–9 Enter", description: "Type a quality, then Enter sets it", target: byID("quality"), action: typeQuality
  });
  on("t", { scope: "review", description: "Add a topic", target: byID("new-topic"), action: focusField });

  // ---- Everywhere ----
  // u presses the first Undo that carries the key: the flash's, after any
  // save or bulk action on any page, else the review page's own.
  on("u", { scope: "everywhere", description: "Undo the last change", target: dataKey("u"), action: click });
  on("g q", { scope: "everywhere", description: "Back to the queue", target: queueLink, action: click });
  on("?", { scope: "everywhere", description: "Show or hide this list", target: function () { return document.body; }, action: toggleHelp });
  on("Escape", { scope: "everywhere", label: "Esc", description: "Leave a field, cancel a typed quality, close this list", target: function () { return document.body; }, action: escape });

  // ---- Targets ----
  function byID(id) { return function () { return document.getElementById(id); }; }
  function dataKey(k) { return function () { return document.querySelector('[data-key="' + k + '"]'); }; }
  // The review page's own back link keeps the queue's filters and page;
  // elsewhere the Queue link of the header.
  function queueLink() {
    return document.querySelector('[data-key="g q"]') ||
      document.querySelector('[data-testid="back-to-queue"]') ||
      document.querySelector('nav[aria-label="Main"] a[href="/articles"]');
  }
  function queueTable() { return document.querySelector("table.queue[data-queue]"); }
  function rows() {
    var t = queueTable();
    return t ? Array.prototype.slice.call(t.tBodies[0].rows) : [];
  }
  function firstRow() { return rows()[0] || null; }
  function currentRow() {
    var t = queueTable();
    return t ? t.querySelector("tbody tr[aria-current]") : null;
  }

  // ---- Actions ----
  function click(el) { el.click(); }
  function focusField(el, key) {
    el.focus();
    if (el.select) el.select();
    swallowChar(key);
  }
  // swallowChar drops the character of the key that moved the focus into
  // a field, should it still arrive there: a browser suppresses it once
  // keydown is cancelled, but synthetic input (automation, some remote
  // desktops) sends it as an event of its own. Until that key is released.
  function swallowChar(key) {
    function drop(ev) { if (ev.key === key) ev.preventDefault(); }
    function done(ev) {
      if (ev.key !== key) return;
      document.removeEventListener("keypress", drop, true);
      document.removeEventListener("keyup", done, true);
    }
    document.addEventListener("keypress", drop, true);
    document.addEventListener("keyup", done, true);
  }

  // ---- Queue: the current row ----
  // The current row carries aria-current="true" (and a visible style);
  // its title link takes the focus, so a screen reader reads the row and
  // Enter follows the link as it would anyway.
  function select(row, focus) {
    var old = currentRow();
    if (old) old.removeAttribute("aria-current");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("a[href]");
    if (focus && link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    remember(row);
  }
  function move(step) {
    var all = rows(), cur = currentRow();
    var i = cur ? all.indexOf(cur) + step : 0;
    select(all[Math.max(0, Math.min(all.length - 1, i))], true);
  }
  function openRow(row) {
    var link = row.querySelector("a[href]");
    if (!link) return false;
    remember(row);
    link.click();
  }

  // The queue remembers its current row per queue page (filters and
  // cursor, data-queue) for the tab's session, so coming back from an
  // article (Back, the back link, g q) puts the editor where they were.
  // The row's place is kept too: an article decided since has left the
  // pending queue, and the row now in its place is the one to go on with.
  var STORE = "newsdesk.queue:";
  function remember(row) {
    try {
      sessionStorage.setItem(STORE + queueTable().getAttribute("data-queue"),
        JSON.stringify({ id: row.getAttribute("data-id"), index: rows().indexOf(row) }));
    } catch (e) { /* storage full or refused: the position is a nicety */ }
  }
  function restore() {
    var t = queueTable(), all = rows();
    if (!t || !all.length) return;
    var saved;
    try { saved = JSON.parse(sessionStorage.getItem(STORE + t.getAttribute("data-queue")) || "null"); } catch (e) { saved = null; }
    if (!saved) return;
    var row = all.filter(function (r) { return r.getAttribute("data-id") === saved.id; })[0] ||
      all[Math.max(0, Math.min(all.length - 1, saved.index | 0))];
    select(row, true);
  }

  // ---- Review page: quality ----
  function setQuality(el, n) {
    el.value = String(Math.max(QUALITY_MIN, Math.min(QUALITY_MAX, n)));
    // Tell the slider (review.js) and any unsaved-changes watcher.
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function stepQuality(el, step) {
    var n = parseInt(el.value, 10);
    setQuality(el, (isNaN(n) ? QUALITY_EMPTY : n) + step);
  }

  // Digits typed outside a field build a quality, shown as they are typed
  // ("quality: 7_"); Enter sets it, Esc cancels. Three digits at most.
  var typed = "", indicator = null;
  function typeQuality(el, key) {
    if (key === "Enter") {
      if (typed === "") return false;
      commitTyped();
      return;
    }
    if (typed.length < 3) typed += key;
    show("quality: " + typed + "_");
  }
  // commitTyped sets the typed quality on #quality and reports whether it
  // could: a number over the range is refused, with a message.
  function commitTyped() {
    var n = parseInt(typed, 10), el = document.getElementById("quality");
    if (!el) return false;
    if (n > QUALITY_MAX) {
      show("quality " + typed + " is over " + QUALITY_MAX + ": not set");
      typed = "";
      setTimeout(function () { if (typed === "") show(""); }, SEQUENCE_MS);
      return false;
    }
    typed = "";
    show("");
    setQuality(el, n);
    return true;
  }
  function show(text) {
    if (!indicator) {
      indicator = document.createElement("div");
      indicator.className = "key-buffer";
      indicator.setAttribute("role", "status");
      indicator.setAttribute("data-testid", "key-buffer");
      document.body.appendChild(indicator);
    }
    indicator.textContent = text;
    indicator.hidden = text === "";
  }

  // ---- Esc and the overlay ----
  function escape() {
    if (typed !== "") { typed = ""; show(""); return; }
    var el = document.activeElement;
    if (el && el !== document.body && isTyping(el)) { el.blur(); return; }
    return false;
  }

  var dialog = null;
  function toggleHelp() {
    if (dialog && dialog.open) { dialog.close(); return; }
    if (dialog) dialog.remove();
    dialog = buildHelp();
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  // buildHelp lists, per active scope, every key whose target is on this
  // page: the same test that decides whether the key runs.
  function buildHelp() {
    var d = el("dialog", "keys-help");
    d.setAttribute("aria-labelledby", "keys-help-title");
    d.setAttribute("data-testid", "keys-help");
    var head = el("div", "keys-help-head");
    var h = el("h2", "", "Keyboard shortcuts");
    h.id = "keys-help-title";
    var close = el("button", "", "Close");
    close.type = "button";
    close.setAttribute("data-testid", "keys-help-close");
    close.addEventListener("click", function () { d.close(); });
    head.appendChild(h);
    head.appendChild(close);
    d.appendChild(head);
    scopes.forEach(function (s) {
      if (!s.active()) return;
      var entries = registry.filter(function (e) { return e.scope === s.id && e.target(); });
      if (!entries.length) return;
      d.appendChild(el("h3", "", s.title));
      var dl = el("dl", "keys-list");
      entries.forEach(function (e) {
        var dt = el("dt");
        dt.setAttribute("data-testid", "keys-help-key");
        (e.label ? [e.label] : e.keys).forEach(function (k, i) {
          if (i > 0) dt.appendChild(document.createTextNode(" or "));
          k.split(" ").forEach(function (part, j) {
            if (j > 0) dt.appendChild(document.createTextNode(" then "));
            dt.appendChild(el("kbd", "", part));
          });
        });
        var dd = el("dd", "", e.description);
        dd.setAttribute("data-testid", "keys-help-description");
        dl.appendChild(dt);
        dl.appendChild(dd);
      });
      d.appendChild(dl);
    });
    d.appendChild(el("p", "muted", "Keys do nothing while you type in a field: press Esc to leave it."));
    return d;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // ---- Dispatch ----
  // isTyping: fields where letters are text. A checkbox, radio button,
  // slider or button is not: `a` still approves after Published was ticked
  // with the mouse.
  var notText = { checkbox: 1, radio: 1, range: 1, button: 1, submit: 1, reset: 1, color: 1, file: 1, image: 1 };
  function isTyping(t) {
    if (!t || !t.tagName) return false;
    if (t.isContentEditable) return true;
    switch (t.tagName) {
      case "TEXTAREA": case "SELECT": return true;
      case "INPUT": return !notText[t.type];
    }
    return false;
  }

  // ignored: a key the shortcuts must not see. Modifiers always; Shift
  // only for keys typed without it (letters, digits, Enter, Esc), so that
  // `?` works and Shift+J or Shift+Enter keep their own meaning.
  function ignored(ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.isComposing || ev.defaultPrevented) return true;
    if (ev.shiftKey && (/^[a-z0-9]$/i.test(ev.key) || ev.key.length > 1)) return true;
    if (isTyping(ev.target)) return ev.key !== "Escape";
    // Enter on a focused link or button is the browser's: it follows or
    // presses that one (a typed quality waiting for its Enter aside).
    if (ev.key === "Enter" && typed === "" && /^(A|BUTTON|SUMMARY|INPUT)$/.test(ev.target.tagName || "")) return true;
    return false;
  }

  function active(e) {
    var s = scopes.filter(function (s) { return s.id === e.scope; })[0];
    return s.active();
  }
  // find returns the entry for a key sequence with its target, or null.
  function find(seq) {
    for (var i = 0; i < registry.length; i++) {
      var e = registry[i];
      if (e.keys.indexOf(seq) < 0 || !active(e)) continue;
      var target = e.target();
      if (target) return { entry: e, target: target };
    }
    return null;
  }
  function startsSequence(seq) {
    return registry.some(function (e) {
      return active(e) && e.target() && e.keys.some(function (k) { return k.indexOf(seq + " ") === 0; });
    });
  }

  var pending = "", pendingTimer = 0;
  function onKey(ev) {
    if (ignored(ev)) return;
    // While the overlay is open only its own keys count (the dialog
    // closes itself on Esc).
    if (dialog && dialog.open && ev.key !== "?") return;
    var seq = pending ? pending + " " + ev.key : ev.key;
    clearTimeout(pendingTimer);
    pending = "";
    var hit = find(seq) || (seq !== ev.key ? find(ev.key) : null);
    if (!hit && startsSequence(seq)) {
      pending = seq;
      pendingTimer = setTimeout(function () { pending = ""; }, SEQUENCE_MS);
      ev.preventDefault();
      return;
    }
    if (!hit) return;
    // A key that saves (a, r, s, n) first sets a half-typed quality, as
    // Enter would: "72a" is quality 72 and approve; one over the range
    // stops it. Any other key drops the typed digits.
    if (hit.entry.action !== typeQuality && ev.key !== "Escape" && typed !== "") {
      if (hit.entry.saves && !commitTyped()) { ev.preventDefault(); return; }
      typed = "";
      show("");
    }
    if (hit.entry.action(hit.target, ev.key) !== false) ev.preventDefault();
  }

  function init() {
    document.addEventListener("keydown", onKey);
    var t = queueTable();
    if (t) {
      // A row opened with the mouse is the row to come back to.
      t.addEventListener("click", function (ev) {
        var row = ev.target.closest && ev.target.closest("tbody tr");
        if (row && ev.target.closest("a[href]")) remember(row);
      });
    }
    restore();
    document.querySelectorAll("[data-keys-help]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", toggleHelp);
    });
  }
  // A page restored from the back/forward cache keeps its DOM: nothing to do.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  // For the browser tests: the registry as the overlay reads it.
  window.newsdeskKeys = {
    list: function () {
      return registry.map(function (e) {
        return { keys: e.keys, label: e.label || "", scope: e.scope, description: e.description, available: active(e) && !!e.target() };
      });
    }
  };
})();
