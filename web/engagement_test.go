package web_test

import (
	"net/http"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

const engagementURL = "/partners/1/engagement"

func TestEngagementPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		body := emp.get(engagementURL)
		if emp.status != http.StatusOK {
			t.Fatalf("status %d", emp.status)
		}
		for _, want := range []string{
			`data-testid="average">4.0<`, // (8 + 6 + 2 + 0) / 4
			`href="/partners/1/engagement?bucket=low"`, "<strong>2</strong> <span class=\"muted\">(50%)</span>",
			"<strong>1</strong> <span class=\"muted\">(25%)</span>",
			// The trend's table: last month, and this one so far.
			trendRow(month(-1).Format(monthShort), lastMonthAverage()), trendRow(month(0).Format(monthShort)+" (today)", "4.0"),
			// At risk: Globex, Low, renews in 49 days.
			`data-testid="at-risk"`, "Globex Corp", `href="/partners/1/renewals/2">` + dateText(day(49)),
			// Upgrade: Northwind uses 5 of 6 Marketing Professional tools.
			"Northwind Traders", "Marketing Enterprise",
			"No client misses a hub that most clients of its size own.",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("engagement page lacks %q", want)
			}
		}
		if n := strings.Count(body, `<g class="month`); n != 12 {
			t.Errorf("trend chart has %d months, want 12", n)
		}

		body = emp.get(engagementURL + "?bucket=low")
		if got := strings.Join(names(body), "|"); got != "Globex Corp|Umbrella Co" {
			t.Errorf("Low bucket lists %q", got)
		}
		if !strings.Contains(body, `href="/partners/1/clients/102?tab=engagement"`) || strings.Contains(body, `data-testid="at-risk"`) {
			t.Error("bucket list: no link to the client's breakdown, or the lists are still shown")
		}
		if got := strings.Join(names(emp.get(engagementURL+"?bucket=high")), "|"); got != "Northwind Traders" {
			t.Errorf("High bucket lists %q", got)
		}
		body = emp.get(engagementURL + "?list=risk")
		if !strings.Contains(body, `data-testid="at-risk"`) || strings.Contains(body, `data-testid="upgrades"`) {
			t.Error("the at-risk list alone is not shown")
		}
		for _, q := range []string{"bucket=extreme", "list=everyone", "bucket=low&list=risk", "page=0", "size=9999"} {
			emp.get(engagementURL + "?" + q)
			if emp.status != http.StatusBadRequest {
				t.Errorf("?%s: %d, want 400", q, emp.status)
			}
		}
	})
}

// trendRow is the start of the trend table's row of a month.
func trendRow(label, average string) string {
	return `<tr><th scope="row">` + label + `</th><td class="num">` + average + `</td>`
}

// lastMonthAverage is the engagement the fixture gives the month before
// today's: its last usage of each active client is of mid-month, one tool
// fewer than now, 14 over 4 clients. On the first of a month yesterday's
// usage (the latest, 4.0) closes it; on a 31st Old Client, whose services
// ended thirty days ago, in today's month, still counts, without usage by
// then: 14 over 5.
func lastMonthAverage() string {
	switch {
	case day(-1).Before(month(0)):
		return "4.0"
	case !day(-30).Before(month(0)):
		return "2.8"
	}
	return "3.5"
}

// The bucket list costs the same queries whatever its length.
func TestEngagementPageQueryCountDoesNotGrowWithRows(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AlphaAdmin)
		count := func(q string) int64 {
			before := a.db.Queries()
			admin.get(engagementURL + q)
			return a.db.Queries() - before
		}
		if one, all := count("?bucket=low&size=1"), count("?bucket=low"); one != all {
			t.Errorf("a page of 1 ran %d queries, a page of 2 ran %d", one, all)
		}
		if one, all := count("?list=upgrades&size=1"), count("?list=upgrades"); one != all {
			t.Errorf("upgrades: a page of 1 ran %d queries, the whole list %d", one, all)
		}
	})
}
