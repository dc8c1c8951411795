package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Keyboard helpers: press a key, and ask where focus is. A key goes down
// as a keyboard's does, rawKeyDown then char: chromedp's keyDown makes
// Chromium act on Enter twice, on the link and then on the button of the
// dialog the link opened.
var (
	tab      = chromedp.KeyEvent(kb.Tab, rawKeyDown)
	shiftTab = chromedp.KeyEvent(kb.Tab, rawKeyDown, chromedp.KeyModifiers(chromedp.ModifierShift))
	enter    = chromedp.KeyEvent(kb.Enter, rawKeyDown)
	escape   = chromedp.KeyEvent(kb.Escape, rawKeyDown)
)

func rawKeyDown(p *input.DispatchKeyEventParams) {
	if p.Type == input.DispatchKeyEventTypeKeyDown {
		p.Type = input.DispatchKeyEventTypeRawKeyDown
	}
}

// focused reports whether the focused element matches css.
func focused(t *testing.T, ctx context.Context, css string) bool {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, css)))
}

// focusedIn reports whether the focused element is inside css.
func focusedIn(t *testing.T, ctx context.Context, css string) bool {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.activeElement.closest(%q)`, css)))
}

// focusedOn names the focused element, for failure messages.
func focusedOn(t *testing.T, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 120)`))
}

// focusGoesTo waits for focus to reach css, for what gives it back in a
// later task (a dialog's close event comes after the dialog has closed),
// and fails saying where focus is if it never does.
func focusGoesTo(t *testing.T, ctx context.Context, css, what string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, chromedp.WaitReady(sel(css+":focus"))); err != nil {
		t.Errorf("%s: focus is on %s, not %s", what, focusedOn(t, ctx), css)
	}
}

func clientRow(id int) string { return fmt.Sprintf(`tr[data-client="%d"]`, id) }

// With the keyboard alone: the client panel opens from a client's name
// and from its Actions menu, Tab and Shift+Tab stay inside it, and Escape
// or its close button give focus back to what opened it.
func TestBrowserKeyboardPanelKeepsAndReturnsFocus(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "open the sign-in page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(sel(`input[name=email]`)))
	checkAxe(t, ctx, "sign-in")
	do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)))...)

	name := clientRow(st.Initech) + ` a.client-name`
	do(t, ctx, "open Initech's panel from its name", chromedp.Focus(sel(name)), enter, chromedp.WaitVisible(sel(`#panel .panel-body`)))
	if !focused(t, ctx, `#panel-h`) {
		t.Errorf("the opened panel does not have focus: %s", focusedOn(t, ctx))
	}
	// Shift+Tab from the heading goes round to the panel's last control,
	// Tab from there to its first; a tour of the panel never leaves it.
	do(t, ctx, "Shift+Tab from the heading", shiftTab)
	if !focusedIn(t, ctx, `#panel`) {
		t.Fatalf("Shift+Tab from the panel's heading left the panel: %s", focusedOn(t, ctx))
	}
	do(t, ctx, "Tab from the last control", tab)
	if !focused(t, ctx, `#panel a.close`) {
		t.Errorf("Tab from the panel's last control is on %s, not the close button", focusedOn(t, ctx))
	}
	n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#panel a[href], #panel button, #panel select").length`))
	for i := 0; i < n+2; i++ {
		do(t, ctx, "Tab through the panel", tab)
		if !focusedIn(t, ctx, `#panel`) {
			t.Fatalf("Tab %d left the panel: %s", i+1, focusedOn(t, ctx))
		}
	}
	for i := 0; i < n+2; i++ {
		do(t, ctx, "Shift+Tab through the panel", shiftTab)
		if !focusedIn(t, ctx, `#panel`) {
			t.Fatalf("Shift+Tab %d left the panel: %s", i+1, focusedOn(t, ctx))
		}
	}
	do(t, ctx, "Escape", escape, chromedp.WaitNotPresent(sel(`#panel`)))
	if !focused(t, ctx, name) {
		t.Errorf("after Escape focus is on %s, not the client's name", focusedOn(t, ctx))
	}

	// From the Actions menu (a plain list of links: Tab reaches them),
	// closed by its close button: focus goes back to the row's Actions.
	actions := clientRow(st.Initech) + ` details.actions summary`
	do(t, ctx, "open the Actions menu", chromedp.Focus(sel(actions)), enter, chromedp.WaitVisible(sel(clientRow(st.Initech)+` details.actions ul`)), tab)
	if !focused(t, ctx, clientRow(st.Initech)+` details.actions li a[data-panel]`) {
		t.Fatalf("Tab in the open menu is on %s, not Client details", focusedOn(t, ctx))
	}
	do(t, ctx, "open Client details", enter, chromedp.WaitVisible(sel(`#panel .panel-body`)))
	do(t, ctx, "close it with its button", chromedp.Focus(sel(`#panel a.close`)), enter, chromedp.WaitNotPresent(sel(`#panel`)))
	if !focused(t, ctx, actions) {
		t.Errorf("after the close button focus is on %s, not the row's Actions", focusedOn(t, ctx))
	}

	// A panel that comes with the page has focus; closing it gives focus to
	// the client's name in the list.
	do(t, ctx, "load a panel URL", chromedp.Navigate(base+fmt.Sprintf("/partners/1/clients/%d", st.Northwind)), chromedp.WaitVisible(sel(`#panel .panel-body`)))
	if !focused(t, ctx, `#panel-h`) {
		t.Errorf("the panel that came with the page does not have focus: %s", focusedOn(t, ctx))
	}
	do(t, ctx, "Escape", escape, chromedp.WaitNotPresent(sel(`#panel`)))
	if !focused(t, ctx, clientRow(st.Northwind)+` a.client-name`) {
		t.Errorf("after Escape focus is on %s, not Northwind's name", focusedOn(t, ctx))
	}
}

