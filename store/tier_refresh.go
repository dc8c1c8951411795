package store

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The daily refresh's tier step: every partner's figures, gathered in a
// handful of set queries, and the transaction that makes a snapshot
// current.

// TierInput is what one partner's tier is judged on.
type TierInput struct {
	PartnerID      int64
	Assigned       string // its tier now
	Invited        bool
	SoldCredit     int64 // the credit it holds on the day
	ManagedMRR     int64 // its even share of its managed clients' MRR
	ManagedClients int
	// Usage is the tools in use of each client it manages or sold in the
	// last twelve months: the engagement index's count (tools its
	// subscriptions include that the latest usage snapshot shows in use).
	Usage     []int
	Certified bool // a certification earned by the day and expiring after it
	Below     int  // the grace used at the last review
}

// TierInputs gathers every partner's figures on day from snapshot (which
// need not be published yet): soldAfter is the day before the twelve
// months in which a sale counts for the app usage; lastReview the review
// whose grace counts (zero: none).
func (db *DB) TierInputs(ctx context.Context, snapshot int64, day, soldAfter, lastReview pd.Date) ([]TierInput, error) {
	// Every client's tools in use is the longest read: on a connection of
	// its own, while the partners' figures are gathered on another.
	var used map[int64]int8
	usedErr := make(chan error, 1)
	go func() {
		usedErr <- db.view(ctx, func(t *tx) (err error) {
			used, err = toolsInUse(ctx, t, day)
			return err
		})
	}()
	var out []TierInput
	var pairs []pair
	err := db.view(ctx, func(t *tx) error {
		index := map[int64]int{}
		rows, err := t.query(ctx, "SELECT id, tier_code, elite_invited FROM partners ORDER BY id")
		if err != nil {
			return err
		}
		for rows.Next() {
			var in TierInput
			if err := rows.Scan(&in.PartnerID, &in.Assigned, &in.Invited); err != nil {
				rows.Close()
				return err
			}
			index[in.PartnerID] = len(out)
			out = append(out, in)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		each := func(what, q string, args []any, fn func(p *TierInput, v int64)) error {
			rows, err := t.query(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, v int64
				if err := rows.Scan(&id, &v); err != nil {
					return fmt.Errorf("%s: %w", what, err)
				}
				if i, ok := index[id]; ok {
					fn(&out[i], v)
				}
			}
			return rows.Err()
		}
		if err := each("certifications", `SELECT partner_id, COUNT(*) FROM certifications
			WHERE earned_on <= ? AND expires_on > ? GROUP BY partner_id`, []any{day, day},
			func(p *TierInput, _ int64) { p.Certified = true }); err != nil {
			return err
		}
		// The credit still held on day: expiries up to day are due even
		// when the snapshot was taken earlier.
		if err := each("sold credit", `SELECT partner_id, SUM(credit) FROM credit_clients
			WHERE snapshot = ? AND credit > 0 AND expires > ? GROUP BY partner_id`, []any{snapshot, day},
			func(p *TierInput, v int64) { p.SoldCredit = v }); err != nil {
			return err
		}
		if !lastReview.IsZero() {
			if err := each("tier reviews", "SELECT partner_id, reviews_below FROM tier_reviews WHERE review_on = ?", []any{lastReview},
				func(p *TierInput, v int64) { p.Below = int(v) }); err != nil {
				return err
			}
		}
		if pairs, err = managedMRR(ctx, t, out, index); err != nil {
			return err
		}
		pairs, err = recentSales(ctx, t, pairs, snapshot, soldAfter)
		if err != nil {
			return err
		}
		return nil
	})
	if uerr := <-usedErr; err == nil {
		err = uerr
	}
	if err != nil {
		return nil, fmt.Errorf("gather tier figures: %w", err)
	}
	// The app usage: each partner's managed clients and recent sales, each
	// client once.
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Or(cmp.Compare(a.partner, b.partner), cmp.Compare(a.client, b.client)) })
	index := make(map[int64]int, len(out))
	for i := range out {
		index[out[i].PartnerID] = i
	}
	for _, p := range slices.Compact(pairs) {
		if k, ok := index[p.partner]; ok {
			out[k].Usage = append(out[k].Usage, int(used[p.client]))
		}
	}
	return out, nil
}

// pair is a partner and one of its clients.
type pair struct{ partner, client int64 }

// managedMRR shares each managed client's MRR among the partners that
// manage it (pd.SplitEvenly: the remainder to the lowest partner id), and
// returns the pairs.
func managedMRR(ctx context.Context, t *tx, out []TierInput, index map[int64]int) ([]pair, error) {
	rows, err := t.query(ctx, `SELECT cp.client_id, cp.partner_id, c.mrr FROM client_partners cp JOIN clients c ON c.id = cp.client_id
		WHERE cp.ended_on IS NULL AND cp.relationship IN ('managed', 'sold_managed') ORDER BY cp.client_id, cp.partner_id`)
	if err != nil {
		return nil, fmt.Errorf("managed MRR: %w", err)
	}
	defer rows.Close()
	var pairs []pair
	var client, mrr int64 = -1, 0
	var partners []int64
	flush := func() {
		for i, share := range pd.SplitEvenly(mrr, len(partners)) {
			pairs = append(pairs, pair{partners[i], client})
			if k, ok := index[partners[i]]; ok {
				out[k].ManagedMRR += share
				out[k].ManagedClients++
			}
		}
		partners = partners[:0]
	}
	for rows.Next() {
		var c, p, m int64
		if err := rows.Scan(&c, &p, &m); err != nil {
			return nil, fmt.Errorf("managed MRR: %w", err)
		}
		if c != client {
			flush()
			client, mrr = c, m
		}
		if len(partners) == 0 || partners[len(partners)-1] != p { // one share per partner
			partners = append(partners, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("managed MRR: %w", err)
	}
	flush()
	return pairs, nil
}

// recentSales adds to pairs the clients each partner sold after soldAfter.
func recentSales(ctx context.Context, t *tx, pairs []pair, snapshot int64, soldAfter pd.Date) ([]pair, error) {
	rows, err := t.query(ctx, `SELECT partner_id, client_id FROM credit_clients WHERE snapshot = ? AND last_sale > ?`, snapshot, soldAfter)
	if err != nil {
		return nil, fmt.Errorf("recent sales: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.partner, &p.client); err != nil {
			return nil, fmt.Errorf("recent sales: %w", err)
		}
		pairs = append(pairs, p)
	}
	return pairs, rows.Err()
}

// toolsInUse is every client's count of tools in use on day: the
// engagement index's (the tools its products include that its latest
// usage snapshot shows in use).
func toolsInUse(ctx context.Context, t *tx, day pd.Date) (map[int64]int8, error) {
	rows, err := t.query(ctx, `SELECT c.id, c.product_mask,
			COALESCE((SELECT u.tools FROM usage_snapshots u WHERE u.client_id = c.id AND u.day <= ? ORDER BY u.day DESC LIMIT 1), 0)
		FROM clients c`, day)
	if err != nil {
		return nil, fmt.Errorf("tools in use: %w", err)
	}
	defer rows.Close()
	used := map[int64]int8{}
	included := map[int64]int64{} // product mask → its tools: a few hundred masks
	for rows.Next() {
		var id, mask, tools int64
		if err := rows.Scan(&id, &mask, &tools); err != nil {
			return nil, fmt.Errorf("tools in use: %w", err)
		}
		inc, ok := included[mask]
		if !ok {
			inc = pd.IncludedTools(mask)
			included[mask] = inc
		}
		used[id] = int8(bits.OnesCount64(uint64(inc & tools)))
	}
	return used, rows.Err()
}

// TierRow is one partner's tier snapshot.
type TierRow struct {
	PartnerID      int64
	Performance    string
	Assigned       string // after the review, if one is applied
	SoldCredit     int64
	ManagedMRR     int64
	ManagedClients int
	UsageX2        int
	UsageClients   int
	Certified      bool
	Below          int
}

// CreditSnapshot is what PublishCreditSnapshot makes current.
type CreditSnapshot struct {
	Snapshot     int64
	AsOf         pd.Date
	Advance      bool // the snapshot is the current one, moved to AsOf (no new events)
	Events       int64
	MaxEventID   int64
	LaterEvents  int64
	ExpiryMonths int
	TimeZone     string
	Tiers        []TierRow
	// Review, when set, is the review date whose outcome Tiers' Assigned
	// are: partners move to them and the review is recorded.
	Review     pd.Date
	LastReview pd.Date // what credit_state remembers as the last review
}

// PublishCreditSnapshot makes s the snapshot the pages read, in one
// transaction with its tier figures and the review's outcome; for a
// snapshot moved to a later day (s.Advance) the expiries in between are
// applied in the same transaction. It returns the clients whose credit
// expired.
func (db *DB) PublishCreditSnapshot(ctx context.Context, s CreditSnapshot) (int, error) {
	expired := 0
	err := db.update(ctx, func(t *tx) error {
		var err error
		if s.Advance {
			if expired, err = advanceCredit(ctx, t, s.AsOf); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, "DELETE FROM tier_snapshots WHERE snapshot = ?", s.Snapshot); err != nil {
			return err
		}
		if err := insertTierRows(ctx, t, s.Snapshot, s.Tiers); err != nil {
			return err
		}
		if !s.Review.IsZero() {
			if err := applyReview(ctx, t, s.Review, s.Tiers); err != nil {
				return err
			}
		}
		_, err = t.exec(ctx, `INSERT INTO credit_state (id, snapshot, as_of, taken_at, events, max_event_id, later_events, expiry_months, time_zone, last_review)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, as_of = excluded.as_of, taken_at = excluded.taken_at,
				events = excluded.events, max_event_id = excluded.max_event_id, later_events = excluded.later_events,
				expiry_months = excluded.expiry_months, time_zone = excluded.time_zone, last_review = excluded.last_review`,
			s.Snapshot, s.AsOf, t.now, s.Events, s.MaxEventID, s.LaterEvents, s.ExpiryMonths, s.TimeZone, s.LastReview)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("publish credit snapshot %d: %w", s.Snapshot, err)
	}
	return expired, nil
}

// insertTierRows writes the rows a few hundred to a statement.
func insertTierRows(ctx context.Context, t *tx, snapshot int64, rows []TierRow) error {
	const per = 500
	for lo := 0; lo < len(rows); lo += per {
		chunk := rows[lo:min(lo+per, len(rows))]
		args := make([]any, 0, 11*len(chunk))
		for _, r := range chunk {
			args = append(args, snapshot, r.PartnerID, r.Performance, r.Assigned, r.SoldCredit, r.ManagedMRR, r.ManagedClients,
				r.UsageX2, r.UsageClients, r.Certified, r.Below)
		}
		q := `INSERT INTO tier_snapshots (snapshot, partner_id, performance_tier, assigned_tier, sold_credit, managed_mrr,
			managed_clients, usage_x2, usage_clients, certified, reviews_below) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("write tier snapshots: %w", err)
		}
	}
	return nil
}

// applyReview moves the partners to their reviewed tiers (a statement per
// tier) and records the review of every partner.
func applyReview(ctx context.Context, t *tx, on pd.Date, rows []TierRow) error {
	rs, err := t.query(ctx, "SELECT id, tier_code FROM partners")
	if err != nil {
		return fmt.Errorf("tier review: %w", err)
	}
	before := map[int64]string{}
	for rs.Next() {
		var id int64
		var code string
		if err := rs.Scan(&id, &code); err != nil {
			rs.Close()
			return fmt.Errorf("tier review: %w", err)
		}
		before[id] = code
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fmt.Errorf("tier review: %w", err)
	}
	moves := map[string][]int64{}
	for _, r := range rows {
		if b, ok := before[r.PartnerID]; ok && b != r.Assigned {
			moves[r.Assigned] = append(moves[r.Assigned], r.PartnerID)
		}
	}
	for code, ids := range moves {
		if _, err := t.exec(ctx, "UPDATE partners SET tier_code = ? WHERE "+t.d.inList("id"), code, t.d.listArg(ids)); err != nil {
			return fmt.Errorf("tier review: %w", err)
		}
	}
	const per = 500
	for lo := 0; lo < len(rows); lo += per {
		chunk := rows[lo:min(lo+per, len(rows))]
		args := make([]any, 0, 6*len(chunk))
		for _, r := range chunk {
			args = append(args, r.PartnerID, on, r.Performance, before[r.PartnerID], r.Assigned, r.Below)
		}
		q := `INSERT INTO tier_reviews (partner_id, review_on, performance_tier, tier_before, tier_after, reviews_below) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)), ", ") +
			` ON CONFLICT (partner_id, review_on) DO NOTHING`
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("record tier review: %w", err)
		}
	}
	// Each move is the daily refresh's change in the partner's audit log.
	var moved []int64
	for _, ids := range moves {
		moved = append(moved, ids...)
	}
	if len(moved) == 0 {
		return nil
	}
	if _, err := t.exec(ctx, `INSERT INTO audit_log (at, partner_id, action, entity, entity_id, detail)
		SELECT ?, r.partner_id, 'tier_review', 'partner', p.external_id,
			CAST(? AS TEXT) || COALESCE(tb.name, r.tier_before) || ' → ' || COALESCE(tn.name, r.tier_after)
		FROM tier_reviews r JOIN partners p ON p.id = r.partner_id
		LEFT JOIN tiers tb ON tb.code = r.tier_before LEFT JOIN tiers tn ON tn.code = r.tier_after
		WHERE r.review_on = ? AND `+t.d.inList("r.partner_id"), t.now, "review of "+on.String()+": ", on, t.d.listArg(moved)); err != nil {
		return fmt.Errorf("audit tier review: %w", err)
	}
	return nil
}
