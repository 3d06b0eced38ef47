// newsdesk: small progressive enhancements; every page works without it.
// Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // Forms with data-confirm ask before they submit (disabling a user).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    var msg = form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  }, true);

  // After a failed submission, put the focus where the problem is: on an
  // error summary (it lists every error, each linked to its field), else
  // in the first field in error, else on the form's error message.
  function focusFirstError() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    var field = document.querySelector("[aria-invalid='true']");
    if (field) { field.focus(); return; }
    var alert = document.querySelector("main [role='alert']");
    if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
