package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// chromium finds the browser: PARTNERDESK_CHROMIUM, else Debian's.
func chromium(t *testing.T) string {
	if p := os.Getenv("PARTNERDESK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("browser tests need Chromium in CI: .ci/run installs it with apt-get install -y chromium")
	}
	t.Skip("browser tests skipped: no Chromium found. Install it (apt-get install -y chromium) or set PARTNERDESK_CHROMIUM to its path.")
	return ""
}

// browser starts a headless Chromium against a fixture server.
func browser(t *testing.T) (context.Context, string) {
	exe := chromium(t)
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	return startBrowser(t, exe, db)
}

// stepTimeout bounds each step of a browser test, so that waiting for an
// element that never comes fails at once, naming the step, instead of
// when the whole test runs out of time.
const stepTimeout = 15 * time.Second

// startBrowser serves db on a test server and starts a headless Chromium
// (the executable exe) for it. The browser runs until the test ends; each
// step gets its own stepTimeout (see do and run).
func startBrowser(t *testing.T, exe string, db *store.DB) (context.Context, string) {
	t.Helper()
	srv, err := web.New(db, web.Config{PasswordParams: st.PasswordParams}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return chrome(t, exe), ts.URL
}

// chrome starts a headless Chromium (exe, as chromium found it).
func chrome(t *testing.T, exe string) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		// A laptop's window: headless Chromium's own 800×600 is narrower
		// than the layout's laptop width, where the side navigation
		// folds behind the menu button (the phone tests set their size).
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first run starts the browser and binds its life to its context:
	// that one has no timeout, the steps' contexts derive from it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// Sel is a CSS selector.
func sel(css string) chromedp.CSS { return chromedp.CSS(css) }

func signInAs(base, email string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/login"),
		chromedp.WaitVisible(sel(`input[name=email]`)),
		chromedp.SendKeys(sel(`input[name=email]`), email),
		chromedp.SendKeys(sel(`input[name=password]`), st.Password),
		chromedp.Submit(sel(`input[name=password]`)),
	}
}

// do runs steps in order and fails the test at the first error, or when
// they take longer than stepTimeout (typically waiting for an element that
// never appears).
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, stepError(err))
	}
}

// run runs an action that returns a value, within stepTimeout.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatal(stepError(err))
	}
	return v
}

// stepError says what a step's deadline means.
func stepError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("not done within %s: an element it waits for or acts on never appeared (%w)", stepTimeout, err)
	}
	return err
}

