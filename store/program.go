package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	pd "github.com/partnerdesk/partnerdesk"
)

// MaxDigestDays bounds the digest's window.
const MaxDigestDays = 90

// DefaultProgram is what a new installation starts with.
var DefaultProgram = pd.Program{Name: "Partner Program", Currency: "USD", TimeZone: "UTC",
	RefreshStart: "06:00", RefreshEnd: "08:00", CreditExpiryMonths: 12,
	RenewalHorizonDays: 120, DecisionDeadlineDays: 45, DefaultCommOwner: pd.OwnerVendor, DigestDays: 14,
	ConfirmationExpiryDays: 30, ConfirmationCreditDays: 90}

func program(ctx context.Context, t *tx) (pd.Program, error) {
	var p pd.Program
	err := t.queryRow(ctx, `SELECT name, currency, time_zone, refresh_start, refresh_end,
			credit_expiry_months, renewal_horizon_days, decision_deadline_days, default_comm_owner, digest_days,
			confirmation_expiry_days, confirmation_credit_days FROM program WHERE id = 1`).
		Scan(&p.Name, &p.Currency, &p.TimeZone, &p.RefreshStart, &p.RefreshEnd,
			&p.CreditExpiryMonths, &p.RenewalHorizonDays, &p.DecisionDeadlineDays, &p.DefaultCommOwner, &p.DigestDays,
			&p.ConfirmationExpiryDays, &p.ConfirmationCreditDays)
	if err == sql.ErrNoRows {
		return DefaultProgram, nil
	} else if err != nil {
		return p, fmt.Errorf("load program: %w", err)
	}
	return p, nil
}

// Program returns the program's settings (the defaults before any are saved).
func (db *DB) Program(ctx context.Context) (pd.Program, error) {
	var p pd.Program
	err := db.view(ctx, func(t *tx) (err error) {
		p, err = program(ctx, t)
		return err
	})
	return p, err
}

// ProgramSettings returns the program's settings for a program admin to
// edit (every page reads them through Program; only admins edit them).
func (db *DB) ProgramSettings(ctx context.Context) (pd.Program, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return pd.Program{}, err
	}
	return db.Program(ctx)
}

// SaveProgram stores the program's settings as given, and the catalogue's
// products and default tiers when they are missing: an installation's or
// the demo's set-up. A new default communication owner moves the renewals
// that follow it, as UpdateProgram's does. A program admin's change goes
// through UpdateProgram, which checks the role and audits.
func (db *DB) SaveProgram(ctx context.Context, p pd.Program) error {
	if err := checkProgram(&p); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		cur, err := program(ctx, t)
		if err != nil {
			return err
		}
		if _, err := saveProgram(ctx, t, cur, p); err != nil {
			return err
		}
		return seedCatalogue(ctx, t)
	})
}

// UpdateProgram is a program admin's change of the settings. The credit
// expiry is kept (changing it would rewrite the whole credit ledger). A new
// default communication owner applies at once to the renewals, dated today
// or later, of every client that follows the default, each with a line in
// its history. The change is written to the audit log.
func (db *DB) UpdateProgram(ctx context.Context, p pd.Program) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		cur, err := program(ctx, t)
		if err != nil {
			return err
		}
		p.CreditExpiryMonths = cur.CreditExpiryMonths
		if err := checkProgram(&p); err != nil {
			return err
		}
		changes := programChanges(cur, p)
		if len(changes) == 0 {
			return nil
		}
		moved, err := saveProgram(ctx, t, cur, p)
		if err != nil {
			return err
		}
		if p.DefaultCommOwner != cur.DefaultCommOwner {
			changes = append(changes, fmt.Sprintf("%d renewals now owned by the %s", moved, p.DefaultCommOwner))
		}
		return audit(ctx, t, 0, "program_settings", "program", "1", strings.Join(changes, "; "))
	})
}

