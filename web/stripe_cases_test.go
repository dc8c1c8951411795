package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// deliverOK delivers an event and fails the test unless it is accepted.
func deliverOK(t *testing.T, a *app, payload string) string {
	t.Helper()
	status, body := deliver(a, payload, whsec, time.Now())
	if status != http.StatusOK {
		t.Fatalf("delivery: %d %s", status, body)
	}
	return body
}

// stripeAttention is the Stripe page as the program admin sees it.
func stripeAttention(a *app) string { return a.signIn(st.AdminEmail).get("/admin/stripe") }

// A 25 % forever coupon off a 10000 subscription, in every API version's
// shape: 7500 wherever the delivery carries the coupon; where it carries
// only the discount's id and the server has no API key to read it, the
// price before the discount, marked unconfirmed and listed for admins.
func TestStripeDiscountsInEveryAPIVersion(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		for i, v := range stripeVersions {
			sub := sSub(fmt.Sprintf("sub_v%d", i), "active", sItem(fmt.Sprintf("si_v%d", i), sPrice("service-pro", 10000, "month", 1), 1))
			sub.Discounts = []*stripe.Discount{sForever(fmt.Sprintf("di_v%d", i), 25, 0)}
			// Each version's subscription replaces the one before.
			if i > 0 {
				deliverOK(t, a, event(t, evID("end", i), "customer.subscription.deleted", st.Now.Add(time.Duration(2*i-1)*time.Minute), v.name,
					v.shape(object(t, sSub(fmt.Sprintf("sub_v%d", i-1), "canceled", sItem(fmt.Sprintf("si_v%d", i-1), sPrice("service-pro", 10000, "month", 1), 1)))), nil))
			}
			deliverOK(t, a, event(t, evID("v", i), "customer.subscription.updated", st.Now.Add(time.Duration(2*i)*time.Minute), v.name, v.shape(object(t, sub)), nil))
			want := int64(7500)
			if v.ids {
				want = 10000
			}
			if got := lineMRR(t, a, "service-pro"); got != want {
				t.Errorf("%s: line MRR %d, want %d", v.name, got, want)
			}
			page := stripeAttention(a)
			if listed := strings.Contains(page, evID("v", i)); listed != v.ids {
				t.Errorf("%s: the delivery listed as unconfirmed: %v, want %v", v.name, listed, v.ids)
			}
			lines, _, _ := strings.Cut(page, `data-testid="stripe-attention"`)
			if listed := strings.Contains(lines, "<code>"+sub.ID+"</code>"); listed != v.ids {
				t.Errorf("%s: the line listed as unconfirmed: %v, want %v", v.name, listed, v.ids)
			}
		}
		if page := stripeAttention(a); !strings.Contains(page, "No Stripe API key is configured") {
			t.Errorf("the Stripe page does not say why the MRR is unconfirmed:\n%s", page)
		}
	})
}

// Several subscriptions of one customer for one product add up, and
// deleting one leaves the others.
func TestStripeSubscriptionsOfOneCustomerAddUp(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		v := stripe.APIVersion
		first := sSub("sub_a", "active", sItem("si_a", sPrice("service-pro", 10000, "month", 1), 1))
		second := sSub("sub_b", "active", sItem("si_b", sPrice("service-pro", 5000, "month", 1), 1))
		deliverOK(t, a, event(t, "evt_a", "customer.subscription.created", st.Now, v, object(t, first), nil))
		deliverOK(t, a, event(t, "evt_b", "customer.subscription.created", st.Now.Add(time.Minute), v, object(t, second), nil))
		if got := lineMRR(t, a, "service-pro"); got != 15000 {
			t.Errorf("two subscriptions: line MRR %d, want 15000", got)
		}
		second.Status = stripe.SubscriptionStatusCanceled
		deliverOK(t, a, event(t, "evt_c", "customer.subscription.deleted", st.Now.Add(2*time.Minute), v, object(t, second), nil))
		if got := lineMRR(t, a, "service-pro"); got != 10000 {
			t.Errorf("one deleted: line MRR %d, want the other's 10000", got)
		}
		// The first one's older event, delivered late, changes nothing.
		old := sSub("sub_a", "active", sItem("si_a", sPrice("service-pro", 20000, "month", 1), 1))
		deliverOK(t, a, event(t, "evt_0", "customer.subscription.updated", st.Now.Add(-time.Hour), v, object(t, old), nil))
		if got := lineMRR(t, a, "service-pro"); got != 10000 {
			t.Errorf("a late older event: line MRR %d, want 10000", got)
		}
	})
}

