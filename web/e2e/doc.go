// Package e2e holds the browser tests of newsdesk: the whole review flow
// driven in a real Chromium through the DevTools protocol (chromedp), against
// the real server on a free port with a fresh database, with axe-core
// accessibility checks, keyboard-only use and a run with JavaScript off.
//
// The package has no code besides its tests. They skip when Chromium is not
// installed (apt-get install -y chromium), unless NEWSDESK_E2E=1, which .ci/run
// sets: then a missing browser is a failure. Every step writes a screenshot
// into NEWSDESK_E2E_SCREENSHOTS (default: a temporary folder, kept and
// printed when a test fails).
package e2e
