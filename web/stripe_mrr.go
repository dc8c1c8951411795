package web

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"

	"github.com/stripe/stripe-go/v85"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// The MRR of a Stripe subscription's items, exact (docs/stripe.md):
// amounts are big.Rat fractions of minor units, decimal amounts and
// percentages are read as the decimal text Stripe sent (never through a
// float), and only the sum of a client's product is rounded, once, half up
// (store.StripeSubscription).

// subscription is what the mapping reads of a Stripe subscription:
// stripe-go's type at its API version, and beside it the fields whose
// shape changed across API versions, read as sent.
type subscription struct {
	*stripe.Subscription
	customer   string
	partner    string
	prevStatus string
	// discounts of the subscription and, by item id, of its items.
	discounts     []*discount
	itemDiscounts map[string][]*discount
	quantities    map[string]*int64 // by item id; nil when the item has none (metered)
	// The decimals, as sent: unit amounts by item id, tax rates by item
	// id and the subscription's default ones.
	unitDecimals    map[string]string
	taxRates        map[string][]taxRate
	defaultTaxRates []taxRate
}

// taxRate is what is read of a tax rate, its percentage as sent.
type taxRate struct {
	Percentage json.Number `json:"percentage"`
	Inclusive  bool        `json:"inclusive"`
}

// discount is a discount in any API version's shape: an id alone (not
// expanded, as webhooks send them since 2025-03-31), or an object with its
// coupon at "coupon" (before 2025-09-30) or at "source.coupon".
type discount struct {
	ID         string
	End        int64
	Coupon     *stripe.Coupon
	percentOff string // the coupon's percent_off as sent
}

