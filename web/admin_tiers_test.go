package web_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// rulesForm is the Tiers page's form with the fixture's default rules,
// taking effect on from.
func rulesForm(from pd.Date) url.Values {
	v := url.Values{"from": {from.String()}, "usage": {"3"}, "grace": {"1"}, "reviews": {"01-15, 07-15"},
		"name_partner": {"Partner"}}
	for _, t := range []struct{ code, name, sold, mrr string }{
		{"silver", "Silver", "1125.00", "1125.00"}, {"gold", "Gold", "2100.00", "6000.00"}, {"platinum", "Platinum", "3750.00", "20000.00"},
		{"diamond", "Diamond", "10000.00", "50000.00"}, {"elite", "Elite", "65000.00", "170000.00"},
	} {
		v.Set("name_"+t.code, t.name)
		v.Set("sold_"+t.code, t.sold)
		v.Set("mrr_"+t.code, t.mrr)
	}
	v.Set("invite_elite", "1")
	return v
}

// A program admin previews a change of the rules against every partner,
// exports the preview, schedules the change for a later day (the
// partners' Tier tab names it) and cancels it; mistakes come back on the
// form as entered.
func TestTiersPagePreviewsAndSchedulesAChange(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		admin := a.signIn(st.AdminEmail)
		today := pd.DateOf(st.Now, time.UTC)
		body := admin.get("/admin/tiers")
		if admin.status != http.StatusOK || !strings.Contains(body, `<a href="/admin/tiers" aria-current="page">Tiers</a>`) ||
			!strings.Contains(testid(body, "in-force"), "Gold $2,100.00 $6,000.00 No") || !strings.Contains(body, `data-testid="rules-form"`) ||
			!strings.Contains(body, `name="sold_gold" value="2100.00"`) || !strings.Contains(body, "The rules the program started with") {
			t.Fatalf("the Tiers page: %d\n%s", admin.status, body)
		}

		// A usage of 2 promotes Alpha (certified, usage 2) from Partner to
		// Silver; Beta holds no valid certification.
		form := rulesForm(today.AddDays(10))
		form.Set("usage", "2")
		body = admin.post("/admin/tiers/preview", form)
		if admin.status != http.StatusOK || testid(body, "promoted") != "1" || testid(body, "demoted") != "0" {
			t.Fatalf("preview: %d promoted %q demoted %q\n%s", admin.status, testid(body, "promoted"), testid(body, "demoted"), body)
		}
		if got := testid(body, "preview-tiers"); !strings.Contains(got, "Partner 2 1 1 0") || !strings.Contains(got, "Silver 0 1 0 0") {
			t.Errorf("counts per tier: %s", got)
		}
		if got := testid(body, "preview-changed"); !strings.Contains(got, "Alpha Agency Gold Partner Silver Promoted") || strings.Contains(got, "Beta") {
			t.Errorf("partners that change: %s", got)
		}
		if got := testid(body, "proposed"); got != "Minimum average app usage: 2 tools (was 3)" {
			t.Errorf("what changes: %q", got)
		}
		if !strings.Contains(body, `name="usage" value="2"`) {
			t.Error("the form lost what was entered")
		}
		link := regexpFind(body, `href="(/admin/tiers/preview\.csv\?[^"]+)"`)
		out := admin.get(html.UnescapeString(link))
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if admin.status != http.StatusOK || err != nil || len(rows) != 3 {
			t.Fatalf("preview CSV %s: %d %v %q", link, admin.status, err, out)
		}
		if strings.Join(rows[0][:6], ",") != "partner,name,assigned_tier,tier_today,tier_proposed,change" ||
			strings.Join(rows[1][:9], ",") != "p-alpha,Alpha Agency,gold,partner,silver,promoted,2105.00,1190.00,2.0" ||
			strings.Join(rows[2][:6], ",") != "p-beta,Beta Works,silver,partner,partner,unchanged" {
			t.Errorf("preview CSV: %q", rows)
		}

		for _, c := range []struct {
			name, field, value, want string
		}{
			{"an amount in words", "sold_gold", "lots", `Gold&#39;s sold credit &#34;lots&#34; is not an amount.`},
			{"Gold below Silver", "mrr_gold", "1000", "Gold must need at least"},
			{"from today", "from", today.String(), "A change takes effect from tomorrow"},
			{"a review date that is no date", "reviews", "02-30", "Review date &#34;02-30&#34; is not MM-DD."},
		} {
			f := rulesForm(today.AddDays(10))
			f.Set(c.field, c.value)
			body := admin.post("/admin/tiers", f)
			if admin.status != http.StatusBadRequest || !strings.Contains(body, c.want) || !strings.Contains(body, `value="`+c.value+`"`) {
				t.Errorf("%s: %d\n%s", c.name, admin.status, body)
			}
		}
		if body := admin.post("/admin/tiers", rulesForm(today.AddDays(10))); admin.status != http.StatusBadRequest ||
			!strings.Contains(body, "nothing to change") {
			t.Errorf("the same rules: %d", admin.status)
		}

		from := today.AddDays(10)
		form.Set("mrr_silver", "1,150")
		admin.post("/admin/tiers", form)
		if admin.status != http.StatusSeeOther || admin.location != "/admin/tiers?notice=saved" {
			t.Fatalf("save: %d %s", admin.status, admin.location)
		}
		body = admin.get(admin.location)
		history := testid(body, "history")
		if !strings.Contains(body, "The change of the rules is scheduled") || !strings.Contains(history, "From "+from.Format("Jan 2, 2006")+" Scheduled") ||
			!strings.Contains(history, "Silver: managed MRR at least $1,150.00 (was $1,125.00)") || !strings.Contains(history, "Cancel this change") {
			t.Errorf("after saving: %s", history)
		}
		// The rules in force are still today's.
		if got := testid(body, "in-force"); !strings.Contains(got, "Silver $1,125.00 $1,125.00") || !strings.Contains(got, "at least 3 tools") {
			t.Errorf("in force today: %s", got)
		}

		tab := a.signIn(st.AlphaAdmin).get("/partners/1/tier")
		if got := testid(tab, "rules-change"); !strings.Contains(got, "The tier rules change on "+from.Format("Jan 2, 2006")) ||
			!strings.Contains(got, "Minimum average app usage: 2 tools (was 3)") || !strings.Contains(got, "your figures today would earn Silver") {
			t.Errorf("Alpha's Tier tab: %q", got)
		}
		if got := testid(tab, "rules-note"); !strings.Contains(got, "the tier rules the program started with") {
			t.Errorf("the rules Alpha is judged by: %q", got)
		}

		admin.post("/admin/tiers/cancel", url.Values{"from": {from.String()}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("cancel: %d", admin.status)
		}
		if body := admin.get("/admin/tiers"); strings.Contains(testid(body, "history"), "Scheduled") {
			t.Error("the change is still scheduled")
		}
		if tab := a.signIn(st.AlphaAdmin).get("/partners/1/tier"); strings.Contains(tab, `data-testid="rules-change"`) {
			t.Error("Alpha's Tier tab still names the cancelled change")
		}
	})
}

