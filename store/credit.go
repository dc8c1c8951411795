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
		if q.Current != nil && st.found {
			if tab.Current, tab.CurrentTotal, err = currentCredit(ctx, t, partnerID, st.snapshot, *q.Current); err != nil {
				return err
			}
		}
		if q.ExpiringMonths > 0 && st.found {
			if tab.Expiring, err = expiringCredit(ctx, t, partnerID, st.snapshot, pd.AddMonths(pd.MonthStart(st.asOf), q.ExpiringMonths)); err != nil {
				return err
			}
		}
		if q.History && st.found {
			tab.Clients, err = creditClients(ctx, t, partnerID, st.snapshot, q.HistoryMonth)
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
// or, if month is set, those that moved in it (found by their text).
// Dates are read as text, which the SQLite driver would otherwise parse
// for every row.
func creditClients(ctx context.Context, t *tx, partnerID, snapshot int64, month pd.Date) ([]pd.ClientCredit, error) {
	q := `SELECT client_id, credit, CAST(last_purchase AS TEXT), CAST(expires AS TEXT), movements FROM credit_clients
		WHERE snapshot = ? AND partner_id = ?`
	args := []any{snapshot, partnerID}
	if !month.IsZero() {
		q += " AND movements LIKE ?"
		args = append(args, "%"+month.Format("2006-01")+"-%")
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read credit clients: %w", err)
	}
	defer rows.Close()
	var out []pd.ClientCredit
	var text string
	var last, exp sql.NullString
	dates := map[string]pd.Date{}
	for rows.Next() {
		var c pd.ClientCredit
		if err := rows.Scan(&c.ClientID, &c.Credit, &last, &exp, &text); err != nil {
			return nil, fmt.Errorf("read credit clients: %w", err)
		}
		if c.LastPurchase, err = textDate(last, dates); err == nil {
			c.Expires, err = textDate(exp, dates)
		}
		if err == nil {
			c.Movements, err = decodeMovements(text, dates)
		}
		if err != nil {
			return nil, fmt.Errorf("read credit of client %d: %w", c.ClientID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// currentCredit reads a page of the clients that hold credit, sorted in
// the database (the index holds credit and expiry; names only for a sort
// by name), with their count.
func currentCredit(ctx context.Context, t *tx, partnerID, snapshot int64, p pd.CreditPage) ([]pd.ClientCredit, int, error) {
	order, join := "cc.credit", ""
	switch p.Sort {
	case "client":
		order, join = "lower(c.name)", " JOIN clients c ON c.id = cc.client_id"
	case "expires":
		order = "cc.expires"
	}
	dir := "ASC"
	if p.Desc {
		dir = "DESC"
	}
	// The count apart: with it in the page's query (a window) the
	// database would read every row rather than walk the index for a page.
	from := " FROM credit_clients cc" + join + " WHERE cc.snapshot = ? AND cc.partner_id = ? AND cc.credit > 0"
	q := "SELECT cc.client_id, cc.credit, CAST(cc.expires AS TEXT)" + from +
		fmt.Sprintf(" ORDER BY %s %s, cc.client_id %s", order, dir, dir)
	args := []any{snapshot, partnerID}
	if p.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, p.Limit, p.Offset)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read credit: %w", err)
	}
	defer rows.Close()
	out, err := scanCredit(rows)
	total := len(out)
	if err == nil && p.Limit > 0 {
		err = t.queryRow(ctx, "SELECT COUNT(*) FROM credit_clients cc WHERE cc.snapshot = ? AND cc.partner_id = ? AND cc.credit > 0",
			snapshot, partnerID).Scan(&total)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read credit: %w", err)
	}
	return out, total, nil
}

// expiringCredit reads the clients whose credit expires before end.
func expiringCredit(ctx context.Context, t *tx, partnerID, snapshot int64, end pd.Date) ([]pd.ClientCredit, error) {
	rows, err := t.query(ctx, `SELECT client_id, credit, CAST(expires AS TEXT) FROM credit_clients
		WHERE snapshot = ? AND partner_id = ? AND credit > 0 AND expires < ?`, snapshot, partnerID, end)
	if err != nil {
		return nil, fmt.Errorf("read expiring credit: %w", err)
	}
	defer rows.Close()
	out, err := scanCredit(rows)
	if err != nil {
		return nil, fmt.Errorf("read expiring credit: %w", err)
	}
	return out, nil
}

func scanCredit(rows *sql.Rows) ([]pd.ClientCredit, error) {
	var out []pd.ClientCredit
	var exp sql.NullString
	dates := map[string]pd.Date{}
	for rows.Next() {
		var c pd.ClientCredit
		if err := rows.Scan(&c.ClientID, &c.Credit, &exp); err != nil {
			return nil, err
		}
		var err error
		if c.Expires, err = textDate(exp, dates); err != nil {
			return nil, fmt.Errorf("client %d: %w", c.ClientID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// textDate reads a DATE column cast to text, through the cache of dates.
func textDate(s sql.NullString, dates map[string]pd.Date) (pd.Date, error) {
	if !s.Valid || s.String == "" {
		return pd.Date{}, nil
	}
	if d, ok := dates[s.String]; ok {
		return d, nil
	}
	d, err := pd.ParseDate(s.String[:min(10, len(s.String))])
	dates[s.String] = d
	return d, err
}

// NameCreditClients fills in the name, account id and whether each client
// is one of the scoped partner's active clients, in one query.
func (db *DB) NameCreditClients(ctx context.Context, clients []*pd.ClientCredit) error {
	if len(clients) == 0 {
		return nil
	}
	byID := make(map[int64][]*pd.ClientCredit, len(clients))
	ids := make([]int64, 0, len(clients))
	for _, c := range clients {
		if byID[c.ClientID] == nil {
			ids = append(ids, c.ClientID)
		}
		byID[c.ClientID] = append(byID[c.ClientID], c)
	}
	return db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		// Only clients of the partner's credit: a name is no one else's.
		// For many, every one of them, joined rather than listed.
		q := `SELECT c.id, c.name, c.account_id,
				EXISTS (SELECT 1 FROM client_partners cp WHERE cp.client_id = c.id AND cp.partner_id = ? AND cp.ended_on IS NULL)
			FROM credit_clients cc JOIN clients c ON c.id = cc.client_id
			WHERE cc.snapshot = (SELECT snapshot FROM credit_state WHERE id = 1) AND cc.partner_id = ?`
		args := []any{partnerID, partnerID}
		if len(ids) <= 500 {
			q += " AND " + t.d.inList("cc.client_id")
			args = append(args, t.d.listArg(ids))
		}
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("name clients: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name, account string
			var active bool
			if err := rows.Scan(&id, &name, &account, &active); err != nil {
				return fmt.Errorf("name clients: %w", err)
			}
			for _, c := range byID[id] {
				c.Name, c.AccountID, c.Active = name, account, active
			}
		}
		return rows.Err()
	})
}

// Movement letters in credit_clients.movements.
var (
	kindLetter = map[credit.Kind]byte{credit.KindNew: 'n', credit.KindUpgraded: 'u', credit.KindReturning: 'r',
		credit.KindDecreased: 'd', credit.KindLost: 'l', credit.KindExpired: 'e', credit.KindTransferred: 't'}
	letterKind = map[byte]string{'n': pd.MoveNew, 'u': pd.MoveUpgraded, 'r': pd.MoveReturning,
		'd': pd.MoveDecreased, 'l': pd.MoveLost, 'e': pd.MoveExpired, 't': pd.MoveTransferred}
)

// appendMovement appends "YYYY-MM-DD k amount", and " Lid" for a gain
// credited by confirmation link id (after a ";" unless b is empty).
func appendMovement(b []byte, d credit.Date, k credit.Kind, amount int64, link string) []byte {
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
	b = strconv.AppendInt(b, amount, 10)
	if link != "" {
		b = append(append(b, " L"...), link...)
	}
	return b
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
// path for thousands of clients, so it parses by hand, and dates (a few
// hundred distinct ones over thousands of rows) are made once per dates.
func decodeMovements(s string, dates map[string]pd.Date) ([]pd.CreditMovement, error) {
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
		day, ok1 := dates[s[:10]]
		if !ok1 {
			y, ok1 := digits(s[0:4])
			m, ok2 := digits(s[5:7])
			d, ok3 := digits(s[8:10])
			if !ok1 || !ok2 || !ok3 {
				return nil, fmt.Errorf("movement %q is not YYYY-MM-DD k amount", s[:min(len(s), 30)])
			}
			day = pd.NewDate(int(y), time.Month(m), int(d))
			dates[s[:10]] = day
		}
		kind, ok4 := letterKind[s[11]]
		end := 13
		for end < len(s) && s[end] != ';' && s[end] != ' ' {
			end++
		}
		amount, ok5 := digits(s[13:end])
		if !ok4 || !ok5 {
			return nil, fmt.Errorf("movement %q is not YYYY-MM-DD k amount", s[:end])
		}
		m := pd.CreditMovement{Day: day, Kind: kind, Amount: amount}
		if end+1 < len(s) && s[end] == ' ' && s[end+1] == 'L' {
			start := end + 2
			for end = start; end < len(s) && s[end] != ';'; end++ {
			}
			link, ok := digits(s[start:end])
			if !ok {
				return nil, fmt.Errorf("movement %q names no link", s[:end])
			}
			m.Link = link
		}
		out = append(out, m)
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