func (d *discount) UnmarshalJSON(b []byte) error {
	if id, ok := stripe.ParseID(b); ok {
		d.ID = id
		return nil
	}
	type percent struct {
		PercentOff json.Number `json:"percent_off"`
	}
	var v struct {
		ID     string          `json:"id"`
		End    int64           `json:"end"`
		Coupon json.RawMessage `json:"coupon"`
		Source *struct {
			Coupon json.RawMessage `json:"coupon"`
		} `json:"source"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d.ID, d.End = v.ID, v.End
	coupon := v.Coupon
	if v.Source != nil && len(v.Source.Coupon) > 0 && string(v.Source.Coupon) != "null" {
		coupon = v.Source.Coupon
	}
	if len(coupon) == 0 || coupon[0] != '{' {
		return nil // none, or a coupon's id alone: not expanded
	}
	var p percent
	if err := json.Unmarshal(coupon, &d.Coupon); err != nil {
		return err
	}
	if err := json.Unmarshal(coupon, &p); err != nil {
		return err
	}
	d.percentOff = p.PercentOff.String()
	return nil
}

// rawSubscription is the part of a subscription read as sent.
type rawSubscription struct {
	Discount        *discount   `json:"discount"` // the single discount, before 2025-03-31
	Discounts       []*discount `json:"discounts"`
	DefaultTaxRates []taxRate   `json:"default_tax_rates"`
	Items           *struct {
		Data []struct {
			ID        string      `json:"id"`
			Quantity  *int64      `json:"quantity"`
			Discounts []*discount `json:"discounts"`
			TaxRates  []taxRate   `json:"tax_rates"`
			Price     *struct {
				UnitAmountDecimal *string `json:"unit_amount_decimal"`
			} `json:"price"`
			Plan *struct {
				AmountDecimal *string `json:"amount_decimal"`
			} `json:"plan"`
		} `json:"data"`
	} `json:"items"`
}

// readSubscription reads a subscription object.
func readSubscription(raw []byte) (*subscription, error) {
	var sub stripe.Subscription
	if err := json.Unmarshal(raw, &sub); err != nil || sub.ID == "" {
		return nil, pd.Errorf(pd.EInvalid, "The event's object is not a subscription.")
	}
	if sub.Customer == nil || sub.Customer.ID == "" {
		return nil, pd.Errorf(pd.EInvalid, "The subscription names no customer.")
	}
	var r rawSubscription
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, pd.Errorf(pd.EInvalid, "The subscription's discounts or items cannot be read.")
	}
	s := &subscription{Subscription: &sub, customer: sub.Customer.ID, itemDiscounts: map[string][]*discount{}, quantities: map[string]*int64{},
		unitDecimals: map[string]string{}, taxRates: map[string][]taxRate{}, defaultTaxRates: r.DefaultTaxRates}
	// The single discount of older versions is also in their discounts,
	// by id: the object stands for it.
	if r.Discount != nil {
		s.discounts = append(s.discounts, r.Discount)
	}
	for _, d := range r.Discounts {
		if d != nil && (r.Discount == nil || d.ID != r.Discount.ID) {
			s.discounts = append(s.discounts, d)
		}
	}
	if r.Items != nil {
		for _, it := range r.Items.Data {
			s.quantities[it.ID] = it.Quantity
			s.itemDiscounts[it.ID] = it.Discounts
			s.taxRates[it.ID] = it.TaxRates
			switch {
			case it.Price != nil && it.Price.UnitAmountDecimal != nil:
				s.unitDecimals[it.ID] = *it.Price.UnitAmountDecimal
			case it.Price == nil && it.Plan != nil && it.Plan.AmountDecimal != nil:
				s.unitDecimals[it.ID] = *it.Plan.AmountDecimal
			}
		}
	}
	s.partner = sub.Metadata["partner_id"]
	if s.partner == "" && sub.Customer.Metadata != nil {
		s.partner = sub.Customer.Metadata["partner_id"]
	}
	return s, nil
}

// unexpanded lists the ids of the discounts sent without their coupon.
func (s *subscription) unexpanded() []string {
	var ids []string
	add := func(ds []*discount) {
		for _, d := range ds {
			if d != nil && d.Coupon == nil {
				ids = append(ids, d.ID)
			}
		}
	}
	add(s.discounts)
	for _, it := range s.items() {
		add(s.itemDiscounts[it.ID])
	}
	return ids
}

// expand fills the unexpanded discounts from the same subscription read
// from Stripe's API with its discounts expanded; those it no longer has
// stay unexpanded.
func (s *subscription) expand(fetched *subscription) {
	byID := map[string]*discount{}
	for _, d := range fetched.discounts {
		byID[d.ID] = d
	}
	for _, ds := range fetched.itemDiscounts {
		for _, d := range ds {
			byID[d.ID] = d
		}
	}
	fill := func(ds []*discount) {
		for i, d := range ds {
			if f, ok := byID[d.ID]; ok && d.Coupon == nil && f.Coupon != nil {
				ds[i] = f
			}
		}
	}
	fill(s.discounts)
	for _, ds := range s.itemDiscounts {
		fill(ds)
	}
}

func (s *subscription) items() []*stripe.SubscriptionItem {
	var items []*stripe.SubscriptionItem
	if s.Items != nil {
		for _, it := range s.Items.Data {
			if it != nil {
				items = append(items, it)
			}
		}
	}
	return items
}

// paying reports whether the subscription brings revenue: active or past
// due, and not paused with its invoices voided or marked uncollectible.
func (s *subscription) paying(deleted bool) bool {
	if deleted || s.Status != stripe.SubscriptionStatusActive && s.Status != stripe.SubscriptionStatusPastDue {
		return false
	}
	if p := s.PauseCollection; p != nil && (p.Behavior == stripe.SubscriptionPauseCollectionBehaviorVoid ||
		p.Behavior == stripe.SubscriptionPauseCollectionBehaviorMarkUncollectible) {
		return false
	}
	return true
}

// mapping is what the items give: their MRR, and what needs attention.
type mapping struct {
	items    []store.StripeItem
	metered  []string // ids of metered items, counted 0
	problems []pd.Problem
}

// mrr maps the items to their MRR after forever discounts: a percentage
// off each item, an amount a month off an item, or off the whole
// subscription shared in proportion to the items' MRR; then converted to
// the program's minor units (factor, conversion). unconfirmed marks every
// item when discounts could not be read.
func (s *subscription) mrr(deleted, unconfirmed bool, factor *big.Rat) mapping {
	var m mapping
	items := s.items()
	paying := s.paying(deleted)
	amounts := make([]*big.Rat, len(items))
	total := new(big.Rat)
	for i, it := range items {
		field := "items." + strconv.Itoa(i)
		code, err := productOf(it)
		if err != nil {
			m.problems = append(m.problems, pd.Problem{Index: i, Field: field + ".price", Code: pd.EInvalid, Reason: err.Error()})
			continue
		}
		amounts[i] = new(big.Rat)
		m.items = append(m.items, store.StripeItem{ID: it.ID, Product: code, MRR: amounts[i], Unconfirmed: unconfirmed})
		if !paying {
			continue
		}
		a, metered, err := s.itemMRR(it)
		if err != nil {
			m.problems = append(m.problems, pd.Problem{Index: i, Field: field + ".price", Code: pd.EInvalid, Reason: err.Error()})
			continue
		}
		if metered {
			m.metered = append(m.metered, it.ID)
		}
		amounts[i].Set(a)
		total.Add(total, a)
	}
	if len(m.problems) > 0 || !paying {
		return m
	}
	pct, amount := s.foreverDiscount(s.discounts)
	for i, it := range items {
		a, base := amounts[i], new(big.Rat).Set(amounts[i])
		ipct, iamount := s.foreverDiscount(s.itemDiscounts[it.ID])
		percentOff(a, ipct)
		a.Sub(a, iamount)
		percentOff(a, pct)
		if amount.Sign() != 0 && total.Sign() != 0 {
			share := new(big.Rat).Mul(amount, base)
			a.Sub(a, share.Quo(share, total))
		}
		a.Mul(a, factor)
	}
	return m
}

// conversion is what an amount in minor units of currency from is
// multiplied by to be in minor units of to, at rate (units of to a unit
// of from).
func conversion(rate *big.Rat, from, to string) *big.Rat {
	f := new(big.Rat).Set(rate)
	f.Mul(f, new(big.Rat).SetFrac(pow10(minorDigits(to)), pow10(minorDigits(from))))
	return f
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// minorDigits is how many decimals a currency's minor unit has, as Stripe
// counts amounts: none for zero-decimal currencies, three for the
// three-decimal ones, else two.
func minorDigits(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "JOD", "KWD", "OMR", "TND":
		return 3
	}
	return 2
}

// terms are a price's or a legacy plan's terms.
type terms struct {
	unit     *big.Rat // minor units a unit
	interval string
	count    int64
	metered  bool
	tiered   bool
	divideBy int64 // transform_quantity / transform_usage
	roundUp  bool
}

func (s *subscription) termsOf(it *stripe.SubscriptionItem) (*terms, error) {
	if p := it.Price; p != nil {
		if p.Recurring == nil {
			return nil, fmt.Errorf("the price is not recurring")
		}
		t := &terms{unit: amountOf(p.UnitAmount, s.unitDecimals[it.ID]), interval: string(p.Recurring.Interval), count: p.Recurring.IntervalCount,
			metered: p.Recurring.UsageType == stripe.PriceRecurringUsageTypeMetered, tiered: p.BillingScheme == stripe.PriceBillingSchemeTiered}
		if q := p.TransformQuantity; q != nil {
			t.divideBy, t.roundUp = q.DivideBy, q.Round == stripe.PriceTransformQuantityRoundUp
		}
		return t, nil
	}
	if p := it.Plan; p != nil {
		t := &terms{unit: amountOf(p.Amount, s.unitDecimals[it.ID]), interval: string(p.Interval), count: p.IntervalCount,
			metered: p.UsageType == stripe.PlanUsageTypeMetered, tiered: p.BillingScheme == stripe.PlanBillingSchemeTiered}
		if q := p.TransformUsage; q != nil {
			t.divideBy, t.roundUp = q.DivideBy, q.Round == stripe.PlanTransformUsageRoundUp
		}
		return t, nil
	}
	return nil, fmt.Errorf("the item has neither a price nor a plan")
}

// amountOf is a unit amount: the decimal one when given (it may have
// fractions of a minor unit), else the integer one.
func amountOf(unit int64, dec string) *big.Rat {
	if r := decimal(dec); r != nil {
		return r
	}
	return new(big.Rat).SetInt64(unit)
}

// decimal reads a decimal as sent ("12.5", "1000.000000000001"); nil if
// it is empty or not one.
func decimal(s string) *big.Rat {
	if s == "" {
		return nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	return r
}

// itemMRR is an item's price × quantity a month, without inclusive taxes:
// annual ÷ 12, quarterly (3 months) ÷ 3, weekly × 52 / 12, daily × 365 /
// 12. A metered item counts 0: what it bills is reported after the period.
func (s *subscription) itemMRR(it *stripe.SubscriptionItem) (a *big.Rat, metered bool, err error) {
	t, err := s.termsOf(it)
	if err != nil {
		return nil, false, err
	}
	if t.tiered {
		return nil, false, fmt.Errorf("tiered prices are not supported")
	}
	if t.metered {
		return new(big.Rat), true, nil
	}
	// Stripe writes the quantity of every licensed item; 1 is its default.
	q := int64(1)
	if p := s.quantities[it.ID]; p != nil {
		q = *p
	} else if it.Quantity != 0 {
		q = it.Quantity
	}
	if t.divideBy > 0 {
		d := q / t.divideBy
		if t.roundUp && q%t.divideBy != 0 {
			d++
		}
		q = d
	}
	a = new(big.Rat).Mul(t.unit, new(big.Rat).SetInt64(q))
	n := max(t.count, 1)
	switch stripe.PriceRecurringInterval(t.interval) {
	case stripe.PriceRecurringIntervalMonth:
		a.Quo(a, big.NewRat(n, 1))
	case stripe.PriceRecurringIntervalYear:
		a.Quo(a, big.NewRat(12*n, 1))
	case stripe.PriceRecurringIntervalWeek:
		a.Mul(a, big.NewRat(52, 12*n))
	case stripe.PriceRecurringIntervalDay:
		a.Mul(a, big.NewRat(365, 12*n))
	default:
		return nil, false, fmt.Errorf("unknown billing interval %q", t.interval)
	}
	// Tax rates marked inclusive are in the price, whatever the price's
	// tax_behavior (which is Stripe Tax's): take them out.
	rates := s.taxRates[it.ID]
	if len(rates) == 0 {
		rates = s.defaultTaxRates
	}
	pct := new(big.Rat)
	for _, r := range rates {
		if p := decimal(r.Percentage.String()); r.Inclusive && p != nil {
			pct.Add(pct, p)
		}
	}
	if pct.Sign() > 0 {
		// a ÷ (1 + pct/100)
		a.Quo(a, pct.Add(big.NewRat(1, 1), pct.Quo(pct, big.NewRat(100, 1))))
	}
	return a, false, nil
}

// foreverDiscount sums the forever coupons of discounts: a percentage off
// (at most 100) and an amount off a month (amounts are per invoice, so
// normalised by the subscription's first billing interval).
func (s *subscription) foreverDiscount(ds []*discount) (pct, amount *big.Rat) {
	pct, amount = new(big.Rat), new(big.Rat)
	for _, d := range ds {
		if d == nil || d.Coupon == nil || d.Coupon.Duration != stripe.CouponDurationForever || d.End != 0 {
			continue
		}
		if p := decimal(d.percentOff); p != nil {
			pct.Add(pct, p)
		}
		if d.Coupon.AmountOff > 0 {
			amount.Add(amount, s.perMonth(d.Coupon.AmountOff))
		}
	}
	if hundred := big.NewRat(100, 1); pct.Cmp(hundred) > 0 {
		pct = hundred
	}
	return pct, amount
}

// percentOff takes pct percent off a, in place.
func percentOff(a, pct *big.Rat) {
	if pct.Sign() > 0 {
		f := new(big.Rat).Quo(pct, big.NewRat(100, 1))
		a.Mul(a, f.Sub(big.NewRat(1, 1), f))
	}
}

func (s *subscription) perMonth(perInvoice int64) *big.Rat {
	a := new(big.Rat).SetInt64(perInvoice)
	items := s.items()
	if len(items) == 0 {
		return a
	}
	t, err := s.termsOf(items[0])
	if err != nil {
		return a
	}
	n := max(t.count, 1)
	switch stripe.PriceRecurringInterval(t.interval) {
	case stripe.PriceRecurringIntervalYear:
		return a.Quo(a, big.NewRat(12*n, 1))
	case stripe.PriceRecurringIntervalWeek:
		return a.Mul(a, big.NewRat(52, 12*n))
	case stripe.PriceRecurringIntervalDay:
		return a.Mul(a, big.NewRat(365, 12*n))
	}
	return a.Quo(a, big.NewRat(n, 1))
}

// productOf finds the Partnerdesk product of an item: its price's lookup
// key or metadata product_code, a legacy plan's id or metadata
// product_code, or the item's metadata product_code.
func productOf(it *stripe.SubscriptionItem) (string, error) {
	var cands []string
	if p := it.Price; p != nil {
		cands = append(cands, p.LookupKey, p.Metadata["product_code"])
	}
	if p := it.Plan; p != nil {
		cands = append(cands, p.Metadata["product_code"], p.ID)
	}
	cands = append(cands, it.Metadata["product_code"])
	for _, c := range cands {
		if _, ok := pd.ProductByCode(c); ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("no Partnerdesk product: give the price the lookup key of a product code (such as marketing-pro), or metadata product_code")
}
