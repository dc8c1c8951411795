package partnerdesk

import "time"

// StripeDelivery is a subscription event the Stripe webhook accepted, as
// its log keeps it (docs/stripe.md).
type StripeDelivery struct {
	EventID      string
	ReceivedAt   time.Time
	OccurredAt   time.Time
	Type         string
	Customer     string
	Subscription string
	Client       string // the client's name, "" if it is gone
	Partner      string // metadata.partner_id as sent
	// Attention lists what a program admin should look at, as
	// StripeAttention codes; empty for an event that needs nothing.
	Attention []string
	Detail    string // the ids, currency or items concerned
}

// What a Stripe delivery may need a program admin's attention for.
const (
	// The partner_id names no partner: the MRR is recorded without one.
	StripeUnknownPartner = "unknown_partner"
	// Discounts came as ids only and could not be read from Stripe's API:
	// the MRR is before them, unconfirmed.
	StripeUnconfirmed = "unconfirmed"
	// A metered item bills usage reported later: it counts 0.
	StripeMetered = "metered"
	// The subscription is in another currency than the program's, which
	// has no exchange rate for it: nothing was recorded.
	StripeCurrency = "currency"
)

// StripeUnconfirmedLine is a client's product whose MRR includes
// unconfirmed items.
type StripeUnconfirmedLine struct {
	Client       string // its name
	Product      string
	Subscription string
}

// CurrencyRate is one of the program's exchange rates: one unit of
// Currency is worth Rate (a decimal, such as "1.0825") units of the
// program's currency.
type CurrencyRate struct {
	Currency string
	Rate     string
}
