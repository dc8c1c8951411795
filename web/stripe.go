package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/store"
)

// The Stripe webhook turns subscription events into billing events: one
// per Partnerdesk product of the subscription, with its MRR. Deliveries
// are verified with stripe-go against the endpoint's signing secret and
// refused when forged or older than the tolerance. A billing event's id is
// the Stripe event's id and the product, so that a redelivery is a no-op;
// its time is the Stripe event's, so that events processed out of order
// give the same lines and clients.

// stripeTolerance is how old a signed delivery may be (Stripe's default).
const stripeTolerance = 5 * time.Minute

var stripeSubscriptionEvents = map[stripe.EventType]bool{
	"customer.subscription.created": true,
	"customer.subscription.updated": true,
	"customer.subscription.deleted": true,
}

func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) error {
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	if s.cfg.StripeWebhookSecret == "" {
		return pd.Errorf(pd.EUnauthorized, "This server has no Stripe webhook secret (PARTNERDESK_STRIPE_WEBHOOK_SECRET), so it cannot verify deliveries.")
	}
	// The subscription is read field by field below, so an account on
	// another API version than stripe-go's is fine.
	ev, err := webhook.ConstructEventWithOptions(payload, r.Header.Get("Stripe-Signature"), s.cfg.StripeWebhookSecret,
		webhook.ConstructEventOptions{Tolerance: stripeTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		if err == webhook.ErrTooOld || err == webhook.ErrNoValidSignature || err == webhook.ErrNotSigned || err == webhook.ErrInvalidHeader {
			return pd.Errorf(pd.EUnauthorized, "The Stripe-Signature header is missing, does not match, or is too old.")
		}
		return pd.Errorf(pd.EInvalid, "The delivery is not a Stripe event.")
	}
	if !stripeSubscriptionEvents[ev.Type] {
		writeJSON(w, http.StatusOK, map[string]any{"ignored": ev.Type})
		return nil
	}
	sub, err := stripeSubscription(ev)
	if err != nil {
		return err
	}
	ctx := pd.WithPrincipal(r.Context(), &pd.Principal{Name: "Stripe", Integration: "stripe"})
	res, err := s.db.Ingest(ctx, false, func(in *store.Ingest) error {
		account, err := in.ClientByStripeCustomer(sub.customer)
		if err != nil {
			return err
		}
		recs, problems := sub.billingEvents(ev, account)
		if len(problems) > 0 {
			return &pd.BatchError{Problems: problems}
		}
		return in.BillingEvents(recs, 0)
	})
	s.countIngest(metrics.DoorStripe, res.Received, false, err)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// subscription is what the mapping reads of a Stripe subscription.
type subscription struct {
	*stripe.Subscription
	customer string
	partner  string
	removed  []*stripe.SubscriptionItem // items of the previous version, for updates
	legacy   *stripe.Discount           // the single "discount" of older API versions
}

func stripeSubscription(ev stripe.Event) (*subscription, error) {
	if ev.Data == nil {
		return nil, pd.Errorf(pd.EInvalid, "The event has no data.")
	}
	var sub stripe.Subscription
	if err := json.Unmarshal(ev.Data.Raw, &sub); err != nil || sub.ID == "" {
		return nil, pd.Errorf(pd.EInvalid, "The event's object is not a subscription.")
	}
	if sub.Customer == nil || sub.Customer.ID == "" {
		return nil, pd.Errorf(pd.EInvalid, "The subscription names no customer.")
	}
	s := &subscription{Subscription: &sub, customer: sub.Customer.ID}
	var legacy struct {
		Discount *stripe.Discount `json:"discount"`
	}
	if json.Unmarshal(ev.Data.Raw, &legacy) == nil {
		s.legacy = legacy.Discount
	}
	s.partner = sub.Metadata["partner_id"]
	if s.partner == "" && sub.Customer.Metadata != nil {
		s.partner = sub.Customer.Metadata["partner_id"]
	}
	if prev, ok := ev.Data.PreviousAttributes["items"]; ok {
		b, _ := json.Marshal(prev)
		var items stripe.SubscriptionItemList
		if json.Unmarshal(b, &items) == nil {
			s.removed = items.Data
		}
	}
	return s, nil
}

// billingEvents maps the subscription to one billing event per product:
// products of items removed since the previous version get 0.
func (s *subscription) billingEvents(ev stripe.Event, account string) ([]pd.BillingEventRecord, []pd.Problem) {
	var problems []pd.Problem
	mrr := map[string]int64{}
	var items []*stripe.SubscriptionItem
	if s.Items != nil {
		for _, it := range s.Items.Data {
			if it != nil {
				items = append(items, it)
			}
		}
	}
	paying := s.Status == stripe.SubscriptionStatusActive || s.Status == stripe.SubscriptionStatusPastDue
	if ev.Type == "customer.subscription.deleted" {
		paying = false
	}
	amounts := make([]rat, len(items))
	var total rat
	for i, it := range items {
		code, err := productOf(it)
		if err != nil {
			problems = append(problems, pd.Problem{Index: i, Field: "items." + strconv.Itoa(i) + ".price", Code: pd.EInvalid, Reason: err.Error()})
			continue
		}
		mrr[code] += 0
		if !paying {
			continue
		}
		a, err := s.itemMRR(it)
		if err != nil {
			problems = append(problems, pd.Problem{Index: i, Field: "items." + strconv.Itoa(i) + ".price", Code: pd.EInvalid, Reason: err.Error()})
			continue
		}
		amounts[i] = a
		total = total.add(a)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	// A subscription-wide forever coupon: a percentage of each item, or an
	// amount a month shared in proportion to the items' MRR.
	pct, amount := s.foreverDiscount(append(append([]*stripe.Discount{}, s.Discounts...), s.legacy))
	for i, it := range items {
		if !paying {
			continue
		}
		a := amounts[i]
		if ipct, iamount := s.foreverDiscount(it.Discounts); ipct > 0 || !iamount.zero() {
			a = a.percentOff(ipct).sub(iamount)
		}
		a = a.percentOff(pct)
		if !amount.zero() && !total.zero() {
			a = a.sub(amount.mul(amounts[i]).div(total))
		}
		code, _ := productOf(it)
		mrr[code] += a.round()
	}
	for _, it := range s.removed {
		if it == nil {
			continue
		}
		if code, err := productOf(it); err == nil {
			if _, still := mrr[code]; !still {
				mrr[code] = 0
			}
		}
	}
	codes := make([]string, 0, len(mrr))
	for c := range mrr {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	recs := make([]pd.BillingEventRecord, len(codes))
	for i, c := range codes {
		recs[i] = pd.BillingEventRecord{ID: "stripe:" + ev.ID + ":" + c, OccurredAt: time.Unix(ev.Created, 0).UTC(),
			Client: account, Partner: s.partner, Product: c, MRR: max(mrr[c], 0)}
	}
	return recs, nil
}

// productOf finds the Partnerdesk product of an item: its price's lookup
// key, or a product_code in the price's or the item's metadata.
func productOf(it *stripe.SubscriptionItem) (string, error) {
	var cands []string
	if p := it.Price; p != nil {
		cands = append(cands, p.LookupKey, p.Metadata["product_code"])
	}
	cands = append(cands, it.Metadata["product_code"])
	for _, c := range cands {
		if _, ok := pd.ProductByCode(c); ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("no Partnerdesk product: give the price the lookup key of a product code (such as marketing-pro), or metadata product_code")
}

// itemMRR is an item's price × quantity a month, without taxes: annual
// ÷ 12, quarterly (3 months) ÷ 3, weekly × 52 / 12, daily × 365 / 12.
func (s *subscription) itemMRR(it *stripe.SubscriptionItem) (rat, error) {
	p := it.Price
	if p == nil || p.Recurring == nil {
		return rat{}, fmt.Errorf("the price is not recurring")
	}
	if p.BillingScheme == stripe.PriceBillingSchemeTiered {
		return rat{}, fmt.Errorf("tiered prices are not supported")
	}
	unit := rat{p.UnitAmount, 1}
	if p.UnitAmount == 0 && p.UnitAmountDecimal != 0 {
		unit = rat{int64(p.UnitAmountDecimal*1e6 + 0.5), 1e6}
	}
	q := it.Quantity
	if q == 0 {
		q = 1
	}
	a := unit.mulInt(q)
	n := p.Recurring.IntervalCount
	if n <= 0 {
		n = 1
	}
	switch p.Recurring.Interval {
	case stripe.PriceRecurringIntervalMonth:
		a = a.divInt(n)
	case stripe.PriceRecurringIntervalYear:
		a = a.divInt(12 * n)
	case stripe.PriceRecurringIntervalWeek:
		a = a.mulInt(52).divInt(12 * n)
	case stripe.PriceRecurringIntervalDay:
		a = a.mulInt(365).divInt(12 * n)
	default:
		return rat{}, fmt.Errorf("unknown billing interval %q", p.Recurring.Interval)
	}
	// Prices that include tax: take out the inclusive tax rates.
	if p.TaxBehavior == stripe.PriceTaxBehaviorInclusive {
		rates := it.TaxRates
		if len(rates) == 0 {
			rates = s.DefaultTaxRates
		}
		var pct float64
		for _, r := range rates {
			if r != nil && r.Inclusive {
				pct += r.Percentage
			}
		}
		if pct > 0 {
			a = a.mulInt(1e6).divInt(int64(1e6 + pct*1e4 + 0.5))
		}
	}
	return a, nil
}

// foreverDiscount sums the forever coupons of discounts: a percentage off
// and an amount off per month (amounts are per invoice, so normalised by
// the subscription's first billing interval).
func (s *subscription) foreverDiscount(ds []*stripe.Discount) (pct float64, amount rat) {
	for _, d := range ds {
		if d == nil || d.Coupon == nil || d.Coupon.Duration != stripe.CouponDurationForever || d.End != 0 {
			continue
		}
		pct += d.Coupon.PercentOff
		if d.Coupon.AmountOff > 0 {
			amount = amount.add(s.perMonth(d.Coupon.AmountOff))
		}
	}
	return min(pct, 100), amount
}

func (s *subscription) perMonth(perInvoice int64) rat {
	a := rat{perInvoice, 1}
	if s.Items == nil || len(s.Items.Data) == 0 || s.Items.Data[0] == nil || s.Items.Data[0].Price == nil || s.Items.Data[0].Price.Recurring == nil {
		return a
	}
	r := s.Items.Data[0].Price.Recurring
	n := max(r.IntervalCount, 1)
	switch r.Interval {
	case stripe.PriceRecurringIntervalYear:
		return a.divInt(12 * n)
	case stripe.PriceRecurringIntervalWeek:
		return a.mulInt(52).divInt(12 * n)
	case stripe.PriceRecurringIntervalDay:
		return a.mulInt(365).divInt(12 * n)
	}
	return a.divInt(n)
}

// rat is an exact amount of minor units, n/d, rounded half up only once,
// at the end, so that normalising and discounting lose nothing.
type rat struct{ n, d int64 }

func (a rat) zero() bool { return a.n == 0 }
func (a rat) norm() rat {
	if a.d == 0 {
		return rat{0, 1}
	}
	g := gcd(abs(a.n), a.d)
	if g > 1 {
		return rat{a.n / g, a.d / g}
	}
	return a
}
func (a rat) add(b rat) rat {
	a, b = a.norm(), b.norm()
	return rat{a.n*b.d + b.n*a.d, a.d * b.d}.norm()
}
func (a rat) sub(b rat) rat      { return a.add(rat{-b.n, b.norm().d}) }
func (a rat) mulInt(k int64) rat { a = a.norm(); return rat{a.n * k, a.d}.norm() }
func (a rat) divInt(k int64) rat { a = a.norm(); return rat{a.n, a.d * k}.norm() }
func (a rat) mul(b rat) rat      { a, b = a.norm(), b.norm(); return rat{a.n * b.n, a.d * b.d}.norm() }
func (a rat) div(b rat) rat      { a, b = a.norm(), b.norm(); return rat{a.n * b.d, a.d * b.n}.norm() }
func (a rat) percentOff(p float64) rat {
	if p <= 0 {
		return a
	}
	return a.mulInt(int64(1e6 - p*1e4 + 0.5)).divInt(1e6)
}
func (a rat) round() int64 {
	a = a.norm()
	if a.d < 0 {
		a = rat{-a.n, -a.d}
	}
	if a.n >= 0 {
		return (2*a.n + a.d) / (2 * a.d)
	}
	return -((-2*a.n + a.d) / (2 * a.d))
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}

func abs(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}
