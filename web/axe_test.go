package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release (from the npm registry) that the
// browser tests check their pages with. A new release can flag what the
// pinned one did not: move it on purpose, not by accident.
const axeVersion = "4.14.1"

var axe struct {
	once   sync.Once
	script string
	why    string // why there is no script, when there is none
	err    error
}

// axeScript is axe.min.js of axeVersion: the file PARTNERDESK_AXE names,
// else the copy in the user's cache folder, which npm fills the first time
// (a few seconds). Without npm it is "" and why says how to get it.
func axeScript() (script, why string, err error) {
	axe.once.Do(func() { axe.script, axe.why, axe.err = loadAxe() })
	return axe.script, axe.why, axe.err
}

func loadAxe() (script, why string, err error) {
	if p := os.Getenv("PARTNERDESK_AXE"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", "", fmt.Errorf("PARTNERDESK_AXE: %w", err)
		}
		return string(b), "", nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "partnerdesk", "axe-core@"+axeVersion)
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if b, err := os.ReadFile(file); err == nil {
		return string(b), "", nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "no npm to install axe-core@" + axeVersion + " with: install Node.js and npm, or set PARTNERDESK_AXE to axe-core " + axeVersion + "'s axe.min.js", nil
	}
	// Install beside the final folder and rename it into place, so that
	// test binaries running at once never read a half-installed copy.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "install-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(npm, "install", "--prefix", tmp, "--no-audit", "--no-fund", "--no-save", "--silent", "axe-core@"+axeVersion)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("npm install axe-core@%s: %v\n%s", axeVersion, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another test binary may have put its copy there first.
		if _, statErr := os.Stat(file); statErr != nil {
			return "", "", err
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", "", err
	}
	return string(b), "", nil
}

// TestAxeCoreIsAvailable says, once, when the browser tests' axe-core
// checks cannot run; in CI that fails.
func TestAxeCoreIsAvailable(t *testing.T) {
	script, why, err := axeScript()
	switch {
	case err != nil:
		t.Fatal(err)
	case script == "" && os.Getenv("CI") != "":
		t.Fatal("axe-core checks need npm in CI: " + why)
	case script == "":
		t.Skip("axe-core checks in the browser tests skipped: " + why)
	}
	if !strings.Contains(script[:min(len(script), 200)], axeVersion) {
		t.Errorf("the axe-core script is not version %s: %.120q", axeVersion, script)
	}
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Count  int      `json:"count"` // elements flagged
	Nodes  []string `json:"nodes"`
}

// axeRun is what the page gets evaluated: axe-core's default rules (WCAG
// 2.0–2.2 A and AA and its best practices), violations only, with the
// first few elements each one flags.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help, count: v.nodes.length,
  nodes: v.nodes.slice(0, 4).map(n => n.target.join(" "))})))`

// checkAxe runs axe-core on the page the browser shows (page names it in
// the log) and fails the test on any serious or critical violation. Every
// violation is logged with its impact (go test -v -run TestBrowser shows
// them all).
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	script, why, err := axeScript()
	if err != nil {
		t.Fatal(err)
	}
	if script == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("axe-core checks need npm in CI: " + why)
		}
		return // TestAxeCoreIsAvailable says why
	}
	if !run(t, ctx, chromedp.Evaluate[bool](`typeof axe === "object"`)) {
		run(t, ctx, chromedp.Evaluate[bool](script+"\n;true"))
	}
	found := run(t, ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	byImpact := map[string]int{}
	for _, v := range found {
		byImpact[v.Impact]++
	}
	summary := "no violations"
	if len(found) > 0 {
		b, _ := json.Marshal(byImpact)
		summary = string(b)
	}
	t.Logf("axe %s: %s", page, summary)
	for _, v := range found {
		msg := fmt.Sprintf("axe %s: %s %s (%s), %d elements: %s", page, v.Impact, v.ID, v.Help, v.Count, strings.Join(v.Nodes, "; "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}