// Events of one second end in Stripe's order, not the event ids': created
// before updated, and an update after the one whose status it changed.
func TestStripeSameSecondEventsFollowStripesOrder(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		v := stripe.APIVersion
		for i, c := range []struct {
			created, updated string // event ids: either may sort first
			updatedFirst     bool   // delivery order
		}{
			{"evt_1a", "evt_1b", false}, {"evt_2b", "evt_2a", false}, {"evt_3a", "evt_3b", true}, {"evt_4b", "evt_4a", true},
		} {
			id := fmt.Sprintf("sub_s%d", i)
			at := st.Now.Add(time.Duration(i) * time.Hour)
			incomplete := sSub(id, "incomplete", sItem("si_"+id, sPrice("service-pro", 10000, "month", 1), 1))
			active := sSub(id, "active", sItem("si_"+id, sPrice("service-pro", 10000, "month", 1), 1))
			created := event(t, c.created, "customer.subscription.created", at, v, object(t, incomplete), nil)
			updated := event(t, c.updated, "customer.subscription.updated", at, v, object(t, active), map[string]any{"status": "incomplete"})
			order := []string{created, updated}
			if c.updatedFirst {
				order = []string{updated, created}
			}
			for _, p := range order {
				deliverOK(t, a, p)
			}
			// Then a second update in the same second, which Stripe sends
			// after the first: past_due from active, whatever the ids.
			pastDue := sSub(id, "past_due", sItem("si_"+id, sPrice("service-pro", 8000, "month", 1), 1))
			later := event(t, c.created+"x", "customer.subscription.updated", at, v, object(t, pastDue), map[string]any{"status": "active"})
			deliverOK(t, a, later)
			if got := lineMRR(t, a, "service-pro"); got != 8000 {
				t.Errorf("case %d: line MRR %d, want the last update's 8000", i, got)
			}
			// The subscription ends, so that the next case starts from 0.
			deliverOK(t, a, event(t, c.created+"z", "customer.subscription.deleted", at.Add(time.Minute), v, object(t, pastDue), nil))
		}
	})
}

// Quantities: 0 is none, transform_quantity divides and rounds, metered
// items count 0 and are listed for admins. Tax: an inclusive rate is taken
// out whatever the price's tax_behavior. Paused collection that voids or
// marks invoices uncollectible brings nothing. A legacy plan is a price.
func TestStripeQuantitiesTaxPausesAndPlans(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		v := stripe.APIVersion
		price := func() *stripe.Price { return sPrice("service-pro", 10000, "month", 1) }
		seats := price()
		seats.UnitAmount, seats.UnitAmountDecimal = 1000, 1000
		seats.TransformQuantity = &stripe.PriceTransformQuantity{DivideBy: 10, Round: stripe.PriceTransformQuantityRoundUp}
		seatsDown := price()
		seatsDown.UnitAmount, seatsDown.UnitAmountDecimal = 1000, 1000
		seatsDown.TransformQuantity = &stripe.PriceTransformQuantity{DivideBy: 10, Round: stripe.PriceTransformQuantityRoundDown}
		metered := price()
		metered.Recurring.UsageType = stripe.PriceRecurringUsageTypeMetered
		taxed := sItem("si_1", price(), 1)
		taxed.Price.UnitAmount, taxed.Price.UnitAmountDecimal = 11900, 11900
		taxed.Price.TaxBehavior = stripe.PriceTaxBehaviorUnspecified
		taxed.TaxRates = []*stripe.TaxRate{{ID: "txr_de", Object: "tax_rate", Percentage: 19, Inclusive: true}}
		exclusive := sItem("si_1", price(), 1)
		exclusive.TaxRates = []*stripe.TaxRate{{ID: "txr_us", Object: "tax_rate", Percentage: 8.875, Inclusive: false}}
		paused := func(b stripe.SubscriptionPauseCollectionBehavior) *stripe.Subscription {
			s := sSub("sub_1", "active", sItem("si_1", price(), 2))
			s.PauseCollection = &stripe.SubscriptionPauseCollection{Behavior: b}
			return s
		}
		cases := []struct {
			name   string
			sub    map[string]any
			want   int64
			listed bool // in the deliveries needing attention
		}{
			{"quantity 0", func() map[string]any {
				m := object(t, sSub("sub_1", "active", sItem("si_1", price(), 0)))
				m["items"].(map[string]any)["data"].([]any)[0].(map[string]any)["quantity"] = 0
				return m
			}(), 0, false},
			{"25 seats at 1000 a 10 seats, rounded up", object(t, sSub("sub_1", "active", sItem("si_1", seats, 25))), 3000, false},
			{"25 seats at 1000 a 10 seats, rounded down", object(t, sSub("sub_1", "active", sItem("si_1", seatsDown, 25))), 2000, false},
			{"metered", object(t, sSub("sub_1", "active", sItem("si_1", metered, 0))), 0, true},
			{"an inclusive 19 % rate, tax_behavior unspecified", object(t, sSub("sub_1", "active", taxed)), 10000, false},
			{"an exclusive rate stays out", object(t, sSub("sub_1", "active", exclusive)), 10000, false},
			{"paused, invoices voided", object(t, paused(stripe.SubscriptionPauseCollectionBehaviorVoid)), 0, false},
			{"paused, invoices marked uncollectible", object(t, paused(stripe.SubscriptionPauseCollectionBehaviorMarkUncollectible)), 0, false},
			{"paused, invoices kept as drafts", object(t, paused(stripe.SubscriptionPauseCollectionBehaviorKeepAsDraft)), 20000, false},
			{"a legacy plan without a price", stripeVersions[len(stripeVersions)-1].shape(object(t, sSub("sub_1", "active", sItem("si_1", price(), 3)))), 30000, false},
		}
		for i, c := range cases {
			id := evID("q", i)
			deliverOK(t, a, event(t, id, "customer.subscription.updated", st.Now.Add(time.Duration(i)*time.Minute), v, c.sub, nil))
			if got := lineMRR(t, a, "service-pro"); got != c.want {
				t.Errorf("%s: line MRR %d, want %d", c.name, got, c.want)
			}
			if listed := strings.Contains(stripeAttention(a), id); listed != c.listed {
				t.Errorf("%s: listed for admins %v, want %v", c.name, listed, c.listed)
			}
		}
	})
}

