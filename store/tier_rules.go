package store

import (
	"context"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The tier rules over time (migration 0018): the rules the program started
// with (tierPolicy), and the rule sets a program admin saved, each from the
// day it takes effect. The preview of a change applies rules in memory to
// the last daily refresh's figures.

// maxRulesAhead is how far ahead a change of the rules may be scheduled.
const maxRulesAhead = 10 * 366

// tierRules reads every rule set, in one query besides the base rules.
func tierRules(ctx context.Context, t *tx) (pd.TierRules, error) {
	var r pd.TierRules
	var err error
	if r.Base, err = tierPolicy(ctx, t); err != nil {
		return r, err
	}
	rows, err := t.query(ctx, `SELECT s.effective_from, s.review_dates, s.grace_reviews, s.min_app_usage,
			rt.tier_code, rt.name, tr.rank, rt.sold_credit_min, rt.managed_mrr_min, rt.invitation_only
		FROM tier_rule_sets s JOIN tier_rule_tiers rt ON rt.rule_set_id = s.id JOIN tiers tr ON tr.code = rt.tier_code
		ORDER BY s.effective_from, tr.rank`)
	if err != nil {
		return r, fmt.Errorf("load tier rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var from pd.Date
		var dates string
		var grace, usage int
		var tr pd.Tier
		if err := rows.Scan(&from, &dates, &grace, &usage, &tr.Code, &tr.Name, &tr.Rank, &tr.SoldCreditMin, &tr.ManagedMRRMin, &tr.InvitationOnly); err != nil {
			return r, fmt.Errorf("load tier rules: %w", err)
		}
		if n := len(r.Changes); n == 0 || r.Changes[n-1].From != from {
			md, err := pd.ParseReviewDates(dates)
			if err != nil {
				return r, fmt.Errorf("load tier rules from %s: %w", from, err)
			}
			r.Changes = append(r.Changes, pd.TierRuleSet{From: from, Policy: pd.TierPolicy{ReviewDates: md, GraceReviews: grace, MinAppUsage: usage}})
		}
		set := &r.Changes[len(r.Changes)-1]
		set.Policy.Tiers = append(set.Policy.Tiers, tr)
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("load tier rules: %w", err)
	}
	return r, nil
}

// TierSettings returns the tier rules for the program's Tiers page:
// program admins, partner managers and partner consultants read them;
// only program admins may edit (and preview) them.
func (db *DB) TierSettings(ctx context.Context, edit bool) (pd.TierRules, error) {
	roles := []pd.Role{pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant}
	if edit {
		roles = roles[:1]
	}
	if _, err := requireRole(ctx, roles...); err != nil {
		return pd.TierRules{}, err
	}
	return db.TierRules(ctx)
}

// checkRules checks a program admin's proposed rules against the
// catalogue of tiers: the same tiers, in their ranks.
func checkRules(pol *pd.TierPolicy, base pd.TierPolicy) error {
	if len(pol.Tiers) != len(base.Tiers) {
		return pd.Errorf(pd.EInvalid, "Give the rules of every tier.")
	}
	for i, t := range base.Tiers {
		if pol.Tiers[i].Code != t.Code {
			return pd.Errorf(pd.EInvalid, "Give the rules of every tier, in their order.")
		}
		pol.Tiers[i].Rank = t.Rank
	}
	return pol.Validate()
}

// SaveTierRules schedules pol as the program's tier rules from from on, a
// day after today (today's tiers were judged by today's rules), replacing
// a change already scheduled for that day. Program admins only; audited.
func (db *DB) SaveTierRules(ctx context.Context, from pd.Date, pol pd.TierPolicy) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	err := db.update(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		rules, err := tierRules(ctx, t)
		if err != nil {
			return err
		}
		day := today(t, prog)
		switch {
		case from.IsZero():
			return pd.Errorf(pd.EInvalid, "Choose the date the change takes effect (YYYY-MM-DD).")
		case !from.After(day):
			return pd.Errorf(pd.EInvalid, "A change takes effect from tomorrow (%s) at the earliest: the days until then keep the rules they were judged by.", day.AddDays(1))
		case from.After(day.AddDays(maxRulesAhead)):
			return pd.Errorf(pd.EInvalid, "A change takes effect within ten years.")
		}
		if err := checkRules(&pol, rules.Base); err != nil {
			return err
		}
		changes := rules.Before(from).Policy.Changes(pol)
		if len(changes) == 0 {
			return pd.Errorf(pd.EInvalid, "These are the rules in force on %s already: nothing to change.", from)
		}
		replaced, err := deleteRuleSet(ctx, t, from)
		if err != nil {
			return err
		}
		id, err := t.insert(ctx, `INSERT INTO tier_rule_sets (effective_from, review_dates, grace_reviews, min_app_usage, created_at)
			VALUES (?, ?, ?, ?, ?)`, from, strings.ReplaceAll(pol.ReviewDatesText(), " ", ""), pol.GraceReviews, pol.MinAppUsage, t.now)
		if err != nil {
			return fmt.Errorf("save tier rules: %w", err)
		}
		for _, tr := range pol.Tiers {
			if _, err := t.exec(ctx, `INSERT INTO tier_rule_tiers (rule_set_id, tier_code, name, sold_credit_min, managed_mrr_min, invitation_only)
				VALUES (?, ?, ?, ?, ?, ?)`, id, tr.Code, tr.Name, tr.SoldCreditMin, tr.ManagedMRRMin, tr.InvitationOnly); err != nil {
				return fmt.Errorf("save tier rules: %w", err)
			}
		}
		action := "tier_rules_scheduled"
		if replaced {
			action = "tier_rules_rescheduled"
		}
		detail := make([]string, len(changes))
		for i, c := range changes {
			detail[i] = c.String()
		}
		return audit(ctx, t, 0, action, "tier_rules", from.String(), "from "+from.String()+": "+strings.Join(detail, "; "))
	})
	if err != nil {
		return fmt.Errorf("save tier rules from %s: %w", from, err)
	}
	return nil
}

