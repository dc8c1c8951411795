package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// A program admin edits the program's settings; a mistake comes back on
// the form with what was entered; a new default communication owner shows
// in partners' Alerts; nobody else may open the page.
func TestProgramSettingsPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		body := admin.get("/admin/program")
		if admin.status != http.StatusOK || !strings.Contains(body, `<a href="/admin/program" aria-current="page">Program settings</a>`) ||
			!strings.Contains(body, `value="vendor" checked`) || !strings.Contains(body, "Credit expires 12 months") {
			t.Fatalf("settings page: %d\n%s", admin.status, body)
		}
		form := url.Values{"name": {"Nimbus Partners"}, "currency": {"EUR"}, "time_zone": {"Europe/Paris"},
			"refresh_start": {"05:00"}, "refresh_end": {"07:30"}, "renewal_horizon_days": {"ninety"},
			"decision_deadline_days": {"30"}, "default_comm_owner": {"partner"}}
		body = admin.post("/admin/program", form)
		if admin.status != http.StatusBadRequest || !strings.Contains(body, "The renewal horizon is a whole number of days.") ||
			!strings.Contains(body, `value="ninety"`) || !strings.Contains(body, `value="Nimbus Partners"`) || !strings.Contains(body, `value="partner" checked`) {
			t.Errorf("a horizon in words: %d\n%s", admin.status, body)
		}
		form.Set("renewal_horizon_days", "90")
		form.Set("time_zone", "Europe/Lutetia")
		body = admin.post("/admin/program", form)
		if admin.status != http.StatusBadRequest || !strings.Contains(body, "Unknown time zone &#34;Europe/Lutetia&#34;") {
			t.Errorf("an unknown time zone: %d\n%s", admin.status, body)
		}
		// Every mistake at once, each beside its field, what was entered
		// kept.
		many := url.Values{}
		for k, v := range form {
			many[k] = v
		}
		many.Set("currency", "EU")
		many.Set("renewal_horizon_days", "ninety")
		many.Set("confirmation_expiry_days", "999")
		many.Set("refresh_end", "04:00")
		body = admin.post("/admin/program", many)
		if admin.status != http.StatusBadRequest || !strings.Contains(body, "5 fields need a change; nothing was saved.") {
			t.Errorf("five mistakes: %d\n%s", admin.status, mainText(body))
		}
		for _, c := range []struct{ field, input, problem string }{
			{"currency", `name="currency" value="EU"`, "three-letter ISO 4217 code"},
			{"time_zone", `name="time_zone" value="Europe/Lutetia"`, "Unknown time zone"},
			{"refresh", `name="refresh_end" value="04:00"`, "the start before the end"},
			{"renewal_horizon_days", `name="renewal_horizon_days" value="ninety"`, "The renewal horizon is a whole number of days."},
			{"confirmation_expiry_days", `name="confirmation_expiry_days" value="999"`, "1 to 365 days, not 999"},
		} {
			i := strings.Index(body, c.input)
			p := regexp.MustCompile(`<p class="field-error" role="alert" data-field="` + c.field + `">([^<]*)</p>`).FindStringIndex(body)
			if i < 0 || p == nil || p[0] < i || !strings.Contains(body[p[0]:p[1]], c.problem) || strings.Count(body[i:p[0]], "<input") > 1 {
				t.Errorf("%s: the value entered (%v) or its problem %q beside it (%v) is missing", c.field, i >= 0, c.problem, p)
			}
		}
		if strings.Contains(body, `data-field="decision_deadline_days"`) {
			t.Error("the deadline is judged against a horizon that is no number")
		}

		alpha := a.signIn(st.AlphaAdmin)
		before := alpha.get(clientsURL(st.AlphaID))
		form.Set("time_zone", "Europe/Paris")
		admin.post("/admin/program", form)
		if admin.status != http.StatusSeeOther {
			t.Fatalf("save: %d", admin.status)
		}
		body = admin.get("/admin/program?notice=saved")
		if !strings.Contains(body, "Settings saved.") || !strings.Contains(body, `value="Nimbus Partners"`) || !strings.Contains(body, `value="90"`) {
			t.Errorf("after saving:\n%s", body)
		}
		// Alpha's two vendor-owned Initech renewals become its own decisions.
		after := alpha.get(clientsURL(st.AlphaID))
		if !strings.Contains(before, "<strong>2</strong> upcoming renewal decisions") || !strings.Contains(after, "<strong>4</strong> upcoming renewal decisions") {
			t.Errorf("alerts before and after: %q, %q", alertText(before), alertText(after))
		}

		mgr := a.signIn(st.ManagerEmail)
		mgr.get("/admin/program")
		if mgr.status != http.StatusForbidden {
			t.Errorf("partner manager: %d, want 403", mgr.status)
		}
		mgr.post("/admin/program", form)
		if mgr.status != http.StatusForbidden {
			t.Errorf("partner manager saving: %d, want 403", mgr.status)
		}
		if alpha.get("/admin/program"); alpha.status != http.StatusNotFound {
			t.Errorf("partner admin: %d, want 404", alpha.status)
		}
	})
}

// alertText is the Alerts sentence of a Clients tab, for messages.
func alertText(page string) string {
	i := strings.Index(page, "renewal decision")
	if i < 0 {
		return ""
	}
	return page[max(0, i-40) : i+20]
}

// The digest's window is a program setting: 0 sends none, more than 90
// days is refused, and a form without the field keeps it.
func TestProgramDigestWindow(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		if body := admin.get("/admin/program"); !strings.Contains(body, `name="digest_days" value="14"`) {
			t.Fatalf("the default window is not shown:\n%s", mainText(body))
		}
		form := url.Values{"name": {"Test Program"}, "currency": {"USD"}, "time_zone": {"UTC"}, "refresh_start": {"06:00"},
			"refresh_end": {"08:00"}, "renewal_horizon_days": {"120"}, "decision_deadline_days": {"45"}, "default_comm_owner": {"vendor"}}
		form.Set("digest_days", "91")
		if body := admin.post("/admin/program", form); admin.status != http.StatusBadRequest || !strings.Contains(body, "0 to 90 days") ||
			!strings.Contains(body, `name="digest_days" value="91"`) {
			t.Errorf("91 days: %d", admin.status)
		}
		form.Set("digest_days", "0")
		if admin.post("/admin/program", form); admin.status != http.StatusSeeOther {
			t.Fatalf("0 days: %d", admin.status)
		}
		form.Del("digest_days")
		form.Set("name", "Renamed Program")
		admin.post("/admin/program", form)
		if p, _ := a.db.Program(ctx()); admin.status != http.StatusSeeOther || p.DigestDays != 0 || p.Name != "Renamed Program" {
			t.Errorf("after saving: %d, window %d", admin.status, p.DigestDays)
		}
	})
}
