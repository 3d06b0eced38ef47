package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/newsdesk/newsdesk/review/account"
)

// Environment variables the browser tests read.
const (
	// envRequired set to 1 makes a missing Chromium a failure, not a skip.
	// .ci/run sets it after installing chromium.
	envRequired = "NEWSDESK_E2E"
	// envScreenshots is the folder the steps' screenshots go to.
	envScreenshots = "NEWSDESK_E2E_SCREENSHOTS"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// installHint is how to get the browser these tests drive.
const installHint = "install it with `apt-get install -y chromium` (Debian, Ubuntu)"

// suite is the state the whole test binary shares: one Chromium process,
// started by the first test that needs it and stopped by TestMain, and the
// folder of the screenshots. Each test opens its own browser contexts in it.
type suite struct {
	once     sync.Once
	browser  context.Context // the chromedp context that owns the browser
	stop     func()
	err      error  // the browser did not start
	missing  string // why there is no browser to start, when there is none
	shotsDir string
}

var shared suite

func TestMain(m *testing.M) {
	account.UseTestCost() // the tests log in hundreds of times
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, temporary, err := screenshotDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	shared.shotsDir = dir
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	entries, _ := os.ReadDir(dir)
	switch {
	case code != 0 && len(entries) > 0:
		fmt.Fprintf(os.Stderr, "e2e: screenshots of the steps are in %s\n", dir)
	case temporary:
		os.RemoveAll(dir)
	}
	return code
}

// screenshotDir is $NEWSDESK_E2E_SCREENSHOTS, created if needed, or a new
// temporary folder (removed again when every test passed).
func screenshotDir() (dir string, temporary bool, err error) {
	if dir = os.Getenv(envScreenshots); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", false, fmt.Errorf("%s: %w", envScreenshots, err)
		}
		return dir, false, nil
	}
	dir, err = os.MkdirTemp("", "newsdesk-e2e-screenshots-")
	return dir, true, err
}

// browserContext is the chromedp context of the shared browser, started on
// first use. Without Chromium the test is skipped with a hint, or fails when
// NEWSDESK_E2E=1.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	shared.once.Do(startBrowser)
	if shared.missing != "" {
		if os.Getenv(envRequired) == "1" {
			t.Fatalf("%s, and %s=1 requires the browser tests to run: %s", shared.missing, envRequired, installHint)
		}
		t.Skipf("browser tests skipped: %s; %s (with %s=1 this is a failure)", shared.missing, installHint, envRequired)
	}
	if shared.err != nil {
		t.Fatalf("starting Chromium: %v", shared.err)
	}
	return shared.browser
}

func findChromium() (string, error) {
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath, nil
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		return "", errors.New("Chromium is not installed (no " + chromiumPath + ", no chromium on PATH)")
	}
	return p, nil
}

func startBrowser() {
	path, err := findChromium()
	if err != nil {
		shared.missing = err.Error()
		return
	}
	profile, err := os.MkdirTemp("", "newsdesk-e2e-profile-")
	if err != nil {
		shared.err = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Only the app answers: article images and links point to the
		// internet, which a test must neither wait for nor depend on.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	shared.stop = func() {
		done := make(chan struct{})
		go func() {
			cancelBrowser()
			cancelAlloc()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			fmt.Fprintln(os.Stderr, "e2e: Chromium did not stop within 10 s")
		}
		os.RemoveAll(profile)
	}
	// Start the browser with a context without deadline (it lives as long
	// as ctx), but give up when it does not answer in time.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(60 * time.Second):
		err = errors.New("no answer within 60 s")
	}
	if err != nil {
		shared.err = fmt.Errorf("%s: %w", path, err)
		return
	}
	shared.browser = ctx
}