func TestBrowserEmployeeUsesPanelAndEndsServices(t *testing.T) {
	ctx, base := browser(t)
	row := func(id int) string { return fmt.Sprintf(`tr[data-client="%d"]`, id) }
	rows := func() int {
		return run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.clients tbody tr").length`))
	}
	listed := func(id int) bool {
		return run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector('tr[data-client="%d"]')`, id)))
	}

	do(t, ctx, "sign in", append(signInAs(base, st.AlphaEmployee), chromedp.WaitVisible(sel(`table.clients`)))...)
	if n := rows(); n != 4 {
		t.Fatalf("%d client rows, want 4", n)
	}
	checkAxe(t, ctx, "Clients")

	// Open Initech's panel from its Actions menu; the URL follows.
	do(t, ctx, "open the panel",
		chromedp.Click(sel(row(st.Initech)+` details.actions summary`)),
		chromedp.Click(sel(row(st.Initech)+` li a[data-panel]`)),
		chromedp.WaitVisible(sel(`#panel .panel-body[data-tab=details]`)),
	)
	if url, title := run(t, ctx, chromedp.Location()), run(t, ctx, chromedp.Text(sel(`#panel-h`))); !strings.HasSuffix(url, "/partners/1/clients/103") || title != "Initech" {
		t.Fatalf("panel: url %s, title %q", url, title)
	}
	// Switch the four tabs by clicking.
	for _, c := range []struct{ tab, want string }{
		{"renewals", "Communication owner"}, {"usage", "Tools and apps in use"},
		{"engagement", "tools its subscriptions include"}, {"details", "Email send limit"},
	} {
		do(t, ctx, "tab "+c.tab, chromedp.Click(sel(`#tab-`+c.tab)), chromedp.WaitVisible(sel(`#panel .panel-body[data-tab=`+c.tab+`]`)))
		if text := run(t, ctx, chromedp.Text(sel(`#panel .panel-body`))); !strings.Contains(text, c.want) {
			t.Errorf("tab %s lacks %q", c.tab, c.want)
		}
		checkAxe(t, ctx, "the panel's "+c.tab+" tab")
	}
	// And with the keyboard.
	do(t, ctx, "arrow key between tabs",
		chromedp.Focus(sel(`#tab-details`)),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.WaitVisible(sel(`#panel .panel-body[data-tab=renewals]`)),
	)
	if id := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.id`)); id != "tab-renewals" {
		t.Errorf("focus after ArrowRight is on %q", id)
	}
	// Escape closes the panel and returns to the list's URL.
	do(t, ctx, "close the panel", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(sel(`#panel`)))
	if url := run(t, ctx, chromedp.Location()); !strings.HasSuffix(url, "/partners/1/clients") {
		t.Errorf("after closing, url %s", url)
	}
	// The panel's URL can be shared and reloaded.
	do(t, ctx, "reload a panel URL", chromedp.Navigate(base+"/partners/1/clients/101?tab=usage"),
		chromedp.WaitVisible(sel(`#panel .panel-body[data-tab=usage]`)))
	if title := run(t, ctx, chromedp.Text(sel(`#panel-h`))); title != "Northwind Traders" {
		t.Fatalf("reloaded panel shows %q", title)
	}

	// End services for Umbrella: a dialog asks first; Cancel changes nothing.
	do(t, ctx, "ask to end services",
		chromedp.Navigate(base+"/partners/1/clients"),
		chromedp.WaitVisible(sel(row(st.Umbrella))),
		chromedp.Click(sel(row(st.Umbrella)+` details.actions summary`)),
		chromedp.Click(sel(row(st.Umbrella)+` a[data-end-services]`)),
		chromedp.WaitVisible(sel(`#confirm-end`)),
	)
	if who := run(t, ctx, chromedp.Text(sel(`#confirm-end .who`))); who != "Umbrella Co" {
		t.Fatalf("dialog names %q", who)
	}
	do(t, ctx, "cancel", chromedp.Click(sel(`#confirm-end button.cancel`)), chromedp.WaitNotVisible(sel(`#confirm-end`)))
	if !listed(st.Umbrella) {
		t.Fatal("Cancel ended services")
	}
	do(t, ctx, "confirm",
		chromedp.Click(sel(row(st.Umbrella)+` details.actions summary`)),
		chromedp.Click(sel(row(st.Umbrella)+` a[data-end-services]`)),
		chromedp.WaitVisible(sel(`#confirm-end`)),
		chromedp.Click(sel(`#confirm-end button[type=submit]`)),
		// The notice comes first on the new page; its dialog, last, says
		// that the rows are in too.
		chromedp.WaitVisible(sel(`p.notice`)),
		chromedp.WaitReady(sel(`#confirm-end`)),
	)
	if n := rows(); n != 3 || listed(st.Umbrella) {
		t.Fatalf("after End services: %d rows, Umbrella listed: %v", n, listed(st.Umbrella))
	}

	// The partner admin finds the entry in the audit log.
	do(t, ctx, "sign out", chromedp.Click(sel(`header .user button.link`)), chromedp.WaitVisible(sel(`input[name=email]`)))
	do(t, ctx, "sign in as admin", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)),
		chromedp.Navigate(base+"/partners/1/audit"), chromedp.WaitVisible(sel(`table[data-testid=audit]`)))...)
	checkAxe(t, ctx, "audit log")
	text := run(t, ctx, chromedp.Text(sel(`table[data-testid=audit] tbody`)))
	for _, want := range []string{"Ended services", "Emil Employee", "Umbrella Co"} {
		if !strings.Contains(text, want) {
			t.Errorf("audit log lacks %q: %q", want, text)
		}
	}
}

// The program settings' radio buttons sit on their labels' line, beside
// the words, not stretched above them like the text inputs.
func TestBrowserProgramSettingsRadiosSitBesideTheirLabels(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "open the program settings", append(signInAs(base, st.AdminEmail), chromedp.WaitVisible(sel(`nav`)),
		chromedp.Navigate(base+"/admin/program"), chromedp.WaitVisible(sel(`input[name=default_comm_owner]`)))...)
	got := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("input[name=default_comm_owner]")).map(i => {
		const r = i.getBoundingClientRect(), l = i.closest("label").getBoundingClientRect();
		return (r.width < 30 && l.height < 2.2 * r.height + 16 && r.top >= l.top - 1 && r.bottom <= l.bottom + 1) ? "ok" : i.value + ": " + r.width + "×" + r.height + " in a label " + l.height + " high";
	})`))
	if strings.Join(got, ",") != "ok,ok" {
		t.Errorf("radio buttons: %q", got)
	}
}