// saveProgram writes checked settings p over cur. When the default
// communication owner changes, the renewals dated today or later (in p's
// time zone) of every client that follows the default move to the new
// owner, each with a line in its history, as SetCommOwner moves one
// client's: one statement each, whatever the number of clients. A default
// of "partner" gives each renewal to its client's selling partner, else
// its managing partner with the lowest id (defaultPartner); a client no
// partner serves stays with the vendor, and a renewal another partner owns
// already keeps it. It returns how many renewals moved.
func saveProgram(ctx context.Context, t *tx, cur, p pd.Program) (int64, error) {
	if err := writeProgram(ctx, t, p); err != nil {
		return 0, err
	}
	if p.DefaultCommOwner == cur.DefaultCommOwner {
		return 0, nil
	}
	var userID int64
	if pr := pd.PrincipalFrom(ctx); pr != nil {
		userID = pr.UserID
	}
	day, owner := today(t, p), p.DefaultCommOwner
	moving := `renewal_date >= ? AND comm_owner <> ?
		AND client_id IN (SELECT id FROM clients WHERE comm_owner IS NULL)`
	partner := "NULL"
	if owner == pd.OwnerPartner {
		partner = defaultPartner("renewals.client_id")
		moving += " AND " + partner + " IS NOT NULL"
	}
	if _, err := t.exec(ctx, `INSERT INTO renewal_decisions (renewal_id, decision, detail, note, user_id, decided_at, comm_partner_id)
		SELECT id, ?, ?, '', ?, ?, `+partner+` FROM renewals WHERE `+moving,
		pd.HistoryOwner, pd.OwnerDefault+":"+owner, nullID(userID), t.now, day, owner); err != nil {
		return 0, fmt.Errorf("apply the default communication owner: %w", err)
	}
	res, err := t.exec(ctx, `UPDATE renewals SET comm_owner = ?, comm_partner_id = `+partner+` WHERE `+moving, owner, day, owner)
	if err != nil {
		return 0, fmt.Errorf("apply the default communication owner: %w", err)
	}
	return res.RowsAffected()
}

// programChanges describes, for the audit log, what b changes of a.
func programChanges(a, b pd.Program) []string {
	var out []string
	add := func(what string, from, to any) {
		if from != to {
			out = append(out, fmt.Sprintf("%s %v → %v", what, from, to))
		}
	}
	add("name", a.Name, b.Name)
	add("currency", a.Currency, b.Currency)
	add("time zone", a.TimeZone, b.TimeZone)
	add("refresh window", a.RefreshStart+"–"+a.RefreshEnd, b.RefreshStart+"–"+b.RefreshEnd)
	add("renewal horizon (days)", a.RenewalHorizonDays, b.RenewalHorizonDays)
	add("decision deadline (days)", a.DecisionDeadlineDays, b.DecisionDeadlineDays)
	add("default communication owner", a.DefaultCommOwner, b.DefaultCommOwner)
	add("digest window (days)", a.DigestDays, b.DigestDays)
	add("confirmation link expiry (days)", a.ConfirmationExpiryDays, b.ConfirmationExpiryDays)
	add("confirmation credit window (days)", a.ConfirmationCreditDays, b.ConfirmationCreditDays)
	return out
}

// CheckProgram reports every problem of settings p (pd.FieldErrors), as
// UpdateProgram would, without saving: a form shows them all at once.
func CheckProgram(p pd.Program) error { return checkProgram(&p) }

// checkProgram validates settings, every field at once (pd.FieldErrors),
// writes the refresh window as HH:MM, and fills the default owner when
// unset.
func checkProgram(p *pd.Program) error {
	var bad pd.FieldErrors
	p.Name, p.Currency = strings.TrimSpace(p.Name), strings.ToUpper(strings.TrimSpace(p.Currency))
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 {
		bad.Add("name", "The program needs a name of at most 200 characters.")
	}
	if len(p.Currency) != 3 || strings.Trim(p.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		bad.Add("currency", "The currency is a three-letter ISO 4217 code, such as USD or EUR, not %q.", p.Currency)
	}
	// "Local" would be the server's zone, whatever it is: not a place.
	if _, err := time.LoadLocation(p.TimeZone); p.TimeZone == "" || p.TimeZone == "Local" || err != nil {
		bad.Add("time_zone", "Unknown time zone %q: use a name such as Europe/Paris or America/New_York.", p.TimeZone)
	}
	start, err1 := time.Parse("15:04", p.RefreshStart)
	end, err2 := time.Parse("15:04", p.RefreshEnd)
	if err1 != nil || err2 != nil || !start.Before(end) {
		bad.Add("refresh", "The daily refresh window is two times of day, HH:MM, the start before the end.")
	} else {
		p.RefreshStart, p.RefreshEnd = start.Format("15:04"), end.Format("15:04")
	}
	if p.CreditExpiryMonths < 1 || p.CreditExpiryMonths > 120 {
		bad.Add("credit_expiry_months", "Credit expires after 1 to 120 months, not %d.", p.CreditExpiryMonths)
	}
	if p.RenewalHorizonDays < 1 || p.RenewalHorizonDays > 730 {
		bad.Add("renewal_horizon_days", "The renewal horizon is 1 to 730 days, not %d.", p.RenewalHorizonDays)
	}
	if p.DecisionDeadlineDays < 0 || p.DecisionDeadlineDays > 365 || p.DecisionDeadlineDays >= p.RenewalHorizonDays {
		bad.Add("decision_deadline_days", "The decision deadline is 0 to 365 days before the renewal date, and fewer than the horizon's %d.", p.RenewalHorizonDays)
	}
	if p.DefaultCommOwner == "" {
		p.DefaultCommOwner = pd.OwnerVendor
	}
	if p.DigestDays < 0 || p.DigestDays > MaxDigestDays {
		bad.Add("digest_days", "The digest lists the decisions due within 0 to %d days (0: no digest), not %d.", MaxDigestDays, p.DigestDays)
	}
	// Settings saved before confirmation links existed keep their defaults.
	if p.ConfirmationExpiryDays == 0 {
		p.ConfirmationExpiryDays = DefaultProgram.ConfirmationExpiryDays
	}
	if p.ConfirmationCreditDays == 0 {
		p.ConfirmationCreditDays = DefaultProgram.ConfirmationCreditDays
	}
	if p.ConfirmationExpiryDays < 1 || p.ConfirmationExpiryDays > 365 {
		bad.Add("confirmation_expiry_days", "A confirmation link expires after 1 to 365 days, not %d.", p.ConfirmationExpiryDays)
	}
	if p.ConfirmationCreditDays < 1 || p.ConfirmationCreditDays > 730 {
		bad.Add("confirmation_credit_days", "A confirmed link credits 1 to 730 days of billing events, not %d.", p.ConfirmationCreditDays)
	}
	if p.DefaultCommOwner != pd.OwnerVendor && p.DefaultCommOwner != pd.OwnerPartner {
		bad.Add("default_comm_owner", "The default communication owner is vendor or partner, not %q.", p.DefaultCommOwner)
	}
	return bad.Err()
}

