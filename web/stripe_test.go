package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

const whsec = "whsec_test_partnerdesk"

// stripeEvent is a subscription event as Stripe sends it.
func stripeEvent(id, typ string, created time.Time, sub string) string {
	return fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2025-08-27.basil","created":%d,"type":%q,"livemode":false,
		"data":{"object":%s}}`, id, created.Unix(), typ, sub)
}

// subscription builds a subscription object; items are JSON item objects.
func subscription(status, meta, discounts string, items ...string) string {
	return fmt.Sprintf(`{"id":"sub_1","object":"subscription","customer":"cus_northwind","status":%q,"metadata":{%s},
		"discounts":[%s],"items":{"object":"list","data":[%s]}}`, status, meta, discounts, strings.Join(items, ","))
}

func item(product string, unit, qty int, interval string, count int, extra string) string {
	return fmt.Sprintf(`{"id":"si_%s","object":"subscription_item","quantity":%d,%s"price":{"id":"price_%s","object":"price",
		"lookup_key":%q,"unit_amount":%d,"billing_scheme":"per_unit","recurring":{"interval":%q,"interval_count":%d}%s}}`,
		product, qty, "", product, product, unit, interval, count, extra)
}

// deliver posts a payload signed the way Stripe signs it.
func deliver(a *app, payload string, secret string, at time.Time) (int, string) {
	a.t.Helper()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: secret, Timestamp: at})
	req, _ := http.NewRequest("POST", a.ts.URL+"/webhooks/stripe", strings.NewReader(payload))
	req.Header.Set("Stripe-Signature", signed.Header)
	req.Header.Set("Content-Type", "application/json")
	u := a.anon()
	body := u.do(req)
	return u.status, body
}

func lineMRR(t *testing.T, a *app, product string) int64 {
	t.Helper()
	rows, err := a.db.QueryRaw(ctx(), "SELECT mrr FROM subscription_lines WHERE client_id = ? AND product_code = ?", st.Northwind, product)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var m int64 = -1
	if rows.Next() {
		rows.Scan(&m)
	}
	return m
}

// Each item's price × quantity a month, forever coupons off, taxes out,
// trials and incomplete subscriptions at 0.
func TestStripeSubscriptionsBecomeBillingEvents(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		// Events happen on the fixture's timeline; signatures are checked
		// against the real clock (stripe-go's), so they are made on it.
		now, signedAt := st.Now, time.Now()
		forever := func(off string) string {
			return `{"id":"di_1","object":"discount","coupon":{"id":"c","object":"coupon","duration":"forever",` + off + `}}`
		}
		cases := []struct {
			name    string
			sub     string
			product string
			want    int64
		}{
			{"annual ÷ 12", subscription("active", `"partner_id":"p-alpha"`, "", item("service-pro", 120000, 2, "year", 1, "")), "service-pro", 20000},
			{"quarterly ÷ 3", subscription("active", "", "", item("service-pro", 30000, 1, "month", 3, "")), "service-pro", 10000},
			{"weekly × 52 / 12, rounded", subscription("active", "", "", item("service-pro", 1000, 1, "week", 1, "")), "service-pro", 4333},
			{"a forever percentage off", subscription("active", "", forever(`"percent_off":10`), item("service-pro", 10000, 1, "month", 1, "")), "service-pro", 9000},
			{"a forever amount off, per annual invoice", subscription("active", "", forever(`"amount_off":12000,"currency":"usd"`), item("service-pro", 120000, 1, "year", 1, "")), "service-pro", 9000},
			{"a coupon for once is not deducted", subscription("active", "", `{"id":"di_2","object":"discount","coupon":{"id":"o","object":"coupon","duration":"once","percent_off":50}}`,
				item("service-pro", 10000, 1, "month", 1, "")), "service-pro", 10000},
			{"tax included in the price is taken out", subscription("active", "", "", strings.Replace(item("service-pro", 12000, 1, "month", 1, `,"tax_behavior":"inclusive"`),
				`"quantity":1,`, `"quantity":1,"tax_rates":[{"id":"txr","object":"tax_rate","percentage":20,"inclusive":true}],`, 1)), "service-pro", 10000},
			{"a trial is 0", subscription("trialing", "", "", item("service-pro", 10000, 1, "month", 1, "")), "service-pro", 0},
			{"incomplete is 0", subscription("incomplete", "", "", item("service-pro", 10000, 1, "month", 1, "")), "service-pro", 0},
		}
		for i, c := range cases {
			// Each case is a later event, so it is the line's latest.
			payload := stripeEvent(fmt.Sprintf("evt_%d", i), "customer.subscription.updated", now.Add(time.Duration(i)*time.Minute), c.sub)
			if st, body := deliver(a, payload, whsec, signedAt); st != http.StatusOK {
				t.Fatalf("%s: %d %s", c.name, st, body)
			}
			if got := lineMRR(t, a, c.product); got != c.want {
				t.Errorf("%s: line MRR %d, want %d", c.name, got, c.want)
			}
		}
		// The first event credited Alpha, from the subscription's metadata.
		rows, _ := a.db.QueryRaw(ctx(), "SELECT COUNT(*) FROM billing_events WHERE external_id = 'stripe:evt_0:service-pro' AND partner_id = ?", st.AlphaID)
		n := 0
		rows.Next()
		rows.Scan(&n)
		rows.Close()
		if n != 1 {
			t.Errorf("evt_0 is not credited to Alpha")
		}
	})
}

// Forged, stale and replayed deliveries change nothing; two events
// processed out of order end as if in order.
func TestStripeDeliveriesAreVerifiedAndIdempotent(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		// Events happen on the fixture's timeline; signatures are checked
		// against the real clock (stripe-go's), so they are made on it.
		now, signedAt := st.Now, time.Now()
		first := stripeEvent("evt_a", "customer.subscription.created", now.Add(-2*time.Hour),
			subscription("active", "", "", item("service-pro", 20000, 1, "month", 1, "")))
		second := stripeEvent("evt_b", "customer.subscription.updated", now.Add(-time.Hour),
			subscription("active", "", "", item("service-pro", 5000, 1, "month", 1, "")))

		before := countEvents(t, a)
		for _, c := range []struct {
			name   string
			secret string
			at     time.Time
		}{
			{"forged", "whsec_someone_else", signedAt},
			{"too old", whsec, signedAt.Add(-10 * time.Minute)},
		} {
			if st, body := deliver(a, first, c.secret, c.at); st != http.StatusUnauthorized || !strings.Contains(body, `"code":"unauthorized"`) {
				t.Errorf("%s: %d %s, want 401", c.name, st, body)
			}
		}
		req, _ := http.NewRequest("POST", a.ts.URL+"/webhooks/stripe", strings.NewReader(first))
		u := a.anon()
		u.do(req)
		if u.status != http.StatusUnauthorized {
			t.Errorf("unsigned: %d", u.status)
		}
		if countEvents(t, a) != before {
			t.Fatal("a refused delivery wrote events")
		}

		// The later event first, then the earlier one, then a replay.
		for _, p := range []string{second, first, first} {
			if st, body := deliver(a, p, whsec, signedAt); st != http.StatusOK {
				t.Fatalf("delivery: %d %s", st, body)
			}
		}
		if got := lineMRR(t, a, "service-pro"); got != 5000 {
			t.Errorf("out of order: line MRR %d, want the later event's 5000", got)
		}
		if n := countEvents(t, a); n != before+2 {
			t.Errorf("%d events stored, want 2 (the replay is a no-op)", n-before)
		}
		// Deleting the subscription, an item removed, an unknown customer, another event type.
		deleted := stripeEvent("evt_c", "customer.subscription.deleted", now.Add(-time.Minute),
			subscription("canceled", "", "", item("service-pro", 5000, 1, "month", 1, "")))
		if st, _ := deliver(a, deleted, whsec, signedAt); st != http.StatusOK || lineMRR(t, a, "service-pro") != 0 {
			t.Errorf("deleted: %d, line MRR %d", st, lineMRR(t, a, "service-pro"))
		}
		stranger := strings.Replace(first, "cus_northwind", "cus_stranger", 1)
		if st, body := deliver(a, strings.Replace(stranger, "evt_a", "evt_d", 1), whsec, signedAt); st != http.StatusUnprocessableEntity || !strings.Contains(body, "cus_stranger") {
			t.Errorf("unknown customer: %d %s", st, body)
		}
		if st, body := deliver(a, `{"id":"evt_e","object":"event","type":"invoice.paid","created":1,"data":{"object":{}}}`, whsec, signedAt); st != http.StatusOK || !strings.Contains(body, "ignored") {
			t.Errorf("another type: %d %s", st, body)
		}
		// An item removed since the previous version goes to 0.
		two := stripeEvent("evt_f", "customer.subscription.created", now.Add(time.Minute),
			subscription("active", "", "", item("service-pro", 5000, 1, "month", 1, ""), item("content-starter", 2500, 1, "month", 1, "")))
		one := strings.Replace(stripeEvent("evt_g", "customer.subscription.updated", now.Add(2*time.Minute),
			subscription("active", "", "", item("service-pro", 5000, 1, "month", 1, ""))),
			`"data":{"object":`, `"data":{"previous_attributes":{"items":{"object":"list","data":[`+
				item("service-pro", 5000, 1, "month", 1, "")+","+item("content-starter", 2500, 1, "month", 1, "")+`]}},"object":`, 1)
		for _, p := range []string{two, one} {
			if st, body := deliver(a, p, whsec, signedAt); st != http.StatusOK {
				t.Fatalf("items: %d %s", st, body)
			}
		}
		if s, c := lineMRR(t, a, "service-pro"), lineMRR(t, a, "content-starter"); s != 5000 || c != 0 {
			t.Errorf("after removing content-starter: service-pro %d, content-starter %d", s, c)
		}
		// Without a configured secret nothing is accepted.
		b := newApp(t, e, web.Config{})
		if st, _ := deliver(b, first, "", signedAt); st != http.StatusUnauthorized {
			t.Errorf("no secret configured: %d", st)
		}
	})
}
