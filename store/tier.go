package store

import (
	"context"
	"database/sql"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// Default tier settings beside DefaultTiers, as migration 0002 sets them.
const (
	DefaultReviewDates  = "01-15,07-15"
	DefaultGraceReviews = 1
	DefaultMinAppUsage  = 3
)

// TierPolicy returns the program's tiers, review dates and grace.
func (db *DB) TierPolicy(ctx context.Context) (pd.TierPolicy, error) {
	var p pd.TierPolicy
	err := db.view(ctx, func(t *tx) (err error) {
		p, err = tierPolicy(ctx, t)
		return err
	})
	return p, err
}

func tierPolicy(ctx context.Context, t *tx) (pd.TierPolicy, error) {
	p := pd.TierPolicy{GraceReviews: DefaultGraceReviews, MinAppUsage: DefaultMinAppUsage}
	dates := DefaultReviewDates
	err := t.queryRow(ctx, "SELECT review_dates, tier_grace_reviews, tier_min_app_usage FROM program WHERE id = 1").
		Scan(&dates, &p.GraceReviews, &p.MinAppUsage)
	if err != nil && err != sql.ErrNoRows {
		return p, fmt.Errorf("load tier settings: %w", err)
	}
	if p.ReviewDates, err = pd.ParseReviewDates(dates); err != nil {
		return p, fmt.Errorf("load tier settings: %w", err)
	}
	rows, err := t.query(ctx, "SELECT code, name, rank, sold_credit_min, managed_mrr_min, invitation_only FROM tiers ORDER BY rank")
	if err != nil {
		return p, fmt.Errorf("load tiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tr pd.Tier
		if err := rows.Scan(&tr.Code, &tr.Name, &tr.Rank, &tr.SoldCreditMin, &tr.ManagedMRRMin, &tr.InvitationOnly); err != nil {
			return p, fmt.Errorf("load tiers: %w", err)
		}
		p.Tiers = append(p.Tiers, tr)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("load tiers: %w", err)
	}
	if len(p.Tiers) == 0 {
		for i, d := range DefaultTiers {
			p.Tiers = append(p.Tiers, pd.Tier{Code: d.Code, Name: d.Name, Rank: i, SoldCreditMin: d.SoldCredit,
				ManagedMRRMin: d.Managed, InvitationOnly: d.InvitationOnly})
		}
	}
	return p, nil
}

// tierReport reads the partner's main report from snapshot st: its tier
// figures then, its assigned tier and certifications now.
func tierReport(ctx context.Context, t *tx, partnerID int64, st creditState) (pd.TierReport, error) {
	var r pd.TierReport
	var err error
	if r.Policy, err = tierPolicy(ctx, t); err != nil {
		return r, err
	}
	var assigned string
	if err := t.queryRow(ctx, "SELECT tier_code, elite_invited FROM partners WHERE id = ?", partnerID).Scan(&assigned, &r.Figures.Invited); err != nil {
		return r, fmt.Errorf("load partner tier: %w", err)
	}
	r.Assigned = r.Policy.Tier(assigned)
	if r.Assignment, err = tierAssignment(ctx, t, partnerID, assigned); err != nil {
		return r, err
	}
	if r.Certifications, err = certifications(ctx, t, partnerID); err != nil {
		return r, err
	}
	if !st.found {
		r.Performance = r.Policy.Tier("")
		return r, nil
	}
	r.TakenAt, r.AsOf = st.takenAt, st.asOf
	var perf string
	err = t.queryRow(ctx, `SELECT performance_tier, sold_credit, managed_mrr, managed_clients, usage_x2, usage_clients, certified, reviews_below
		FROM tier_snapshots WHERE snapshot = ? AND partner_id = ?`, st.snapshot, partnerID).
		Scan(&perf, &r.Figures.SoldCredit, &r.Figures.ManagedMRR, &r.ManagedClients, &r.Figures.UsageX2, &r.UsageClients,
			&r.Figures.Certified, &r.Below)
	switch {
	case err == sql.ErrNoRows: // a partner added since the refresh
		r.Performance = r.Policy.Tier("")
		return r, nil
	case err != nil:
		return r, fmt.Errorf("load tier snapshot: %w", err)
	}
	r.Refreshed = true
	r.Performance = r.Policy.Tier(perf)
	if g, ok := r.Policy.NextTier(r.Performance, r.Figures); ok {
		r.Next = &g
	}
	r.NextReview = r.Policy.NextReview(st.asOf)
	return r, nil
}

func certifications(ctx context.Context, t *tx, partnerID int64) ([]pd.Certification, error) {
	rows, err := t.query(ctx, `SELECT name, holder, earned_on, expires_on FROM certifications
		WHERE partner_id = ? ORDER BY expires_on DESC, name`, partnerID)
	if err != nil {
		return nil, fmt.Errorf("load certifications: %w", err)
	}
	defer rows.Close()
	var out []pd.Certification
	for rows.Next() {
		var c pd.Certification
		if err := rows.Scan(&c.Name, &c.Holder, &c.EarnedOn, &c.ExpiresOn); err != nil {
			return nil, fmt.Errorf("load certifications: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
