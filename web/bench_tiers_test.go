package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The tier preview of the scaled demo (10,000 partners), after a daily
// refresh: every partner's figures judged by today's rules and by rules
// whose Gold needs 10% more of each amount, as a program admin asks for
// it (the page, and its CSV of every partner).
func BenchmarkTierPreview(b *testing.B) { benchPreview(b, "POST", "/admin/tiers/preview") }

func BenchmarkTierPreviewCSV(b *testing.B) { benchPreview(b, "GET", "/admin/tiers/preview.csv") }

func benchPreview(b *testing.B, method, path string) {
	db, h, cookie, csrf := benchServerAs(b, pd.RoleProgramAdmin, 0)
	rules, err := db.TierRules(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	today := pd.DateOf(time.Now(), time.UTC)
	pol := rules.On(today)
	form := url.Values{"from": {rules.NextReview(today).String()}, "usage": {fmt.Sprint(pol.MinAppUsage)},
		"grace": {fmt.Sprint(pol.GraceReviews)}, "reviews": {pol.ReviewDatesText()}}
	for i, t := range pol.Tiers {
		form.Set("name_"+t.Code, t.Name)
		sold, mrr := t.SoldCreditMin, t.ManagedMRRMin
		if t.Code == "gold" {
			sold, mrr = sold*11/10, mrr*11/10
		}
		if i > 0 {
			form.Set("sold_"+t.Code, amount(sold))
			form.Set("mrr_"+t.Code, amount(mrr))
			if t.InvitationOnly {
				form.Set("invite_"+t.Code, "1")
			}
		}
	}
	form.Set("csrf", csrf)
	var ds []time.Duration
	q0 := db.Queries()
	b.ResetTimer()
	for b.Loop() {
		var req *http.Request
		if method == "POST" {
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(method, path+"?"+form.Encode(), nil)
		}
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(w, req)
		ds = append(ds, time.Since(t0))
		if w.Code != 200 || method == "POST" && !strings.Contains(w.Body.String(), `data-testid="promoted"`) {
			b.Fatalf("%s %s: %d\n%.2000s", method, path, w.Code, w.Body.String())
		}
	}
	b.StopTimer()
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(db.Queries()-q0)/float64(len(ds)), "queries/op")
}

// amount writes minor units as the form takes them.
func amount(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }
