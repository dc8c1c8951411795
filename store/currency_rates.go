package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's exchange rates (migration 0024): what one unit of another
// currency is worth in the program's, as the program fixes it. The Stripe
// webhook converts with them (docs/stripe.md).

// maxCurrencyRates bounds the table a program admin keeps.
const maxCurrencyRates = 200

// CurrencyRates returns the program's exchange rates, by currency.
func (db *DB) CurrencyRates(ctx context.Context) ([]pd.CurrencyRate, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var rates []pd.CurrencyRate
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, "SELECT currency, rate FROM currency_rates ORDER BY currency")
		if err != nil {
			return fmt.Errorf("read exchange rates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r pd.CurrencyRate
			if err := rows.Scan(&r.Currency, &r.Rate); err != nil {
				return fmt.Errorf("read exchange rates: %w", err)
			}
			rates = append(rates, r)
		}
		return rows.Err()
	})
	return rates, err
}

// SetCurrencyRates replaces the program's exchange rates, audited. A rate
// is a positive decimal, for a three-letter code other than the program's
// currency, once each.
func (db *DB) SetCurrencyRates(ctx context.Context, rates []pd.CurrencyRate) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		if len(rates) > maxCurrencyRates {
			return pd.Errorf(pd.EInvalid, "At most %d exchange rates.", maxCurrencyRates)
		}
		var seen, changes []string
		for i := range rates {
			r := &rates[i]
			r.Currency, r.Rate = strings.ToUpper(strings.TrimSpace(r.Currency)), strings.TrimSpace(r.Rate)
			if len(r.Currency) != 3 || strings.Trim(r.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
				return pd.Errorf(pd.EInvalid, "A currency is a three-letter ISO 4217 code, such as EUR, not %q.", r.Currency)
			}
			if r.Currency == prog.Currency || slices.Contains(seen, r.Currency) {
				return pd.Errorf(pd.EInvalid, "%s is the program's currency or has two rates.", r.Currency)
			}
			if _, ok := parseRate(r.Rate); !ok {
				return pd.Errorf(pd.EInvalid, "The rate of %s is a positive decimal number, such as 1.0825, not %q.", r.Currency, r.Rate)
			}
			seen = append(seen, r.Currency)
			changes = append(changes, r.Currency+" "+r.Rate)
		}
		if _, err := t.exec(ctx, "DELETE FROM currency_rates"); err != nil {
			return fmt.Errorf("store exchange rates: %w", err)
		}
		for _, r := range rates {
			if _, err := t.exec(ctx, "INSERT INTO currency_rates (currency, rate) VALUES (?, ?)", r.Currency, r.Rate); err != nil {
				return fmt.Errorf("store exchange rates: %w", err)
			}
		}
		return audit(ctx, t, 0, "program_settings", "currency_rates", prog.Currency, "exchange rates: "+strings.Join(changes, ", "))
	})
}

// parseRate reads a positive decimal exactly.
func parseRate(s string) (*big.Rat, bool) {
	if s == "" || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok && r.Sign() > 0
}

// CurrencyRate is the program's rate of a currency, false without one.
func (in *Ingest) CurrencyRate(currency string) (*big.Rat, bool, error) {
	var s string
	err := in.t.queryRow(in.ctx, "SELECT rate FROM currency_rates WHERE currency = ?", currency).Scan(&s)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("read the rate of %s: %w", currency, err)
	}
	r, ok := parseRate(s)
	return r, ok, nil
}
