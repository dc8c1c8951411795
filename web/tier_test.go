package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// chartMonths is how many months the Tier tab's chart shows, today's last.
const chartMonths = 24

// refreshed is an app whose daily refresh ran on the fixture's Now.
func refreshed(t *testing.T, e st.Engine) *app {
	t.Helper()
	a := newApp(t, e, web.Config{})
	if _, err := refresh.Run(context.Background(), a.db, st.Now, refresh.Options{}); err != nil {
		t.Fatal(err)
	}
	return a
}

// testid returns the text of the element with data-testid=id, tags
// stripped and spaces collapsed (the element must not nest its own tag).
func testid(body, id string) string {
	open := regexp.MustCompile(`<(\w+)[^>]*data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindStringSubmatchIndex(body)
	if open == nil {
		return ""
	}
	rest := body[open[1]:]
	if end := strings.Index(rest, "</"+body[open[2]:open[3]]+">"); end >= 0 {
		rest = rest[:end]
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(rest, " ")), " ")
}

func TestTierTabShowsTheRefreshedReport(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		body := a.signIn(st.AlphaAdmin).get("/partners/1/tier")
		for _, c := range []struct{ id, want string }{
			{"assigned", "Gold"},
			{"performance", "Partner"},
			{"gap", "an average app usage of at least 3 tools"},
			{"sold-credit", "$2,105.00"},
			{"managed-mrr", "$1,190.00"},
			{"usage", "2 tools"},
			{"certified", "Yes"},
			// The last twelve months: Globex came back (upgraded), the
			// others are new; Globex's loss was before the period.
			{"new", "+$1,805.00"},
			{"upgraded", "+$300.00"},
			{"expired-lost", "−$0.00"},
			{"total", "$2,105.00"},
		} {
			if got := testid(body, c.id); !strings.Contains(got, c.want) {
				t.Errorf("%s: %q, want %q", c.id, got, c.want)
			}
		}
		if n := strings.Count(body, `<a class="bar`); n != chartMonths {
			t.Errorf("chart has %d bars, want %d", n, chartMonths)
		}
		// The axis names every third month, today's last, with its year in
		// full: "Feb 28" would read as a day.
		var labels, want []string
		for _, m := range regexp.MustCompile(`<text class="month"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(body, -1) {
			labels = append(labels, m[1])
		}
		for k := 3 - chartMonths; k <= 0; k += 3 {
			want = append(want, month(k).Format(monthShort))
		}
		if !reflect.DeepEqual(labels, want) {
			t.Errorf("the chart's axis labels %q, want %q", labels, want)
		}
		// Every client line was billed in the same month.
		if want := `aria-label="` + billedMonth.Format(monthShort) + `: $2,105.00 closing credit"`; !strings.Contains(body, want) {
			t.Errorf("the chart's bar of the billing month has no accessible value: want %s", want)
		}
		// The Total list: five clients, Old Client no longer Alpha's.
		list := testid(body, "list-total")
		for _, name := range []string{"Northwind Traders", "Initech", "Globex Corp", "Umbrella Co", "Old Client (not your client now)"} {
			if !strings.Contains(list, name) {
				t.Errorf("Total list lacks %s: %s", name, list)
			}
		}
		if !strings.Contains(body, `href="/partners/1/clients/101"`) {
			t.Error("a client's name does not open its panel")
		}
	})
}

func TestTierTabListsAMonthsMovementsAndThePeriodsLists(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		alpha := a.signIn(st.AlphaAdmin)

		// The chart's billing month: every client's movements that month.
		body := alpha.get("/partners/1/tier?month=" + billedMonth.Format(monthParam))
		moves := testid(body, "month-moves")
		for _, want := range []string{"Globex Corp", "Upgraded (returning client)", "+$300.00", "Northwind Traders", "New", "+$890.00"} {
			if !strings.Contains(moves, want) {
				t.Errorf("%s's movements lack %q: %s", billedMonth.Format(monthLong), want, moves)
			}
		}
		// The page's script asks for the month alone: the month Globex was lost.
		req, _ := http.NewRequest("GET", a.ts.URL+"/partners/1/tier?month="+globexLostMonth.Format(monthParam), nil)
		req.Header.Set("X-Partial", "month")
		frag := alpha.do(req)
		if strings.Contains(frag, "<html") || !strings.Contains(frag, "Lost (stopped paying)") || !strings.Contains(frag, "−$250.00") {
			t.Errorf("%s's fragment: %s", globexLostMonth.Format(monthLong), frag)
		}

		// A longer period: Globex's new credit and its loss count.
		body = alpha.get("/partners/1/tier?from=" + globexSoldMonth.Format(monthParam) + "&to=" + month(0).Format(monthParam) + "&list=lost")
		if got := testid(body, "expired-lost"); got != "−$250.00" {
			t.Errorf("expired/lost over the longer period: %q", got)
		}
		if lost := testid(body, "list-lost"); !strings.Contains(lost, "Globex Corp") || !strings.Contains(lost, "$250.00") {
			t.Errorf("Lost list: %s", lost)
		}
		body = alpha.get("/partners/1/tier?list=won&sort=client&dir=asc")
		won := testid(body, "list-won")
		if i, j := strings.Index(won, "Globex"), strings.Index(won, "Umbrella"); i < 0 || j < i {
			t.Errorf("Won list by name: %s", won)
		}

		// Exports: every line of the list, amounts as plain decimals.
		out := alpha.get("/partners/1/tier.csv?list=won&from=" + month(-11).Format(monthParam) + "&to=" + month(0).Format(monthParam))
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != 6 || rows[0][2] != "new" {
			t.Fatalf("won CSV: %v %q", err, out)
		}
		found := false
		for _, r := range rows {
			if r[0] == "Globex Corp" {
				found = r[3] == "300.00" && r[5] == "true"
			}
		}
		if !found {
			t.Errorf("won CSV lacks Globex's returning upgrade: %v", rows)
		}
		m := func(k int) string { return month(k).Format(monthParam) }
		for _, bad := range []string{"?list=nope", "?from=" + day(0).Format("2006") + "-13", "?to=" + m(1), "?from=" + m(-6) + "&to=" + m(-10),
			"?month=" + m(-chartMonths), "?sort=x"} {
			alpha.get("/partners/1/tier" + bad)
			if alpha.status != http.StatusBadRequest {
				t.Errorf("GET tier%s: %d, want 400", bad, alpha.status)
			}
		}
	})
}

func TestTierTabBeforeTheFirstRefresh(t *testing.T) {
	a := newApp(t, st.Engines()[0], web.Config{})
	alpha := a.signIn(st.AlphaAdmin)
	body := alpha.get("/partners/1/tier")
	if alpha.status != http.StatusOK || !strings.Contains(testid(body, "not-refreshed"), "has not run yet") {
		t.Fatalf("before the first refresh: %d\n%s", alpha.status, body)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(a.bearer(st.AlphaToken).get("/api/v1/partners/1/tier")), &rep); err != nil || rep["refreshed"] != false {
		t.Errorf("API before the first refresh: %v %v", rep, err)
	}
}

// Before the first refresh, the credit API's months end with today's month
// in the program's time zone: at noon UTC on November 30 it is already
// December in Auckland.
func TestCreditAPIBeforeTheFirstRefreshEndsWithTheProgramsMonth(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a := newAppAt(t, st.Engines()[0], web.Config{}, func() time.Time { return at })
	prog := store.DefaultProgram
	prog.TimeZone = "Pacific/Auckland"
	if err := a.db.SaveProgram(context.Background(), prog); err != nil {
		t.Fatal(err)
	}
	var got struct {
		AsOf   *string `json:"as_of"`
		Months []struct{ Month string }
	}
	body := a.bearer(st.AlphaToken).get("/api/v1/partners/1/credit")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if n := len(got.Months); got.AsOf != nil || n != 12 || got.Months[0].Month != "2026-01" || got.Months[n-1].Month != "2026-12" {
		t.Errorf("months before the first refresh: %s, want 2026-01 to 2026-12", body)
	}
}

// Beta, signed in or with its token, reaches none of Alpha's tier data.
func TestTierTabIsScopedToThePartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		for _, u := range []*user{a.signIn(st.BetaAdmin), a.bearer(st.BetaToken)} {
			for _, path := range []string{"/partners/1/tier", "/partners/1/tier?month=" + billedMonth.Format(monthParam), "/partners/1/tier.csv?list=total",
				"/api/v1/partners/1/tier", "/api/v1/partners/1/credit"} {
				if u.token != "" && !strings.HasPrefix(path, "/api/") || u.token == "" && strings.HasPrefix(path, "/api/") {
					continue
				}
				body := u.get(path)
				if u.status != http.StatusNotFound || strings.Contains(body, "Northwind") || strings.Contains(body, "2,105") {
					t.Errorf("Beta GET %s: %d %s", path, u.status, body)
				}
			}
		}
		beta := a.signIn(st.BetaAdmin).get("/partners/2/tier")
		if strings.Contains(beta, "Northwind") || !strings.Contains(beta, "Hooli") {
			t.Errorf("Beta's own tier tab shows another partner's clients, or not its own")
		}
	})
}

// The worked example of credit/testdata, loaded as billing events and
// refreshed: the months the API gives and the figures the Tier tab shows
// are the audit replay's. The example keeps its own dates: the server and
// the refresh run on its last month, whatever the fixture's today.
func TestTierFiguresTraceToTheReplay(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		exampleNow := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		a := newAppAt(t, e, web.Config{}, func() time.Time { return exampleNow })
		const file = "../credit/testdata/worked-example.jsonl"
		st.LoadEvents(t, a.db, file)
		if _, err := refresh.Run(context.Background(), a.db, exampleNow, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep, err := credit.Replay(context.Background(), credit.ReplayOptions{From: credit.MakeMonth(2025, 1), To: credit.MakeMonth(2026, 11)}, f)
		if err != nil {
			t.Fatal(err)
		}
		admin := pd.WithPrincipal(context.Background(), &pd.Principal{Role: pd.RoleProgramAdmin, UserID: 1})
		for _, p := range rep.Partners {
			_, secret, err := a.db.CreateToken(admin, store.NewToken{Name: "audit", Scope: pd.ScopeRead, PartnerExternalID: p.Partner})
			if err != nil {
				t.Fatal(err)
			}
			id := st.WorkedExamplePartners[p.Partner]
			type month struct {
				Month                                      string
				Opening, New, Upgraded, Decreased, Closing int64
				ExpiredLost                                int64 `json:"expired_lost"`
			}
			var got struct {
				Partner string
				Months  []month
			}
			var wantMonths []month
			for _, m := range p.Months {
				wantMonths = append(wantMonths, month{m.Month.String(), m.Opening, m.New, m.Upgraded, m.Decreased, m.Closing, m.ExpiredLost})
			}
			body := a.bearer(secret).get(fmt.Sprintf("/api/v1/partners/%d/credit?from=2025-01&to=2026-11", id))
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if got.Partner != p.Partner || !reflect.DeepEqual(got.Months, wantMonths) {
				t.Errorf("API months of %s\n%+v\nwant the replay's\n%+v", p.Partner, got.Months, wantMonths)
			}

			// The page's breakdown of the whole range adds up the same.
			var want credit.Flows
			for _, m := range p.Months {
				want.New += m.New
				want.Upgraded += m.Upgraded
				want.Decreased += m.Decreased
				want.ExpiredLost += m.ExpiredLost
			}
			body = a.signIn(st.AdminEmail).get(fmt.Sprintf("/partners/%d/tier?from=2025-01&to=2026-11", id))
			money := func(v int64) string { return fmt.Sprintf("$%d.%02d", v/100, v%100) }
			for _, c := range []struct {
				id   string
				want int64
			}{{"new", want.New}, {"upgraded", want.Upgraded}, {"decreased", want.Decreased}, {"expired-lost", want.ExpiredLost},
				{"total", p.Months[len(p.Months)-1].Closing}} {
				if got := strings.ReplaceAll(testid(body, c.id), ",", ""); !strings.HasSuffix(got, money(c.want)) {
					t.Errorf("%s's %s on the page: %q, want %s", p.Partner, c.id, got, money(c.want))
				}
			}
		}
	})
}
