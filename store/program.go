package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// DefaultProgram is what a new installation starts with.
var DefaultProgram = pd.Program{Name: "Partner Program", Currency: "USD", TimeZone: "UTC",
	RefreshStart: "06:00", RefreshEnd: "08:00", CreditExpiryMonths: 12,
	RenewalHorizonDays: 120, DecisionDeadlineDays: 45, DefaultCommOwner: pd.OwnerVendor}

func program(ctx context.Context, t *tx) (pd.Program, error) {
	var p pd.Program
	err := t.queryRow(ctx, `SELECT name, currency, time_zone, refresh_start, refresh_end,
			credit_expiry_months, renewal_horizon_days, decision_deadline_days, default_comm_owner FROM program WHERE id = 1`).
		Scan(&p.Name, &p.Currency, &p.TimeZone, &p.RefreshStart, &p.RefreshEnd,
			&p.CreditExpiryMonths, &p.RenewalHorizonDays, &p.DecisionDeadlineDays, &p.DefaultCommOwner)
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

// SaveProgram stores the program's settings, and the catalogue's products
// and default tiers when they are missing.
func (db *DB) SaveProgram(ctx context.Context, p pd.Program) error {
	if _, err := time.LoadLocation(p.TimeZone); p.TimeZone == "" || err != nil {
		return pd.Errorf(pd.EInvalid, "Unknown time zone %q.", p.TimeZone)
	}
	if p.DefaultCommOwner == "" {
		p.DefaultCommOwner = pd.OwnerVendor
	}
	if p.DefaultCommOwner != pd.OwnerVendor && p.DefaultCommOwner != pd.OwnerPartner {
		return pd.Errorf(pd.EInvalid, "The default communication owner is vendor or partner, not %q.", p.DefaultCommOwner)
	}
	return db.update(ctx, func(t *tx) error {
		q := `INSERT INTO program (id, name, currency, time_zone, refresh_start, refresh_end,
				credit_expiry_months, renewal_horizon_days, decision_deadline_days, default_comm_owner)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency,
				time_zone = excluded.time_zone, refresh_start = excluded.refresh_start,
				refresh_end = excluded.refresh_end, credit_expiry_months = excluded.credit_expiry_months,
				renewal_horizon_days = excluded.renewal_horizon_days,
				decision_deadline_days = excluded.decision_deadline_days,
				default_comm_owner = excluded.default_comm_owner`
		if _, err := t.exec(ctx, q, p.Name, p.Currency, p.TimeZone, p.RefreshStart, p.RefreshEnd,
			p.CreditExpiryMonths, p.RenewalHorizonDays, p.DecisionDeadlineDays, p.DefaultCommOwner); err != nil {
			return fmt.Errorf("save program: %w", err)
		}
		return seedCatalogue(ctx, t)
	})
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