// Money is exact: decimal unit amounts and percentages are read as sent,
// and the sum is rounded once, half up.
func TestStripeMoneyIsExact(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		decimalPrice := func(unit string, interval string) map[string]any {
			sub := sSub("sub_1", "active", sItem("si_1", sPrice("service-pro", 0, interval, 1), 3))
			m := object(t, sub)
			m["items"].(map[string]any)["data"].([]any)[0].(map[string]any)["price"].(map[string]any)["unit_amount_decimal"] = unit
			return m
		}
		weekly := decimalPrice("1234.567891", "week")
		weekly["discounts"] = []any{object(t, sForever("di_1", 12.5, 0))}
		weekly["items"].(map[string]any)["data"].([]any)[0].(map[string]any)["tax_rates"] = []any{map[string]any{"id": "txr_ch", "object": "tax_rate", "percentage": 7.7, "inclusive": true}}
		for i, c := range []struct {
			name string
			sub  map[string]any
			want int64
		}{
			// 3 × 1234.567891 × 52 / 12 ÷ 1.077 × 0.875 = 13039.19…
			{"a decimal weekly price, an inclusive 7.7 % rate, 12.5 % off", weekly, 13039},
			{"3 × 0.5 is 1.5, rounded up", decimalPrice("0.5", "month"), 2},
			{"two items of 1.5 are 3, rounded once (not 2 + 2)", func() map[string]any {
				m := decimalPrice("0.5", "month")
				items := m["items"].(map[string]any)
				second := object(t, sItem("si_2", sPrice("service-pro", 0, "month", 1), 3))
				second["price"].(map[string]any)["unit_amount_decimal"] = "0.5"
				items["data"] = append(items["data"].([]any), second)
				return m
			}(), 3},
		} {
			deliverOK(t, a, event(t, evID("exact", i), "customer.subscription.updated", st.Now.Add(time.Duration(i)*time.Minute), stripe.APIVersion, c.sub, nil))
			if got := lineMRR(t, a, "service-pro"); got != c.want {
				t.Errorf("%s: line MRR %d, want %d", c.name, got, c.want)
			}
		}
	})
}

// A subscription in another currency than the program's is refused, with
// the reason in the deliveries needing attention; in the program's own
// currency a zero-decimal amount is whole units, as Stripe sends it.
func TestStripeCurrencies(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		v := stripe.APIVersion
		before := countEvents(t, a)
		for i, cur := range []stripe.Currency{stripe.CurrencyEUR, stripe.CurrencyJPY} {
			sub := sSub("sub_1", "active", sItem("si_1", sPrice("service-pro", 10000, "month", 1), 1))
			sub.Currency, sub.Items.Data[0].Price.Currency = cur, cur
			body := deliverOK(t, a, event(t, evID("cur", i), "customer.subscription.created", st.Now.Add(time.Duration(i)*time.Minute), v, object(t, sub), nil))
			if !strings.Contains(body, `"refused":"currency"`) {
				t.Errorf("%s in a USD program: %s, want refused", cur, body)
			}
			if page := stripeAttention(a); !strings.Contains(page, evID("cur", i)) || !strings.Contains(page, strings.ToUpper(string(cur))+" ≠ USD") {
				t.Errorf("%s: the refusal is not listed for admins", cur)
			}
		}
		if n := countEvents(t, a); n != before {
			t.Errorf("refused deliveries wrote %d billing events", n-before)
		}
		prog, err := a.db.Program(ctx())
		if err != nil {
			t.Fatal(err)
		}
		prog.Currency = "JPY"
		if err := a.db.SaveProgram(ctx(), prog); err != nil {
			t.Fatal(err)
		}
		sub := sSub("sub_1", "active", sItem("si_1", sPrice("service-pro", 10000, "month", 1), 1))
		sub.Currency, sub.Items.Data[0].Price.Currency = stripe.CurrencyJPY, stripe.CurrencyJPY
		deliverOK(t, a, event(t, "evt_jpy", "customer.subscription.created", st.Now.Add(time.Hour), v, object(t, sub), nil))
		if got := lineMRR(t, a, "service-pro"); got != 10000 {
			t.Errorf("¥10,000 in a JPY program: line MRR %d, want 10000", got)
		}
	})
}