// writeProgram stores the settings row.
func writeProgram(ctx context.Context, t *tx, p pd.Program) error {
	q := `INSERT INTO program (id, name, currency, time_zone, refresh_start, refresh_end,
			credit_expiry_months, renewal_horizon_days, decision_deadline_days, default_comm_owner, digest_days,
			confirmation_expiry_days, confirmation_credit_days)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency,
			time_zone = excluded.time_zone, refresh_start = excluded.refresh_start,
			refresh_end = excluded.refresh_end, credit_expiry_months = excluded.credit_expiry_months,
			renewal_horizon_days = excluded.renewal_horizon_days,
			decision_deadline_days = excluded.decision_deadline_days,
			default_comm_owner = excluded.default_comm_owner, digest_days = excluded.digest_days,
			confirmation_expiry_days = excluded.confirmation_expiry_days,
			confirmation_credit_days = excluded.confirmation_credit_days`
	if _, err := t.exec(ctx, q, p.Name, p.Currency, p.TimeZone, p.RefreshStart, p.RefreshEnd,
		p.CreditExpiryMonths, p.RenewalHorizonDays, p.DecisionDeadlineDays, p.DefaultCommOwner, p.DigestDays,
		p.ConfirmationExpiryDays, p.ConfirmationCreditDays); err != nil {
		return fmt.Errorf("save program: %w", err)
	}
	return nil
}

// DefaultTiers follow the vendor's published 2018–2022 figures, in cents.
var DefaultTiers = []struct {
	Code, Name          string
	SoldCredit, Managed int64
	InvitationOnly      bool
}{
	{"partner", "Partner", 0, 0, false},
	{"silver", "Silver", 112500, 112500, false},
	{"gold", "Gold", 210000, 600000, false},
	{"platinum", "Platinum", 375000, 2000000, false},
	{"diamond", "Diamond", 1000000, 5000000, false},
	{"elite", "Elite", 6500000, 17000000, true},
}

func seedCatalogue(ctx context.Context, t *tx) error {
	for i, tr := range DefaultTiers {
		if _, err := t.exec(ctx, `INSERT INTO tiers (code, name, rank, sold_credit_min, managed_mrr_min, invitation_only)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
			tr.Code, tr.Name, i, tr.SoldCredit, tr.Managed, tr.InvitationOnly); err != nil {
			return fmt.Errorf("seed tiers: %w", err)
		}
	}
	for _, p := range pd.Products {
		if _, err := t.exec(ctx, `INSERT INTO products (code, hub, edition, name, bit)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
			p.Code, p.Hub, p.Edition.String(), p.Name(), p.Bit); err != nil {
			return fmt.Errorf("seed products: %w", err)
		}
	}
	return nil
}