// CancelTierRules cancels the change scheduled for from, which has not
// taken effect yet. Program admins only; audited.
func (db *DB) CancelTierRules(ctx context.Context, from pd.Date) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	err := db.update(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		if !from.After(today(t, prog)) {
			return pd.Errorf(pd.EInvalid, "Only a change that has not taken effect yet can be cancelled.")
		}
		found, err := deleteRuleSet(ctx, t, from)
		if err != nil {
			return err
		}
		if !found {
			return pd.Errorf(pd.ENotFound, "No change of the tier rules is scheduled for %s.", from)
		}
		return audit(ctx, t, 0, "tier_rules_cancelled", "tier_rules", from.String(), "the change from "+from.String()+" is cancelled")
	})
	if err != nil {
		return fmt.Errorf("cancel tier rules from %s: %w", from, err)
	}
	return nil
}

// deleteRuleSet deletes the rule set from from, reporting whether there
// was one.
func deleteRuleSet(ctx context.Context, t *tx, from pd.Date) (bool, error) {
	if _, err := t.exec(ctx, "DELETE FROM tier_rule_tiers WHERE rule_set_id IN (SELECT id FROM tier_rule_sets WHERE effective_from = ?)", from); err != nil {
		return false, fmt.Errorf("delete tier rules: %w", err)
	}
	res, err := t.exec(ctx, "DELETE FROM tier_rule_sets WHERE effective_from = ?", from)
	if err != nil {
		return false, fmt.Errorf("delete tier rules: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// TierPreviewResult is a preview of proposed rules, and what it is based on.
type TierPreviewResult struct {
	Refreshed bool // false before the first daily refresh: there is nothing to judge
	AsOf      pd.Date
	Current   pd.TierPolicy // the rules in force today
	*pd.TierPreview
}

// PreviewTierRules judges every partner's figures from the last daily
// refresh by the rules in force today and by proposed, which it checks as
// SaveTierRules does, in one query and in memory. Partners come by name;
// one added since the refresh has no figures (the entry tier). Program
// admins only: it names every partner of the program.
func (db *DB) PreviewTierRules(ctx context.Context, proposed pd.TierPolicy) (*TierPreviewResult, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	res := &TierPreviewResult{}
	var figures []pd.PartnerFigures
	err := db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		rules, err := tierRules(ctx, t)
		if err != nil {
			return err
		}
		if err := checkRules(&proposed, rules.Base); err != nil {
			return err
		}
		res.Current = rules.On(today(t, prog))
		st, err := readCreditState(ctx, t)
		if err != nil || !st.found {
			return err
		}
		res.Refreshed, res.AsOf = true, st.asOf
		var n int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM partners").Scan(&n); err != nil {
			return err
		}
		figures = make([]pd.PartnerFigures, 0, n)
		rows, err := t.query(ctx, `SELECT p.id, p.external_id, p.name, p.tier_code, p.elite_invited,
				COALESCE(ts.sold_credit, 0), COALESCE(ts.managed_mrr, 0), COALESCE(ts.usage_x2, 0), COALESCE(ts.certified, FALSE)
			FROM partners p LEFT JOIN tier_snapshots ts ON ts.snapshot = ? AND ts.partner_id = p.id
			ORDER BY lower(p.name), p.id`, st.snapshot)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f pd.PartnerFigures
			if err := rows.Scan(&f.PartnerID, &f.ExternalID, &f.Name, &f.Assigned, &f.Invited,
				&f.SoldCredit, &f.ManagedMRR, &f.UsageX2, &f.Certified); err != nil {
				return err
			}
			figures = append(figures, f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("preview tier rules: %w", err)
	}
	if res.Refreshed {
		res.TierPreview = pd.PreviewTiers(res.Current, proposed, figures)
	}
	return res, nil
}
