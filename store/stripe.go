package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Stripe webhook's state (migration 0024, docs/stripe.md): each
// subscription's latest state and its items' exact MRR, so that a client's
// several subscriptions of one product add up to the product's line, and
// the log of the events it accepted.

// StripeSubscription is a subscription as one event gives it.
type StripeSubscription struct {
	ID         string
	Client     string // the client's account id
	Partner    string // the partner to credit, "" for none
	EventID    string
	At         time.Time
	Rank       int    // created 0, updated 1, deleted 2: the order of one second's events
	Status     string // the subscription's status
	PrevStatus string // its status before the event (previous_attributes), if it changed
	Items      []StripeItem
}

// StripeItem is one item of a subscription: its product and exact MRR in
// the program's minor units.
type StripeItem struct {
	ID          string
	Product     string
	MRR         *big.Rat
	Unconfirmed bool
}

// after reports whether state a comes after state b of the same
// subscription. Stripe's times are whole seconds; within one second a
// created event comes before an updated one and a deleted one last, and an
// update whose previous status is the other's status follows it. Only
// when nothing says which is later does the event id decide, so that the
// answer is at least the same whatever the arrival order.
func (a *StripeSubscription) after(b *StripeSubscription) bool {
	switch {
	case !a.At.Equal(b.At):
		return a.At.After(b.At)
	case a.Rank != b.Rank:
		return a.Rank > b.Rank
	case a.Status != b.Status && a.PrevStatus != "" && a.PrevStatus == b.Status:
		return true
	case a.Status != b.Status && b.PrevStatus != "" && b.PrevStatus == a.Status:
		return false
	}
	return a.EventID > b.EventID
}

// StripeEventSeen reports whether an event was accepted before: a
// redelivery then changes nothing.
func (in *Ingest) StripeEventSeen(id string) (bool, error) {
	var n int
	if err := in.t.queryRow(in.ctx, "SELECT COUNT(*) FROM stripe_events WHERE event_id = ?", id).Scan(&n); err != nil {
		return false, fmt.Errorf("read Stripe event %s: %w", id, err)
	}
	return n > 0, nil
}

// PartnerKnown reports whether a partner has the external id.
func (in *Ingest) PartnerKnown(id string) (bool, error) {
	ids, err := in.resolve("partners", "external_id", []string{id})
	if err != nil {
		return false, err
	}
	_, ok := ids[id]
	return ok, nil
}

// StripeSubscription stores a subscription's state and gives each of its
// products (now and before) a billing event with the sum of the client's
// subscriptions of that product, rounded half up once. The event is
// recorded at the Stripe event's time, or just after the product's
// previous event from Stripe when that is later, so that the line always
// follows the latest sum whatever the delivery order. A state older than
// the stored one is stale: it changes no line, and adds a billing event to
// the history only when the client's other subscriptions of the product
// are known not to have changed since.
func (in *Ingest) StripeSubscription(s StripeSubscription) error {
	s.At = s.At.UTC().Truncate(time.Microsecond)
	cids, err := in.resolveAccounts([]string{s.Client})
	if err != nil {
		return err
	}
	client, ok := cids[s.Client]
	if !ok {
		return fmt.Errorf("store a Stripe subscription: no client %q", s.Client)
	}
	stored, err := in.stripeState(s.ID)
	if err != nil {
		return err
	}
	all, err := in.stripeItems(client)
	if err != nil {
		return err
	}
	mine := func(it stripeStoredItem) bool { return it.subscription == s.ID }
	if stored != nil && !s.after(stored) {
		return in.stripeHistory(s, client, stored, all)
	}
	// The subscription's items now replace its stored ones.
	products := map[string]bool{}
	for _, it := range all {
		if mine(it) {
			products[it.product] = true
		}
	}
	all = slices.DeleteFunc(all, mine)
	for _, it := range s.Items {
		products[it.Product] = true
		all = append(all, stripeStoredItem{subscription: s.ID, at: s.At, product: it.Product, mrr: it.MRR})
	}
	if err := in.putStripeState(s, client, stored != nil); err != nil {
		return err
	}
	var recs []pd.BillingEventRecord
	for _, p := range slices.Sorted(maps.Keys(products)) {
		at := s.At
		last, err := in.lastStripeEvent(client, p)
		if err != nil {
			return err
		}
		if !last.IsZero() && !at.After(last) {
			at = last.Add(time.Microsecond)
		}
		recs = append(recs, pd.BillingEventRecord{ID: "stripe:" + s.EventID + ":" + p, OccurredAt: at,
			Client: s.Client, Partner: s.Partner, Product: p, MRR: sumMRR(all, p)})
	}
	return in.BillingEvents(recs, 0)
}

// stripeHistory records a stale state's sums at its own time, for the
// products whose other subscriptions have not changed since, and only
// before the product's latest event from Stripe, which the line follows.
func (in *Ingest) stripeHistory(s StripeSubscription, client int64, stored *StripeSubscription, all []stripeStoredItem) error {
	in.res.Stale++
	if !s.At.Before(stored.At) {
		return nil // the same second: nothing between them to record
	}
	products := map[string]bool{}
	for _, it := range s.Items {
		products[it.Product] = true
	}
	var recs []pd.BillingEventRecord
	for _, p := range slices.Sorted(maps.Keys(products)) {
		last, err := in.lastStripeEvent(client, p)
		if err != nil {
			return err
		}
		items, known := []stripeStoredItem{}, s.At.Before(last)
		for _, it := range all {
			if it.subscription != s.ID && it.product == p {
				known = known && !it.at.After(s.At)
				items = append(items, it)
			}
		}
		if !known {
			continue
		}
		for _, it := range s.Items {
			items = append(items, stripeStoredItem{subscription: s.ID, product: it.Product, mrr: it.MRR})
		}
		recs = append(recs, pd.BillingEventRecord{ID: "stripe:" + s.EventID + ":" + p, OccurredAt: s.At,
			Client: s.Client, Partner: s.Partner, Product: p, MRR: sumMRR(items, p)})
	}
	return in.BillingEvents(recs, 0)
}

type stripeStoredItem struct {
	subscription string
	at           time.Time // its subscription's state's
	product      string
	mrr          *big.Rat
}

// sumMRR is the product's MRR: its items' exact sum, rounded half up, and
// never below 0 (an amount off larger than the price).
func sumMRR(items []stripeStoredItem, product string) int64 {
	sum := new(big.Rat)
	for _, it := range items {
		if it.product == product && it.mrr != nil {
			sum.Add(sum, it.mrr)
		}
	}
	if sum.Sign() <= 0 {
		return 0
	}
	// Half up: floor(sum + 1/2).
	sum.Add(sum, big.NewRat(1, 2))
	q := new(big.Int).Quo(sum.Num(), sum.Denom())
	if !q.IsInt64() {
		return 0
	}
	return q.Int64()
}

func (in *Ingest) stripeState(id string) (*StripeSubscription, error) {
	s := &StripeSubscription{ID: id}
	err := in.t.queryRow(in.ctx, `SELECT event_id, event_at, event_rank, status, prev_status FROM stripe_subscriptions
		WHERE subscription_id = ?`, id).Scan(&s.EventID, &s.At, &s.Rank, &s.Status, &s.PrevStatus)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read Stripe subscription %s: %w", id, err)
	}
	s.At = s.At.UTC()
	return s, nil
}

// stripeItems reads the client's subscriptions' items.
func (in *Ingest) stripeItems(client int64) ([]stripeStoredItem, error) {
	rows, err := in.t.query(in.ctx, `SELECT i.subscription_id, s.event_at, i.product_code, i.mrr FROM stripe_items i
		JOIN stripe_subscriptions s ON s.subscription_id = i.subscription_id WHERE s.client_id = ?`, client)
	if err != nil {
		return nil, fmt.Errorf("read Stripe items: %w", err)
	}
	defer rows.Close()
	var items []stripeStoredItem
	for rows.Next() {
		var it stripeStoredItem
		var mrr string
		if err := rows.Scan(&it.subscription, &it.at, &it.product, &mrr); err != nil {
			return nil, fmt.Errorf("read Stripe items: %w", err)
		}
		var ok bool
		if it.mrr, ok = new(big.Rat).SetString(mrr); !ok {
			return nil, fmt.Errorf("read Stripe items: MRR %q is not a fraction", mrr)
		}
		it.at = it.at.UTC()
		items = append(items, it)
	}
	return items, rows.Err()
}