// With the keyboard alone: the Actions menus are plain lists of links
// that close once focus leaves them, and the End services dialog gives
// focus back to the row's Actions button, as the renewal's does to its
// button.
func TestBrowserKeyboardActionsMenusAndDialogs(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)))...)
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("[role=menu], [role=menuitem]").length`)); n != 0 {
		t.Errorf("%d elements have menu roles: the Actions menus are disclosures, without the menu keys", n)
	}
	open := func(id int) bool {
		return run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('%s details.actions').open`, clientRow(id))))
	}
	actions := func(id int) string { return clientRow(id) + ` details.actions summary` }

	// Tab through Globex's menu and out of it: the menu closes.
	do(t, ctx, "open Globex's menu", chromedp.Focus(sel(actions(st.Globex))), enter)
	if !open(st.Globex) {
		t.Fatal("Enter on Actions did not open the menu")
	}
	links := run(t, ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('%s details.actions li a').length`, clientRow(st.Globex))))
	for i := 0; i < links; i++ {
		do(t, ctx, "Tab in the menu", tab)
	}
	if !focusedIn(t, ctx, clientRow(st.Globex)+` details.actions ul`) || !open(st.Globex) {
		t.Fatalf("Tab in the menu: on %s, menu open %v", focusedOn(t, ctx), open(st.Globex))
	}
	do(t, ctx, "Tab out of the menu", tab)
	if open(st.Globex) {
		t.Errorf("the menu stays open with focus on %s", focusedOn(t, ctx))
	}
	// Opening another menu closes the first.
	do(t, ctx, "open Globex's menu again", chromedp.Focus(sel(actions(st.Globex))), enter)
	do(t, ctx, "open Initech's", chromedp.Focus(sel(actions(st.Initech))), enter)
	if open(st.Globex) || !open(st.Initech) {
		t.Errorf("menus open: Globex %v, Initech %v", open(st.Globex), open(st.Initech))
	}
	do(t, ctx, "Escape closes it", escape)
	if open(st.Initech) || !focused(t, ctx, actions(st.Initech)) {
		t.Errorf("after Escape: menu open %v, focus on %s", open(st.Initech), focusedOn(t, ctx))
	}

	// End services: Escape, then Cancel; focus goes back to Actions.
	endServices := func() {
		do(t, ctx, "open Umbrella's menu", chromedp.Focus(sel(actions(st.Umbrella))), enter)
		for i := 0; i < 6 && !focused(t, ctx, `a[data-end-services]`); i++ {
			do(t, ctx, "Tab to End services", tab)
		}
		do(t, ctx, "End services", enter, chromedp.WaitVisible(sel(`#confirm-end`)))
		if !focused(t, ctx, `#confirm-end button.cancel`) {
			t.Errorf("the dialog opens with focus on %s", focusedOn(t, ctx))
		}
	}
	endServices()
	do(t, ctx, "Escape", escape, chromedp.WaitNotVisible(sel(`#confirm-end`)))
	focusGoesTo(t, ctx, actions(st.Umbrella), "after Escape in the dialog")
	endServices()
	do(t, ctx, "Cancel", enter, chromedp.WaitNotVisible(sel(`#confirm-end`)))
	focusGoesTo(t, ctx, actions(st.Umbrella), "after Cancel")

	// The renewal decision's dialog gives focus back to its button.
	do(t, ctx, "ask to record a decision", chromedp.Navigate(base+"/partners/1/renewals/1"), chromedp.WaitVisible(sel(`form.decision`)),
		chromedp.Focus(sel(`form.decision button[type=submit]`)), enter, chromedp.WaitVisible(sel(`#confirm-decision`)))
	do(t, ctx, "Escape", escape, chromedp.WaitNotVisible(sel(`#confirm-decision`)))
	focusGoesTo(t, ctx, `form.decision button[type=submit]`, "after the decision's dialog")
}
