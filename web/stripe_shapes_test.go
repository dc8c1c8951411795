package web_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// Payloads built from stripe-go's types, at the API version it pins
// (stripe.APIVersion), then rewritten into the shapes older API versions
// still deliver to accounts pinned on them.

// stripeVersion is an API version's shape of the fields the webhook reads.
type stripeVersion struct {
	name string
	// ids: discounts come as "di_…" ids, as webhooks send them since
	// 2025-03-31 (expandable fields are not expanded in events).
	ids bool
	// couponAt: where an expanded discount has its coupon: "source"
	// (since 2025-09-30) or "coupon" (before).
	couponAt string
	// single: the subscription has the single "discount" object (before
	// 2025-03-31), the discounts array being its id.
	single bool
	// plan: items carry the legacy plan beside the price ("both") or
	// instead of it ("only"), as versions before 2018-02-05 do.
	plan string
}

var stripeVersions = []stripeVersion{
	{name: stripe.APIVersion + " (stripe-go's), as webhooks send it", ids: true, couponAt: "source"},
	{name: stripe.APIVersion + " (stripe-go's), expanded", couponAt: "source"},
	{name: "2025-09-30.clover, as webhooks send it", ids: true, couponAt: "source", plan: "both"},
	{name: "2025-03-31.basil, as webhooks send it", ids: true, couponAt: "coupon", plan: "both"},
	{name: "2025-03-31.basil, expanded", couponAt: "coupon", plan: "both"},
	{name: "2024-06-20", single: true, couponAt: "coupon", plan: "both"},
	{name: "2017-08-15", single: true, couponAt: "coupon", plan: "only"},
}

func sPrice(product string, unit int64, interval string, count int64) *stripe.Price {
	return &stripe.Price{ID: "price_" + product, Object: "price", LookupKey: product, Currency: stripe.CurrencyUSD, UnitAmount: unit,
		UnitAmountDecimal: float64(unit), BillingScheme: stripe.PriceBillingSchemePerUnit, Type: stripe.PriceTypeRecurring,
		Recurring: &stripe.PriceRecurring{Interval: stripe.PriceRecurringInterval(interval), IntervalCount: count, UsageType: stripe.PriceRecurringUsageTypeLicensed}}
}

func sItem(id string, p *stripe.Price, qty int64) *stripe.SubscriptionItem {
	return &stripe.SubscriptionItem{ID: id, Object: "subscription_item", Price: p, Quantity: qty}
}

func sSub(id, status string, items ...*stripe.SubscriptionItem) *stripe.Subscription {
	return &stripe.Subscription{ID: id, Object: "subscription", Customer: &stripe.Customer{ID: "cus_northwind"},
		Status: stripe.SubscriptionStatus(status), Currency: stripe.CurrencyUSD, Items: &stripe.SubscriptionItemList{Data: items}}
}

func sForever(id string, pct float64, amountOff int64) *stripe.Discount {
	c := &stripe.Coupon{ID: "coupon_" + id, Object: "coupon", Duration: stripe.CouponDurationForever, PercentOff: pct, AmountOff: amountOff}
	if amountOff > 0 {
		c.Currency = stripe.CurrencyUSD
	}
	return &stripe.Discount{ID: id, Object: "discount", Source: &stripe.DiscountSource{Type: "coupon", Coupon: c}}
}

// object renders a stripe-go object as a JSON map, to be shaped.
func object(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// shape rewrites a subscription rendered at stripe-go's version into v's.
func (v stripeVersion) shape(sub map[string]any) map[string]any {
	discounts := func(ds any) []any {
		list, _ := ds.([]any)
		out := make([]any, 0, len(list))
		for _, d := range list {
			d := d.(map[string]any)
			if v.couponAt == "coupon" {
				d["coupon"] = d["source"].(map[string]any)["coupon"]
				delete(d, "source")
			}
			if v.ids {
				out = append(out, d["id"])
			} else {
				out = append(out, d)
			}
		}
		return out
	}
	if v.single {
		if list, _ := sub["discounts"].([]any); len(list) > 0 {
			d := discounts(list[:1])[0].(map[string]any)
			sub["discount"] = d
			sub["discounts"] = []any{d["id"]}
		} else {
			sub["discount"] = nil
			sub["discounts"] = []any{}
		}
	} else {
		sub["discounts"] = discounts(sub["discounts"])
	}
	for _, it := range sub["items"].(map[string]any)["data"].([]any) {
		it := it.(map[string]any)
		it["discounts"] = discounts(it["discounts"])
		if v.single {
			delete(it, "discounts")
		}
		if p, ok := it["price"].(map[string]any); ok && v.plan != "" {
			r := p["recurring"].(map[string]any)
			plan := map[string]any{"id": p["lookup_key"], "object": "plan", "amount": p["unit_amount"], "amount_decimal": p["unit_amount_decimal"],
				"currency": p["currency"], "interval": r["interval"], "interval_count": r["interval_count"], "usage_type": r["usage_type"],
				"billing_scheme": p["billing_scheme"], "metadata": p["metadata"], "transform_usage": p["transform_quantity"]}
			it["plan"] = plan
			if v.plan == "only" {
				delete(it, "price")
			}
		}
	}
	return sub
}

// event wraps a subscription object in an event; prev is its
// previous_attributes, or nil.
func event(t *testing.T, id, typ string, created time.Time, version string, sub map[string]any, prev map[string]any) string {
	t.Helper()
	data := map[string]any{"object": sub}
	if prev != nil {
		data["previous_attributes"] = prev
	}
	b, err := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": version, "created": created.Unix(),
		"type": typ, "livemode": false, "data": data})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func evID(prefix string, i int) string { return fmt.Sprintf("evt_%s_%d", prefix, i) }