// With the program's exchange rates, a subscription in another currency
// is converted into the program's minor units, zero-decimal currencies
// included; a rate the form cannot read is refused with a message.
func TestStripeCurrenciesConvertWithTheProgramsRates(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/stripe")
		if body := admin.post("/admin/stripe/rates", url.Values{"rates": {"EUR 1,08"}}); admin.status != http.StatusBadRequest || !strings.Contains(body, "positive decimal") {
			t.Errorf("a bad rate: %d %s", admin.status, body)
		}
		admin.post("/admin/stripe/rates", url.Values{"rates": {"EUR 1.0825\njpy 0.0067\n"}})
		if page := admin.get("/admin/stripe"); !strings.Contains(page, "EUR 1.0825") || !strings.Contains(page, "JPY 0.0067") {
			t.Fatalf("the rates are not saved:\n%s", page)
		}
		for i, c := range []struct {
			cur  stripe.Currency
			unit int64
			want int64
		}{
			{stripe.CurrencyEUR, 10000, 10825}, // €100.00 × 1.0825 = $108.25
			{stripe.CurrencyJPY, 10000, 6700},  // ¥10,000 × 0.0067 = $67.00
			{stripe.CurrencyEUR, 333, 360},     // €3.33 × 1.0825 = $3.604725, rounded once
		} {
			sub := sSub("sub_1", "active", sItem("si_1", sPrice("service-pro", c.unit, "month", 1), 1))
			sub.Currency, sub.Items.Data[0].Price.Currency = c.cur, c.cur
			deliverOK(t, a, event(t, evID("fx", i), "customer.subscription.updated", st.Now.Add(time.Duration(i)*time.Minute), stripe.APIVersion, object(t, sub), nil))
			if got := lineMRR(t, a, "service-pro"); got != c.want {
				t.Errorf("%d %s: line MRR %d, want %d", c.unit, c.cur, got, c.want)
			}
		}
	})
}

// A partner_id that names no partner is recorded without a partner and
// listed for admins, rather than refused (which Stripe would retry for
// days, recording nothing).
func TestStripeUnknownPartnerIsRecordedAndListed(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		sub := sSub("sub_1", "active", sItem("si_1", sPrice("service-pro", 10000, "month", 1), 1))
		sub.Metadata = map[string]string{"partner_id": "p-nobody"}
		deliverOK(t, a, event(t, "evt_nobody", "customer.subscription.created", st.Now, stripe.APIVersion, object(t, sub), nil))
		if got := lineMRR(t, a, "service-pro"); got != 10000 {
			t.Errorf("line MRR %d, want 10000", got)
		}
		rows, _ := a.db.QueryRaw(ctx(), "SELECT COUNT(*) FROM billing_events WHERE external_id = 'stripe:evt_nobody:service-pro' AND partner_id IS NULL")
		n := 0
		rows.Next()
		rows.Scan(&n)
		rows.Close()
		if n != 1 {
			t.Errorf("the event is not recorded without a partner")
		}
		if page := stripeAttention(a); !strings.Contains(page, "evt_nobody") || !strings.Contains(page, "p-nobody") {
			t.Errorf("the unknown partner is not listed for admins:\n%s", page)
		}
	})
}

// A signature more than the tolerance ahead of the server's clock is
// refused, as one more than the tolerance behind is.
func TestStripeFutureSignaturesAreRefused(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec})
		sub := sSub("sub_1", "active", sItem("si_1", sPrice("service-pro", 10000, "month", 1), 1))
		payload := event(t, "evt_future", "customer.subscription.created", st.Now, stripe.APIVersion, object(t, sub), nil)
		if status, body := deliver(a, payload, whsec, time.Now().Add(10*time.Minute)); status != http.StatusUnauthorized {
			t.Errorf("signed 10 minutes ahead: %d %s, want 401", status, body)
		}
		if status, body := deliver(a, payload, whsec, time.Now().Add(time.Minute)); status != http.StatusOK {
			t.Errorf("signed a minute ahead (within the tolerance): %d %s", status, body)
		}
	})
}