// Partner managers read the rules, without the form; they may not
// preview, save, export or cancel. Partner users reach no part of it.
func TestTiersPageIsReadOnlyForPartnerManagers(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		from := pd.DateOf(st.Now, time.UTC).AddDays(10)
		mgr := a.signIn(st.ManagerEmail)
		body := mgr.get("/admin/tiers")
		if mgr.status != http.StatusOK || !strings.Contains(testid(body, "in-force"), "Gold") || strings.Contains(body, "rules-form") {
			t.Errorf("a partner manager's Tiers page: %d\n%s", mgr.status, body)
		}
		form := rulesForm(from)
		form.Set("usage", "2")
		for _, path := range []string{"/admin/tiers", "/admin/tiers/preview", "/admin/tiers/cancel"} {
			if mgr.post(path, form); mgr.status != http.StatusForbidden {
				t.Errorf("POST %s as a partner manager: %d, want 403", path, mgr.status)
			}
		}
		if mgr.get("/admin/tiers/preview.csv?" + form.Encode()); mgr.status != http.StatusForbidden {
			t.Errorf("the preview's CSV as a partner manager: %d, want 403", mgr.status)
		}
		rules, err := a.db.TierRules(ctx())
		if err != nil || len(rules.Changes) != 0 {
			t.Errorf("rules after the partner manager: %+v %v", rules.Changes, err)
		}
	})
}

// Every vendor staff page is a 404 for partner users, who never see a
// word of the program's data there; the walk covers every Staff route.
func TestPartnerUsersReachNoStaffPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		ids := st.AlphaPathIDs(t, a.db)
		walked := 0
		for _, email := range []string{st.AlphaAdmin, st.AlphaEmployee} {
			u := a.signIn(email)
			for _, rt := range a.srv.Routes() {
				if rt.Access != web.Staff {
					continue
				}
				walked++
				path := fill(t, rt.Pattern, st.AlphaID, ids)
				var body string
				if rt.Method == "GET" {
					body = u.get(path)
				} else {
					body = u.post(path, rulesForm(pd.DateOf(st.Now, time.UTC).AddDays(10)))
				}
				if u.status != http.StatusNotFound {
					t.Errorf("%s %s as %s: %d, want 404", rt.Method, path, email, u.status)
				}
				for _, s := range []string{"Beta Works", "Inbound Marketing", "Platinum"} {
					if strings.Contains(body, s) {
						t.Errorf("%s %s as %s shows %q", rt.Method, path, email, s)
					}
				}
			}
		}
		if walked < 2*15 {
			t.Fatalf("walked %d staff routes", walked)
		}
	})
}

// regexpFind is the first submatch of pattern in s, "" when none.
func regexpFind(s, pattern string) string {
	if m := regexp.MustCompile(pattern).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}
