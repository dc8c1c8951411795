package web

import (
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/store"
)

// The Stripe webhook turns subscription events into billing events: one
// per Partnerdesk product of the subscription, with the MRR of all the
// client's subscriptions of that product (store.StripeSubscription).
// Deliveries are verified with stripe-go against the endpoint's signing
// secret and refused when forged, older than the tolerance or further
// ahead of this server's clock. Every event accepted is logged, so that a
// redelivery is a no-op and what needs a program admin's attention is
// listed at /admin/stripe. docs/stripe.md says what is read and what each
// case gives.

// stripeTolerance is how far a signed delivery's time may be from now,
// either way (Stripe's default for the past).
const stripeTolerance = 5 * time.Minute

// stripeAPITimeout bounds a read of Stripe's API during a delivery.
const stripeAPITimeout = 8 * time.Second

var stripeEventRank = map[stripe.EventType]int{
	"customer.subscription.created": 0,
	"customer.subscription.updated": 1,
	"customer.subscription.deleted": 2,
}

func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) error {
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	if s.cfg.StripeWebhookSecret == "" {
		return pd.Errorf(pd.EUnauthorized, "This server has no Stripe webhook secret (PARTNERDESK_STRIPE_WEBHOOK_SECRET), so it cannot verify deliveries.")
	}
	// The subscription is read field by field, in every API version's
	// shape, so an account on another API version than stripe-go's is fine.
	header := r.Header.Get("Stripe-Signature")
	ev, err := webhook.ConstructEventWithOptions(payload, header, s.cfg.StripeWebhookSecret,
		webhook.ConstructEventOptions{Tolerance: stripeTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		if err == webhook.ErrTooOld || err == webhook.ErrNoValidSignature || err == webhook.ErrNotSigned || err == webhook.ErrInvalidHeader {
			return pd.Errorf(pd.EUnauthorized, "The Stripe-Signature header is missing, does not match, or is too old.")
		}
		return pd.Errorf(pd.EInvalid, "The delivery is not a Stripe event.")
	}
	// stripe-go refuses only the past; a signature from the future is as
	// suspect. Signatures are timed by the real clock, as stripe-go's.
	if signedAt(header).After(time.Now().Add(stripeTolerance)) {
		return pd.Errorf(pd.EUnauthorized, "The Stripe-Signature header's time is ahead of this server's clock by more than the tolerance.")
	}
	rank, ok := stripeEventRank[ev.Type]
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"ignored": ev.Type})
		return nil
	}
	if ev.Data == nil {
		return pd.Errorf(pd.EInvalid, "The event has no data.")
	}
	sub, err := readSubscription(ev.Data.Raw)
	if err != nil {
		return err
	}
	if prev, ok := ev.Data.PreviousAttributes["status"].(string); ok {
		sub.prevStatus = prev
	}
	log := pd.StripeDelivery{EventID: ev.ID, OccurredAt: time.Unix(ev.Created, 0).UTC(), Type: string(ev.Type),
		Customer: sub.customer, Subscription: sub.ID, Partner: sub.partner}
	var details []string
	note := func(code, detail string) {
		log.Attention = append(log.Attention, code)
		details = append(details, detail)
	}
	unconfirmed := false
	if ids := sub.unexpanded(); len(ids) > 0 {
		if err := s.expandDiscounts(r.Context(), sub); err != nil {
			s.log.Warn("read a Stripe subscription's discounts", "subscription", sub.ID, "err", err)
		}
		if ids = sub.unexpanded(); len(ids) > 0 {
			unconfirmed = true
			note(pd.StripeUnconfirmed, "discounts "+strings.Join(ids, ", "))
		}
	}
	ctx := pd.WithPrincipal(r.Context(), &pd.Principal{Name: "Stripe", Integration: "stripe"})
	prog, err := s.db.Program(ctx)
	if err != nil {
		return err
	}
	var refused string
	res, err := s.db.Ingest(ctx, false, func(in *store.Ingest) error {
		account, err := in.ClientByStripeCustomer(sub.customer)
		if err != nil {
			return err
		}
		if seen, err := in.StripeEventSeen(ev.ID); err != nil || seen {
			return err
		}
		factor := big.NewRat(1, 1)
		if cur := sub.currency(); cur != "" && cur != prog.Currency {
			rate, ok, err := in.CurrencyRate(cur)
			if err != nil {
				return err
			}
			if !ok {
				refused = cur
				note(pd.StripeCurrency, cur+" ≠ "+prog.Currency)
				log.Detail = strings.Join(details, "; ")
				return in.StripeEvent(log)
			}
			factor = conversion(rate, cur, prog.Currency)
		}
		m := sub.mrr(ev.Type == "customer.subscription.deleted", unconfirmed, factor)
		if len(m.problems) > 0 {
			return &pd.BatchError{Problems: m.problems}
		}
		if len(m.metered) > 0 {
			note(pd.StripeMetered, "items "+strings.Join(m.metered, ", "))
		}
		partner := sub.partner
		if partner != "" {
			known, err := in.PartnerKnown(partner)
			if err != nil {
				return err
			}
			if !known {
				note(pd.StripeUnknownPartner, "partner_id "+strconv.Quote(partner))
				partner = ""
			}
		}
		log.Detail = strings.Join(details, "; ")
		if err := in.StripeEvent(log); err != nil {
			return err
		}
		return in.StripeSubscription(store.StripeSubscription{ID: sub.ID, Client: account, Partner: partner, EventID: ev.ID,
			At: log.OccurredAt, Rank: rank, Status: string(sub.Status), PrevStatus: sub.prevStatus, Items: m.items})
	})
	s.countIngest(metrics.DoorStripe, res.Received, false, err)
	if err != nil {
		return err
	}
	if refused != "" {
		// Answered 200: Stripe retrying would not change the currency.
		writeJSON(w, http.StatusOK, map[string]any{"refused": pd.StripeCurrency, "currency": refused, "program_currency": prog.Currency})
		return nil
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// signedAt is the time of a Stripe-Signature header (t=…), zero if none.
func signedAt(header string) time.Time {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
				return time.Unix(sec, 0)
			}
		}
	}
	return time.Time{}
}

