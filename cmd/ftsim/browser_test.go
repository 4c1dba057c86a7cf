package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/plots"
	"github.com/ftsim/ftsim/sim"
)

// browserEnv asks for the browser test; .ci/run sets it after installing
// Chromium, so go test ./... passes on a machine without one.
const browserEnv = "FTSIM_BROWSER_TEST"

// shotsDir, when set, receives a full-page screenshot of every report at
// every width, for a person to read (go test -run Browser -shots DIR).
var shotsDir = flag.String("shots", "", "write full-page screenshots of the reports into this folder")

// browserWidths are the window widths every report is checked at: a
// laptop and a phone.
var browserWidths = []int{1400, 420}

// TestReportsInBrowser renders the report of every bundled scenario
// (capped to goldenSeconds, as the golden test runs them), loads each in
// headless Chromium at every width of browserWidths and fails on a console
// error or uncaught exception, on any network request (the report is one
// self-contained file), on a broken image and on a page wider than the
// window. With -update it saves a screenshot of the top of each page (at
// half scale, to keep them small) under testdata/browser for review.
func TestReportsInBrowser(t *testing.T) {
	if os.Getenv(browserEnv) == "" {
		t.Skipf("set %s=1 to load the reports in headless Chromium (.ci/run does)", browserEnv)
	}
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	dir := t.TempDir()
	var reports []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		sc, err := model.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		d := min(float64(sc.Duration), goldenSeconds)
		if float64(sc.Warmup) >= d {
			d = float64(sc.Warmup) + goldenSeconds
		}
		r, err := sim.Run(context.Background(), sc, sim.Options{Duration: d, Replications: 1, Parallel: 2})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".html")
		fh, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := plots.Report(fh, r, r.Series, plots.ReportInput{ScenarioFile: "scenarios/" + name + ".yaml"}); err != nil {
			t.Fatal(err)
		}
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		reports = append(reports, path)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if _, err := chromedp.Run(bctx, chromedp.Title()); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// The check itself must catch what it looks for: a page with each fault.
	bad := filepath.Join(dir, "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><html><body>
<div style="width: 2000px">wide</div><img src="missing.png" alt="">
<script>console.error("broken"); undefinedFunction();</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(checkInBrowser(t, bctx, bad, 420, ""), "\n")
	for _, want := range []string{"console error", "exception", "network request", "scrolls sideways", "broken images"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check misses a page's %s; it reported:\n%s", want, got)
		}
	}
	for _, path := range reports {
		for _, width := range browserWidths {
			name := fmt.Sprintf("%s-%d", strings.TrimSuffix(filepath.Base(path), ".html"), width)
			t.Run(name, func(t *testing.T) {
				for _, p := range checkInBrowser(t, bctx, path, width, name) {
					t.Error(p)
				}
			})
		}
	}
}

// checkInBrowser loads one report in a new tab of the browser at width
// pixels and returns its problems; name "" takes no screenshot.
func checkInBrowser(t *testing.T, bctx context.Context, path string, width int, name string) []string {
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	url := "file://" + abs
	var mu sync.Mutex
	var problems []string
	report := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				problems = append(problems, fmt.Sprintf("console %s with %d arguments", e.Type, len(e.Args)))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("browser log %s: %s", e.Entry.Level, e.Entry.Text))
			}
		case *network.EventRequestWillBeSent:
			if e.Request.URL != url {
				problems = append(problems, "network request: "+e.Request.URL)
			}
		case *network.EventLoadingFailed:
			problems = append(problems, "loading failed: "+e.ErrorText)
		}
	}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(report))
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil { // the tab, before any timeout
		t.Fatal(err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{})
			return err
		}),
		chromedp.EmulateViewport(int64(width), 900),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body")),
	); err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	measure := func(expr string) int64 {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int64](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	scrollW := measure(`document.documentElement.scrollWidth`)
	innerW := measure(`window.innerWidth`)
	broken := measure(`Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length +
		Array.from(document.querySelectorAll('figure svg')).filter(s => s.getBoundingClientRect().width === 0 || s.getBoundingClientRect().height === 0).length`)
	if *shotsDir != "" && name != "" { // the whole page, a window at a time
		height := measure(`document.documentElement.scrollHeight`)
		for i, y := 0, int64(0); y < height; i, y = i+1, y+900 {
			measure(fmt.Sprintf("window.scrollTo(0, %d), 0", y))
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*shotsDir, fmt.Sprintf("%s-%02d.png", name, i)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		measure("window.scrollTo(0, 0), 0")
	}
	var shot []byte
	if *update && name != "" {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900, chromedp.EmulateScale(0.5))); err != nil {
			t.Fatal(err)
		}
		shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if scrollW > innerW {
		problems = append(problems, fmt.Sprintf("the page is %d px wide in a %d px window: it scrolls sideways", scrollW, innerW))
	}
	if broken > 0 {
		problems = append(problems, fmt.Sprintf("%d broken images or empty charts", broken))
	}
	if *update && name != "" {
		out := filepath.Join("testdata", "browser", name+".png")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return problems
}
