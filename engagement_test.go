package partnerdesk

import (
	"fmt"
	"strings"
	"testing"
)

func mask(codes ...string) int64 {
	var m int64
	for _, c := range codes {
		if p, ok := ProductByCode(c); ok {
			m |= p.Mask()
			continue
		}
		found := false
		for _, t := range Tools {
			if t.Code == c {
				m |= t.Mask()
				found = true
			}
		}
		if !found {
			panic("unknown code " + c)
		}
	}
	return m
}

// The model, as docs/engagement.md writes it down: every included tool
// weighs one; the index is round(10 × used / included), half up; tools
// used but not included do not count; CRM basics come with any product
// and each hub's tools up to the best edition owned.
func TestEngagementIndexModel(t *testing.T) {
	cases := []struct {
		name              string
		products, tools   int64
		index, used, incl int
		breakdown         string
	}{
		{"no products", 0, mask("contacts", "forms"), 0, 0, 0, ""},
		{"nothing in use", mask("service-starter"), 0, 0, 0, 7, "crm 0/5, service 0/2"},
		{"CRM basics with any product", mask("sales-starter"), mask("contacts", "deals", "tasks", "email-tracking", "meetings"),
			7, 5, 7, "crm 5/5, sales 0/2"}, // 10 × 5/7 = 7.1
		{"rounded: 10 × 1/6 = 1.7", mask("operations-starter"), mask("contacts"), 2, 1, 6, "crm 1/5, operations 0/1"},
		{"half of the tools", mask("content-pro"), mask("contacts", "deals", "tasks", "email-tracking"), 5, 4, 8, "crm 4/5, content 0/3"},
		{"half up: 10 × 3/12 = 2.5", mask("marketing-enterprise"), mask("contacts", "forms", "abm"), 3, 3, 12, "crm 1/5, marketing 2/7"},
		{"a higher edition includes the lower ones' tools", mask("marketing-enterprise"),
			mask("forms", "abm"), 2, 2, 12, "crm 0/5, marketing 2/7"}, // 10 × 2/12 = 1.7
		{"the best edition of a hub counts once", mask("marketing-starter", "marketing-pro"),
			mask("forms", "seo"), 2, 2, 11, "crm 0/5, marketing 2/6"}, // 1.8
		{"tools not paid for do not count", mask("service-starter"), mask("tickets", "abm", "playbooks", "datasets"),
			1, 1, 7, "crm 0/5, service 1/2"},
		{"everything in use (every bit set)", mask("marketing-enterprise", "sales-enterprise", "service-enterprise", "operations-enterprise", "content-enterprise"),
			-1, 10, 30, 30, "crm 5/5, marketing 7/7, sales 5/5, service 5/5, operations 4/4, content 4/4"},
	}
	for _, c := range cases {
		e := EngagementIndex(c.products, c.tools)
		var b []string
		for _, cu := range e.Breakdown {
			b = append(b, fmt.Sprintf("%s %d/%d", cu.Category, cu.Used, cu.Included))
			if len(cu.Tools) != cu.Included {
				t.Errorf("%s: %s lists %d tools for %d included", c.name, cu.Category, len(cu.Tools), cu.Included)
			}
		}
		if e.Index != c.index || e.Used != c.used || e.Included != c.incl || strings.Join(b, ", ") != c.breakdown {
			t.Errorf("%s: index %d (%d/%d) [%s], want %d (%d/%d) [%s]", c.name, e.Index, e.Used, e.Included,
				strings.Join(b, ", "), c.index, c.used, c.incl, c.breakdown)
		}
		if e.Bucket() != EngagementBucket(e.Index) {
			t.Errorf("%s: bucket", c.name)
		}
	}
	// The buckets' bounds.
	for i, want := range []string{"low", "low", "low", "low", "medium", "medium", "medium", "high", "high", "high", "high"} {
		if got := EngagementBucket(i); got != want {
			t.Errorf("index %d is %s, want %s", i, got, want)
		}
	}
}

func TestUpgradeSuggestions(t *testing.T) {
	cases := []struct {
		name            string
		products, tools int64
		want            string
	}{
		{"three quarters of a hub's tools", mask("marketing-pro", "sales-starter"),
			mask("forms", "email-marketing", "landing-pages", "social", "seo", "quotes"), "[Marketing Enterprise]"},
		{"two hubs outgrown", mask("service-starter", "sales-starter"), mask("tickets", "live-chat", "quotes", "calling"),
			"[Sales Professional Service Professional]"},
		{"none outgrown: the most used hub", mask("content-pro", "operations-starter"), mask("website-pages"),
			"[Content Enterprise]"},
		{"Enterprise everywhere: nothing to upgrade", mask("marketing-enterprise"), mask("forms", "abm"), "[]"},
		{"Enterprise hubs are skipped", mask("marketing-enterprise", "service-starter"), mask("forms"), "[Service Professional]"},
	}
	for _, c := range cases {
		var names []string
		for _, p := range UpgradeSuggestions(c.products, c.tools) {
			names = append(names, p.Name())
		}
		if got := fmt.Sprint("[", strings.Join(names, " "), "]"); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestCrossSellRules(t *testing.T) {
	// Hubs order: marketing, sales, service, operations, content.
	cases := []struct {
		clients int
		owners  []int
		want    string
	}{
		{6, []int{4, 3, 0, 0, 0}, "[marketing]"}, // 3 of 6 is not most
		{5, []int{5, 5, 3, 2, 0}, "[marketing sales service]"},
		{4, []int{4, 4, 4, 4, 4}, "[]"}, // too few to say
		{0, nil, "[]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(CommonHubs(c.clients, c.owners)); got != c.want && !(got == "[]" && c.want == "[]") {
			t.Errorf("CommonHubs(%d, %v) = %s, want %s", c.clients, c.owners, got, c.want)
		}
	}
	if got := fmt.Sprint(MissingHubs(mask("marketing-starter", "sales-enterprise"), []string{"marketing", "service", "sales", "content"})); got != "[service content]" {
		t.Errorf("MissingHubs: %s", got)
	}
	for n, want := range map[int]int{0: 0, 9: 0, 10: 1, 49: 1, 50: 2, 249: 2, 250: 3, 999: 3, 1000: 4, 250000: 4} {
		if got := SizeBandOf(n); got != want {
			t.Errorf("SizeBandOf(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestEngagementMonths(t *testing.T) {
	var m EngagementMonth
	for _, i := range []int{8, 6, 2, 0, 1} {
		m.Add(i)
	}
	if m.Clients != 5 || m.IndexSum != 17 || m.Low != 3 || m.Medium != 1 || m.High != 1 || m.Average() != 34 || m.AverageText() != "3.4" {
		t.Errorf("%+v, average %d %s", m, m.Average(), m.AverageText())
	}
	if (EngagementMonth{Clients: 4, IndexSum: 14}).AverageText() != "3.5" || (EngagementMonth{}).AverageText() != "0.0" {
		t.Error("average rounding")
	}
	months := TrendMonths(NewDate(2026, 3, 31), 12)
	if len(months) != 12 || months[0] != NewDate(2025, 4, 1) || months[11] != NewDate(2026, 3, 1) {
		t.Errorf("trend months %v", months)
	}
	if MonthEnd(NewDate(2024, 2, 10)) != NewDate(2024, 2, 29) || MonthEnd(NewDate(2026, 12, 31)) != NewDate(2026, 12, 31) {
		t.Error("month end")
	}
}