// currency is the subscription's currency, upper-case as the program's:
// the subscription's own, else its first price's or plan's.
func (s *subscription) currency() string {
	c := string(s.Currency)
	for _, it := range s.items() {
		if c != "" {
			break
		}
		if it.Price != nil {
			c = string(it.Price.Currency)
		} else if it.Plan != nil {
			c = string(it.Plan.Currency)
		}
	}
	return strings.ToUpper(c)
}

// expandDiscounts reads the subscription from Stripe's API with its
// discounts expanded, when the server has an API key, and fills in the
// discounts the event named by id.
func (s *Server) expandDiscounts(ctx context.Context, sub *subscription) error {
	if s.cfg.StripeAPIKey == "" {
		return nil
	}
	// Stripe waits for the webhook's answer only so long: a slow API
	// leaves the MRR unconfirmed rather than the delivery unanswered.
	cfg := &stripe.BackendConfig{HTTPClient: &http.Client{Timeout: stripeAPITimeout}, MaxNetworkRetries: stripe.Int64(1)}
	if s.cfg.StripeAPIURL != "" {
		cfg.URL = stripe.String(s.cfg.StripeAPIURL)
	}
	sc := stripe.NewClient(s.cfg.StripeAPIKey, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg)))
	params := &stripe.SubscriptionRetrieveParams{}
	params.AddExpand("discounts")
	params.AddExpand("items.data.discounts")
	got, err := sc.V1Subscriptions.Retrieve(ctx, sub.ID, params)
	if err != nil {
		return err
	}
	raw := json.RawMessage(nil)
	if got.LastResponse != nil {
		raw = got.LastResponse.RawJSON
	}
	fetched, err := readSubscription(raw)
	if err != nil {
		return err
	}
	sub.expand(fetched)
	return nil
}
