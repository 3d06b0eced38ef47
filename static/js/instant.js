// newsdesk review page: the next article at once. While the editor reads
// an article, this fetches the next article's page (the decision bar's
// data-next-url). On Approve, Reject or Save and next (keys a, r, n or a
// click) it shows that page at once and sends the save in the background;
// the save's answer then fills the flash, with its Undo, or says what was
// not saved and why, with a way back to it. The save names the page shown
// (shown_next): the server claims that article for the editor when no one
// else has it open, else answers with its own next, and the editor is
// taken there with a notice (two editors never silently share an article).
//
// It only ever takes over when it can do exactly what the form would:
// without a fetched next page, with a modifier held, with a field the
// browser finds invalid, or without JavaScript, the form posts as always
// (303 to the next article, flash in the session).
//
// Why not <link rel=prefetch>: pages are no-store, and after a form POST
// Chromium fetches the next page again anyway (commit 9fefa40).
(function () {
  "use strict";

  // MAX_AGE_MS: a fetched page older than this is fetched again rather
  // than shown: another editor may have decided that article meanwhile.
  var MAX_AGE_MS = 60 * 1000;
  // MAX_IDLE_ROUNDS: how many times the next page is fetched again without
  // a key, click or touch in between. Each fetch is a logged-in request:
  // a tab left open must neither load the server nor look busy for ever.
  var MAX_IDLE_ROUNDS = 3;
  // IDLE_MS bounds the wait for an idle moment before fetching.
  var IDLE_MS = 200;
  // KEEPALIVE_MAX is the largest body sent with keepalive (the browser
  // refuses more than 64 KiB in flight), so a save outlives leaving the page.
  var KEEPALIVE_MAX = 60 * 1024;
  // The buttons that save and move on (the form's action values).
  var MOVES_ON = { approve: true, reject: true, next: true };
  var STORE = "newsdesk.instant-next";

  // enabled: on unless the editor turned it off in this browser
  // (localStorage newsdesk.instant-next = off).
  function enabled() {
    var v = null;
    try { v = localStorage.getItem(STORE); } catch (e) { /* storage refused */ }
    return v !== "off";
  }

  var page = null;    // the AbortController of the page shown
  var next = null;    // the fetched next page: {url, doc, at}
  var fetching = 0;   // counts prefetches, so that an old one is dropped
  var inFlight = [];  // the background saves not yet answered (promises)
  var waiting = false; // a plain submit waits for them
  var modified = false; // the last click on a button had a modifier
  var shown = here(); // the URL whose page is on screen
  var idleRounds = 0; // fetches again since the editor's last input

  function here() { return location.pathname + location.search; }

  // ---- Fetching the next page ----
  function whenIdle(fn) {
    if (window.requestIdleCallback) requestIdleCallback(fn, { timeout: IDLE_MS });
    else setTimeout(fn, 50);
  }
  // prefetch fetches url as the next page. Purpose: prefetch tells the
  // server not to hand this page the flashes waiting in the session
  // (handlers.isPrefetch); fetch cannot send Sec-Purpose, a forbidden
  // header name.
  function prefetch(url, signal) {
    var mine = ++fetching;
    fetch(url, { headers: { "Purpose": "prefetch" }, credentials: "same-origin", cache: "no-store", signal: signal })
      .then(function (r) {
        var html = r.ok && !r.redirected && /^text\/html/.test(r.headers.get("Content-Type") || "");
        return html ? r.text() : null;
      })
      .then(function (text) {
        if (!text || mine !== fetching) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        if (!doc.querySelector("main form.review-form")) return;
        next = { url: url, doc: doc, at: Date.now() };
        // Says so on the page (for the browser tests, and to inspect).
        var bar = document.querySelector(".decision-bar[data-next-url]");
        if (bar) bar.setAttribute("data-next-ready", "");
        setTimeout(function () { if (mine === fetching && !signal.aborted) refresh(url, signal); }, MAX_AGE_MS);
      })
      .catch(function () { /* the form posts as always */ });
  }
  // refresh fetches the next page again once it is old, when the tab is
  // seen (a hidden tab waits until it is shown again) and, after
  // MAX_IDLE_ROUNDS, only once the editor is back (a key, a click).
  function refresh(url, signal) {
    if (document.visibilityState !== "visible") {
      document.addEventListener("visibilitychange", function () { refresh(url, signal); }, { once: true, signal: signal });
      return;
    }
    if (idleRounds >= MAX_IDLE_ROUNDS) {
      whenBack(function () { refresh(url, signal); }, signal);
      return;
    }
    idleRounds++;
    prefetch(url, signal);
  }
  var INPUTS = ["keydown", "pointerdown"];
  // whenBack runs fn once, at the editor's next input.
  function whenBack(fn, signal) {
    var done = false;
    var once = function () {
      if (done) return;
      done = true;
      fn();
    };
    INPUTS.forEach(function (type) {
      document.addEventListener(type, once, { capture: true, once: true, signal: signal });
    });
  }
  INPUTS.forEach(function (type) {
    document.addEventListener(type, function () { idleRounds = 0; }, { capture: true });
  });
  function ready() {
    return next && Date.now() - next.at < MAX_AGE_MS ? next : null;
  }

  // ---- The decision ----
  function onClick(ev) {
    var b = ev.target.closest && ev.target.closest("button[type=submit]");
    if (b) modified = ev.shiftKey || ev.ctrlKey || ev.metaKey || ev.altKey;
  }
  function onSubmit(ev) {
    var form = ev.target, button = ev.submitter;
    var mod = modified;
    modified = false;
    if (ev.defaultPrevented || !button || !MOVES_ON[button.value] || mod) return;
    if (waiting) { ev.preventDefault(); return; } // a key pressed twice
    var unsaved = document.querySelector("[data-save-failed]");
    if (unsaved) {
      // An earlier decision is not saved: moving on (even by the plain
      // form, which a server that is down answers with the browser's
      // error page) would lose it. It is dealt with first.
      ev.preventDefault();
      unsaved.scrollIntoView({ block: "nearest" });
      var first = unsaved.querySelector("button");
      if (first) first.focus();
      return;
    }
    var pf = ready();
    if (!enabled() || !pf || !form.checkValidity()) {
      // The plain submit; after any background save still going, so that
      // its answer is seen and the saves reach the server in order.
      if (inFlight.length) {
        ev.preventDefault();
        waiting = true;
        settled().then(function () { waiting = false; next = null; form.requestSubmit(button); });
      }
      return;
    }
    ev.preventDefault();
    // new FormData(form, button) would add the button, but older browsers
    // (before Chrome 112, Firefox 111, Safari 16.4) ignore it and Approve
    // would go as a plain save: set it here.
    var body = new URLSearchParams(new FormData(form));
    if (button.name) body.set(button.name, button.value);
    body.set("shown_next", pf.url); // see nextAfterSave in handlers/articles_save.go
    var save = {
      url: form.getAttribute("action"), // form.action would be the buttons named "action"
      body: body,
      title: textOf(document.getElementById("article-title")),
      page: shown
    };
    var slot = show(pf, save.title, false);
    send(save, slot, pf.url);
  }
  function settled() {
    return Promise.all(inFlight.map(function (p) { return p.catch(function () {}); }));
  }

  // show replaces <main> with the fetched page, as a page load would show
  // it, and returns the flash slot it put at its top for the save's answer
  // (saying "Saving “title”…" until then). With replace, the page shown
  // before leaves the history (it was not the editor's to review).
  function show(pf, title, replace) {
    next = null;
    var main = document.getElementById("main");
    var fresh = pf.doc.getElementById("main");
    if (!main || !fresh) return null;
    if (page) page.abort();
    if (!history.state || !history.state.newsdesk) history.replaceState({ newsdesk: true }, "");
    if (replace) history.replaceState({ newsdesk: true }, "", pf.url);
    else history.pushState({ newsdesk: true }, "", pf.url);
    shown = here();
    idleRounds = 0;
    document.title = pf.doc.title;
    // Scripts parsed by DOMParser never run: the page's own are here already.
    main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes));
    var slot = flashBox("pending", "Saving “" + title + "”…");
    slot.appendChild(undoSpace());
    main.insertBefore(slot, main.firstChild);
    window.scrollTo(0, 0);
    if (window.newsdeskReview) window.newsdeskReview.start();
    start();
    afterPaint(function () { processHTMX(main); });
    return slot;
  }
  // afterPaint runs fn once the page shown has been painted.
  function afterPaint(fn) {
    requestAnimationFrame(function () { setTimeout(fn, 0); });
  }
  // processHTMX lets htmx see the elements of the page shown that use it
  // (the presence line polls): only those, it costs a walk per element.
  function processHTMX(root) {
    if (!window.htmx) return;
    root.querySelectorAll("[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete], [hx-trigger], [hx-boost]")
      .forEach(function (el) { window.htmx.process(el); });
  }

  // ---- The background save ----
  function send(save, slot, nextURL) {
    var body = save.body.toString();
    var p = fetch(save.url, {
      method: "POST",
      body: save.body,
      headers: { "X-Newsdesk-Background": "1", "Accept": "application/json" },
      credentials: "same-origin",
      redirect: "manual",
      keepalive: body.length <= KEEPALIVE_MAX
    }).then(function (r) {
      var json = /^application\/json/.test(r.headers.get("Content-Type") || "");
      if (!json) return failed(save, slot, reasonFor(r));
      return r.json().then(function (ans) {
        if (r.ok) saved(ans, slot, nextURL);
        else failed(save, slot, ans.text, ans.reason);
      });
    }).catch(function () {
      failed(save, slot, null, "network");
    });
    inFlight.push(p);
    p.then(function () { inFlight.splice(inFlight.indexOf(p), 1); });
  }

  // reasonFor words an answer that is not the handler's JSON: the error
  // pages of the middleware (session, CSRF) and of failures.
  function reasonFor(r) {
    switch (true) {
      case r.type === "opaqueredirect": return "the server did not confirm it; open it to check";
      case r.status === 401: return "your session has ended; log in again";
      case r.status === 403: return "the server refused it: your session may have ended (log in again in another tab, then Try again)";
      case r.status === 404: return "the article is no longer there";
      case r.status === 413: return "the form is larger than the server accepts";
      case r.status === 429: return "too many requests; wait a minute";
      case r.status < 500: return "the server refused it (error " + r.status + ")";
      default: return "the server failed (error " + r.status + ")";
    }
  }

  // articleOf is the article id of a review page URL, "" for any other.
  function articleOf(url) {
    var m = /^\/articles\/(\d+)(?:[?#]|$)/.exec(url || "");
    return m ? m[1] : "";
  }

  function saved(ans, slot, nextURL) {
    var stillThere = slot && slot.isConnected; // else the editor moved on; the newer save speaks
    // The server chose another next article than the one shown (someone
    // else has that one open): go there, unless there is none.
    if (stillThere && articleOf(ans.next) && articleOf(ans.next) !== articleOf(nextURL)) {
      moveTo(ans, slot);
      return;
    }
    // The count on the page shown was made before the save took this
    // article out of the queue: the answer has it as it is now.
    if (ans.progress && articleOf(ans.next) === articleOf(nextURL) && shown === nextURL) {
      var p = document.querySelector("[data-testid='progress']");
      if (p) p.textContent = ans.progress;
    }
    if (stillThere) putFlash(slot, ans);
  }

  // moveTo shows the article the save's answer names in place of the one
  // shown, with the answer's flashes (the notice says why), as the
  // redirect of the form would. It loads the page if it cannot.
  function moveTo(ans, slot) {
    var url = ans.next;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        var html = r.ok && !r.redirected && /^text\/html/.test(r.headers.get("Content-Type") || "");
        return html ? r.text() : null;
      })
      .then(function (text) {
        var doc = text && new DOMParser().parseFromString(text, "text/html");
        if (!doc || !doc.querySelector("main form.review-form") || !slot.isConnected) throw new Error("no page");
        var box = show({ url: url, doc: doc }, "", true);
        if (box) putFlash(box, ans);
        else throw new Error("no page");
      })
      .catch(function () {
        if (slot.isConnected) location.replace(url);
      });
  }

  // putFlash replaces the slot with the answer's flashes as the server
  // rendered them (views.FlashBoxes: the markup lives there only), or,
  // should the answer lack them, with its text.
  function putFlash(slot, ans) {
    if (!ans.flash) {
      fill(slot, ans.kind || "ok", ans.text);
      return;
    }
    // A <template>'s content is inert: nothing in it runs or loads.
    var t = document.createElement("template");
    t.innerHTML = ans.flash;
    slot.replaceWith(t.content);
  }

  // failed says what was not saved and why, in the flash slot when the
  // page it belongs to is still shown, else at the top of the page now
  // shown. Its button posts the editor's values again as a plain form:
  // the conflict page, the form with its errors, or the save itself, so
  // nothing the editor did is lost.
  function failed(save, slot, text, reason) {
    if (!text || text.indexOf("Not saved:") !== 0) {
      text = "Not saved: “" + save.title + "”: " + (reason === "network" ? "the server could not be reached" : text) + ".";
    }
    var box = slot && slot.isConnected ? slot : null;
    if (!box) {
      box = flashBox("error", "");
      var main = document.getElementById("main");
      if (main) main.insertBefore(box, main.firstChild);
    }
    fill(box, "error", text);
    box.setAttribute("role", "alert");
    box.setAttribute("data-save-failed", "");
    var again = document.createElement("form");
    again.method = "post";
    again.setAttribute("action", save.url);
    again.className = "undo";
    save.body.forEach(function (v, k) { again.appendChild(hidden(k, v)); });
    var b = document.createElement("button");
    b.type = "submit";
    b.className = "small";
    b.setAttribute("data-testid", "save-failed-open");
    b.textContent = reason === "conflict" || reason === "invalid" ? "Open it" : "Try again";
    again.appendChild(b);
    again.addEventListener("submit", function (ev) {
      ev.preventDefault();
      resend(again, box, save);
    });
    box.appendChild(again);
    if (reason !== "conflict" && reason !== "invalid") box.appendChild(link(save.page, "Open it"));
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "small";
    drop.setAttribute("data-testid", "save-failed-discard");
    drop.textContent = "Discard";
    drop.addEventListener("click", function () { box.remove(); });
    box.appendChild(drop);
  }

  // resend posts a failed save again as a plain form, with the CSRF token
  // of a freshly fetched page: the one the save carried is stale when the
  // session ended and the editor logged in again (in another tab). When
  // the fetch lands on the login page, the editor is told to log in first
  // and the values stay on screen.
  function resend(form, box, save) {
    fetch(save.page, { credentials: "same-origin", headers: { "Purpose": "prefetch" } })
      .then(function (r) { return r.text().then(function (t) { return { r: r, text: t }; }); })
      .then(function (got) {
        var doc = new DOMParser().parseFromString(got.text, "text/html");
        var token = doc.querySelector("form.review-form input[name=_csrf]");
        if (!got.r.ok || !token) {
          box.querySelector("[data-testid=flash]").textContent = "Not saved: “" + save.title +
            "”: your session has ended. Log in again in another tab, then press Try again here.";
          return;
        }
        form.querySelector("input[name=_csrf]").value = token.value;
        box.removeAttribute("data-save-failed"); // leaving now is the editor's choice
        form.submit();
      })
      .catch(function () { form.submit(); });
  }

  // ---- Flash markup for what only this script says ("Saving…", "Not
  // saved"); the save's own flash comes rendered (putFlash) ----
  function flashBox(kind, text) {
    var box = document.createElement("div");
    box.setAttribute("role", "status");
    box.setAttribute("data-testid", "flash-box");
    fill(box, kind, text);
    return box;
  }
  function fill(box, kind, text) {
    box.className = "notice " + kind;
    var span = document.createElement("span");
    span.className = "flash-text " + kind;
    span.setAttribute("data-testid", "flash");
    span.textContent = text;
    box.replaceChildren(span);
  }
  // undoSpace holds the room of the Undo button the answer brings, unseen,
  // so that the flash does not grow when it comes.
  function undoSpace() {
    var s = document.createElement("span");
    s.className = "undo-space";
    s.setAttribute("aria-hidden", "true");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.tabIndex = -1;
    b.appendChild(document.createTextNode("Undo "));
    b.appendChild(document.createElement("kbd")).textContent = "u";
    s.appendChild(b);
    return s;
  }
  function hidden(name, value) {
    var i = document.createElement("input");
    i.type = "hidden";
    i.name = name;
    i.value = value;
    return i;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function textOf(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : "this article"; }

  // ---- The page ----
  function start() {
    page = new AbortController();
    var signal = page.signal;
    var form = document.querySelector("main form.review-form");
    if (!form) return;
    form.addEventListener("click", onClick, { capture: true, signal: signal });
    form.addEventListener("submit", onSubmit, { signal: signal });
    var bar = form.querySelector(".decision-bar[data-next-url]");
    if (!bar || !enabled()) return;
    var url = bar.getAttribute("data-next-url");
    var go = function () { whenIdle(function () { if (!signal.aborted) prefetch(url, signal); }); };
    if (document.readyState === "complete") go();
    else window.addEventListener("load", go, { once: true, signal: signal });
  }

  // Back and forward between pages shown here load the page at that
  // address: the one in memory is gone, and the server's is current.
  window.addEventListener("popstate", function () {
    if (here() !== shown) location.reload();
  });
  // A save still on its way is lost when the page is left before it is
  // answered (keepalive aside, its answer is), and one that failed when
  // its notice goes: ask first.
  window.addEventListener("beforeunload", function (ev) {
    if (!inFlight.length && !document.querySelector("[data-save-failed]")) return;
    ev.preventDefault();
    ev.returnValue = "";
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