func (in *Ingest) putStripeState(s StripeSubscription, client int64, exists bool) error {
	q := `INSERT INTO stripe_subscriptions (client_id, event_id, event_at, event_rank, status, prev_status, subscription_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	if exists {
		q = `UPDATE stripe_subscriptions SET client_id = ?, event_id = ?, event_at = ?, event_rank = ?, status = ?, prev_status = ?
			WHERE subscription_id = ?`
	}
	if _, err := in.t.exec(in.ctx, q, client, s.EventID, s.At, s.Rank, s.Status, s.PrevStatus, s.ID); err != nil {
		return fmt.Errorf("store Stripe subscription %s: %w", s.ID, err)
	}
	if _, err := in.t.exec(in.ctx, "DELETE FROM stripe_items WHERE subscription_id = ?", s.ID); err != nil {
		return fmt.Errorf("store Stripe subscription %s's items: %w", s.ID, err)
	}
	var rows [][]any
	for _, it := range s.Items {
		rows = append(rows, []any{s.ID, it.ID, it.Product, it.MRR.RatString(), it.Unconfirmed})
	}
	if err := in.insertRows("stripe_items", []string{"subscription_id", "item_id", "product_code", "mrr", "unconfirmed"}, rows, ""); err != nil {
		return fmt.Errorf("store Stripe subscription %s's items: %w", s.ID, err)
	}
	return nil
}

// lastStripeEvent is the time of the latest billing event from Stripe of a
// client's product, zero without one.
func (in *Ingest) lastStripeEvent(client int64, product string) (time.Time, error) {
	var at time.Time
	err := in.t.queryRow(in.ctx, `SELECT occurred_at FROM billing_events WHERE client_id = ? AND product_code = ?
		AND external_id LIKE 'stripe:%' ORDER BY occurred_at DESC LIMIT 1`, client, product).Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("read the latest Stripe event of a line: %w", err)
	}
	return at.UTC(), nil
}

// StripeEvent logs an accepted event; Attention lists what a program
// admin should look at (pd.StripeAttention codes).
func (in *Ingest) StripeEvent(d pd.StripeDelivery) error {
	if _, err := in.t.exec(in.ctx, `INSERT INTO stripe_events (event_id, received_at, occurred_at, event_type, customer,
		subscription_id, partner, attention, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.EventID, in.t.now, d.OccurredAt.UTC(), d.Type, d.Customer, d.Subscription, d.Partner,
		strings.Join(d.Attention, " "), d.Detail); err != nil {
		return fmt.Errorf("log Stripe event %s: %w", d.EventID, err)
	}
	return nil
}

// stripeAttentionLimit is how many deliveries the attention list shows,
// the latest first.
const stripeAttentionLimit = 200

// StripeAttention lists, for program admins, the latest Stripe deliveries
// that need attention and the lines whose MRR is unconfirmed.
func (db *DB) StripeAttention(ctx context.Context) ([]pd.StripeDelivery, []pd.StripeUnconfirmedLine, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, nil, err
	}
	var ds []pd.StripeDelivery
	var ls []pd.StripeUnconfirmedLine
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT e.event_id, e.received_at, e.occurred_at, e.event_type, e.customer, e.subscription_id,
				COALESCE(c.name, ''), e.partner, e.attention, e.detail
			FROM stripe_events e LEFT JOIN clients c ON c.stripe_customer_id = e.customer
			WHERE e.attention <> '' ORDER BY e.received_at DESC, e.event_id DESC LIMIT ?`, stripeAttentionLimit)
		if err != nil {
			return fmt.Errorf("read Stripe deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var d pd.StripeDelivery
			var attention string
			if err := rows.Scan(&d.EventID, &d.ReceivedAt, &d.OccurredAt, &d.Type, &d.Customer, &d.Subscription,
				&d.Client, &d.Partner, &attention, &d.Detail); err != nil {
				return fmt.Errorf("read Stripe deliveries: %w", err)
			}
			d.Attention = strings.Fields(attention)
			ds = append(ds, d)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read Stripe deliveries: %w", err)
		}
		rows.Close()
		lines, err := t.query(ctx, `SELECT DISTINCT c.name, i.product_code, i.subscription_id FROM stripe_items i
			JOIN stripe_subscriptions s ON s.subscription_id = i.subscription_id JOIN clients c ON c.id = s.client_id
			WHERE i.unconfirmed ORDER BY c.name, i.product_code, i.subscription_id`)
		if err != nil {
			return fmt.Errorf("read unconfirmed lines: %w", err)
		}
		defer lines.Close()
		for lines.Next() {
			var l pd.StripeUnconfirmedLine
			if err := lines.Scan(&l.Client, &l.Product, &l.Subscription); err != nil {
				return fmt.Errorf("read unconfirmed lines: %w", err)
			}
			ls = append(ls, l)
		}
		return lines.Err()
	})
	return ds, ls, err
}
