package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
)

// The credit snapshot as the Tier tab reads it. The daily refresh writes it
// (credit_refresh.go); a page reads one snapshot, the one credit_state
// names, in one transaction.

// creditState is the credit_state row.
type creditState struct {
	snapshot int64
	asOf     pd.Date
	takenAt  time.Time
	found    bool
}

func readCreditState(ctx context.Context, t *tx) (creditState, error) {
	var s creditState
	err := t.queryRow(ctx, "SELECT snapshot, as_of, taken_at FROM credit_state WHERE id = 1").Scan(&s.snapshot, &s.asOf, &s.takenAt)
	if err == sql.ErrNoRows {
		return s, nil
	} else if err != nil {
		return s, fmt.Errorf("read credit state: %w", err)
	}
	s.found = true
	s.takenAt = s.takenAt.UTC()
	return s, nil
}

// TierTab returns what the Tier tab shows of the scoped partner, from the
// last refresh's snapshot: the main report, the months of q.Months (if
// set; months after the snapshot's are an error) and, with q.Clients, every
// client it has moved credit for.
func (db *DB) TierTab(ctx context.Context, q pd.TierQuery) (*pd.TierTab, error) {
	var tab pd.TierTab
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		st, err := readCreditState(ctx, t)
		if err != nil {
			return err
		}
		if tab.Report, err = tierReport(ctx, t, partnerID, st); err != nil {
			return err
		}
		switch {
		case q.AllMonths && st.found:
			if tab.Months, err = storedMonths(ctx, t, partnerID, st.snapshot); err != nil {
				return err
			}
		case !q.Months.From.IsZero():
			if tab.Months, err = creditMonths(ctx, t, partnerID, st, q.Months); err != nil {
				return err
			}
		}
		if q.Clients && st.found {
			tab.Clients, err = creditClients(ctx, t, partnerID, st.snapshot)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &tab, nil
}

// creditMonths lists every month of p: months before the partner's first
// have no credit, and months after the snapshot's are not computed yet.
func creditMonths(ctx context.Context, t *tx, partnerID int64, st creditState, p pd.Period) ([]pd.CreditMonth, error) {
	if p.To.Before(p.From) {
		return nil, pd.Errorf(pd.EInvalid, "The period ends before it starts.")
	}
	if st.found && p.To.After(pd.MonthStart(st.asOf)) {
		return nil, pd.Errorf(pd.EInvalid, "Tier credit is computed through %s; ask for months up to %s.", st.asOf, st.asOf.Format("2006-01"))
	}
	n := monthsBetween(p.From, p.To) + 1
	if n > 1200 {
		return nil, pd.Errorf(pd.EInvalid, "Ask for at most 100 years of months.")
	}
	out := make([]pd.CreditMonth, n)
	for i := range out {
		out[i].Month = pd.AddMonths(p.From, i)
	}
	if !st.found {
		return out, nil
	}
	// The first month asked may come after the partner's last stored
	// month before it: its opening is that month's closing.
	rows, err := t.query(ctx, `SELECT month, opening, new, upgraded, decreased, expired_lost, closing FROM credit_months
		WHERE snapshot = ? AND partner_id = ? AND month <= ? ORDER BY month`, st.snapshot, partnerID, p.To)
	if err != nil {
		return nil, fmt.Errorf("read credit months: %w", err)
	}
	defer rows.Close()
	var carry int64 // the closing of the partner's last month before p
	stored := make([]bool, n)
	for rows.Next() {
		var m pd.CreditMonth
		if err := rows.Scan(&m.Month, &m.Opening, &m.New, &m.Upgraded, &m.Decreased, &m.ExpiredLost, &m.Closing); err != nil {
			return nil, fmt.Errorf("read credit months: %w", err)
		}
		if m.Month.Before(p.From) {
			carry = m.Closing
			continue
		}
		i := monthsBetween(p.From, m.Month)
		out[i], stored[i] = m, true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read credit months: %w", err)
	}
	// The partner's months run without a gap from its first to the
	// snapshot's; a month without a row comes before its first.
	for i := range out {
		if !stored[i] {
			out[i].Opening, out[i].Closing = carry, carry
		}
		carry = out[i].Closing
	}
	return out, nil
}

// storedMonths reads the partner's months as stored: from its first with
// credit to the snapshot's.
func storedMonths(ctx context.Context, t *tx, partnerID, snapshot int64) ([]pd.CreditMonth, error) {
	rows, err := t.query(ctx, `SELECT month, opening, new, upgraded, decreased, expired_lost, closing FROM credit_months
		WHERE snapshot = ? AND partner_id = ? ORDER BY month`, snapshot, partnerID)
	if err != nil {
		return nil, fmt.Errorf("read credit months: %w", err)
	}
	defer rows.Close()
	var out []pd.CreditMonth
	for rows.Next() {
		var m pd.CreditMonth
		if err := rows.Scan(&m.Month, &m.Opening, &m.New, &m.Upgraded, &m.Decreased, &m.ExpiredLost, &m.Closing); err != nil {
			return nil, fmt.Errorf("read credit months: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func monthsBetween(a, b pd.Date) int {
	ta, tb := a.Time(), b.Time()
	return (tb.Year()-ta.Year())*12 + int(tb.Month()-ta.Month())
}

// creditClients reads every client the partner has credit history with,
// names and movements, in one query.
func creditClients(ctx context.Context, t *tx, partnerID, snapshot int64) ([]pd.ClientCredit, error) {
	rows, err := t.query(ctx, `SELECT cc.client_id, c.account_id, c.name, cc.credit, cc.last_purchase, cc.expires, cc.movements,
			EXISTS (SELECT 1 FROM client_partners cp WHERE cp.client_id = cc.client_id AND cp.partner_id = cc.partner_id AND cp.ended_on IS NULL)
		FROM credit_clients cc JOIN clients c ON c.id = cc.client_id
		WHERE cc.snapshot = ? AND cc.partner_id = ?`, snapshot, partnerID)
	if err != nil {
		return nil, fmt.Errorf("read credit clients: %w", err)
	}
	defer rows.Close()
	var out []pd.ClientCredit
	var text string
	for rows.Next() {
		var c pd.ClientCredit
		if err := rows.Scan(&c.ClientID, &c.AccountID, &c.Name, &c.Credit, &c.LastPurchase, &c.Expires, &text, &c.Active); err != nil {
			return nil, fmt.Errorf("read credit clients: %w", err)
		}
		if c.Movements, err = decodeMovements(text); err != nil {
			return nil, fmt.Errorf("read credit of client %d: %w", c.ClientID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Movement letters in credit_clients.movements.
var (
	kindLetter = map[credit.Kind]byte{credit.KindNew: 'n', credit.KindUpgraded: 'u', credit.KindReturning: 'r',
		credit.KindDecreased: 'd', credit.KindLost: 'l', credit.KindExpired: 'e', credit.KindTransferred: 't'}
	letterKind = map[byte]string{'n': pd.MoveNew, 'u': pd.MoveUpgraded, 'r': pd.MoveReturning,
		'd': pd.MoveDecreased, 'l': pd.MoveLost, 'e': pd.MoveExpired, 't': pd.MoveTransferred}
)

// appendMovement appends "YYYY-MM-DD k amount" (after a ";" unless b is
// empty).
func appendMovement(b []byte, d credit.Date, k credit.Kind, amount int64) []byte {
	if len(b) > 0 {
		b = append(b, ';')
	}
	y, m, dd := d.Civil()
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, int(m), 2)
	b = append(b, '-')
	b = appendPadded(b, dd, 2)
	b = append(b, ' ', kindLetter[k], ' ')
	return strconv.AppendInt(b, amount, 10)
}

func appendPadded(b []byte, v, width int) []byte {
	var buf [8]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// decodeMovements reads credit_clients.movements. It is on the Tier tab's
// path for thousands of clients, so it parses by hand.
func decodeMovements(s string) ([]pd.CreditMovement, error) {
	n := 1
	for i := 0; i < len(s); i++ {
		if s[i] == ';' {
			n++
		}
	}
	out := make([]pd.CreditMovement, 0, n)
	for len(s) > 0 {
		// "YYYY-MM-DD k 123"
		if len(s) < 14 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[12] != ' ' {
			return nil, fmt.Errorf("movement %q is not YYYY-MM-DD k amount", s[:min(len(s), 30)])
		}
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		kind, ok4 := letterKind[s[11]]
		end := 13
		for end < len(s) && s[end] != ';' {
			end++
		}
		amount, ok5 := digits(s[13:end])
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
			return nil, fmt.Errorf("movement %q is not YYYY-MM-DD k amount", s[:end])
		}
		out = append(out, pd.CreditMovement{Day: pd.NewDate(int(y), time.Month(m), int(d)), Kind: kind, Amount: amount})
		if end < len(s) {
			end++
		}
		s = s[end:]
	}
	return out, nil
}

func digits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}
