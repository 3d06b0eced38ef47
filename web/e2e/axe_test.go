package e2e

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored for these tests only (see
// testdata/README.md); the application never serves it.
//
//go:embed testdata/axe-core-4.14.1.min.js
var axeSource string

// axeViolation is the part of an axe-core violation a report needs.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

// axeRun runs every axe-core rule on the whole document and returns the
// violations, reduced to what the report shows.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.map(String).join(" > "), summary: n.failureSummary || ""})),
})))`

// checkAccessibility runs axe-core on the page as it is now and fails the
// test on any serious or critical violation, naming the rule, its help
// and the elements. Lesser ones are logged.
//
// axe is given to the page through the DevTools protocol (Runtime.evaluate),
// which the page's Content-Security-Policy does not apply to, so the page
// runs with its real policy. In a tab without JavaScript, script execution
// is turned on for the time of the check only: the page's own scripts,
// which did not run when it loaded, do not run then either.
func (tb *tab) checkAccessibility(step string) {
	tb.t.Helper()
	if tb.noJS {
		tb.setScripts(true)
		defer tb.setScripts(false)
	}
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		run(tb, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	violations := run(tb, "axe-core on "+step, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	var serious []string
	for _, v := range violations {
		msg := formatViolation(v)
		switch v.Impact {
		case "serious", "critical":
			serious = append(serious, msg)
		default:
			tb.t.Logf("%s: %s: axe (not failing): %s", tb.name, step, msg)
		}
	}
	if len(serious) > 0 {
		tb.t.Errorf("%s: %s (%s): %d serious or critical accessibility violations:\n%s",
			tb.name, step, tb.path(), len(serious), strings.Join(serious, "\n"))
	}
}

func formatViolation(v axeViolation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    at %s", n.Target)
		if n.Summary != "" {
			fmt.Fprintf(&b, ": %s", strings.ReplaceAll(n.Summary, "\n", " "))
		}
	}
	return b.String()
}
