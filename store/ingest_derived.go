package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Derived data kept in step with billing events, subscription lines and
// usage, in the transaction that wrote them:
//
//   - a subscription line's MRR and status are its latest billing event's,
//     by (occurred_at, external id), so that arrival order does not matter
//     and a late, older event changes history only. The line keeps which
//     event that is (mrr_event_at, mrr_event_id), so that new events are
//     compared with it rather than with the line's history; a line without
//     it (loaded in bulk) is looked up in its events once.
//   - a client's MRR and product mask sum its active lines;
//   - its engagement is pd.EngagementIndex of its products and latest usage
//     (pd.EngagementScore, the same figure without the breakdown).
//
// Each step reads and writes whole chunks of clients with a fixed number of
// statements, never one per record; the sums and the engagement index are
// computed here, in Go, where the rules live.

// linePair names a line by client and product, as billing events do.
type linePair struct {
	client  int64
	product string
}

// lineEvent is an event as a line's latest.
type lineEvent struct {
	at  time.Time
	id  string
	mrr int64
}

func (a lineEvent) before(b lineEvent) bool {
	return a.at.Before(b.at) || a.at.Equal(b.at) && a.id < b.id
}

const refreshChunk = 5000

// sqliteTimeText is how the SQLite driver writes a time with the
// _time_format=sqlite option that Open sets; values written through JSON
// use it too, so that they read back, sort and compare alike.
const sqliteTimeText = "2006-01-02 15:04:05.999999999-07:00"

// storedLine is a line as refresh reads it.
type storedLine struct {
	id, client int64
	product    string
	mrr        int64
	status     string
	latest     *lineEvent
}

func (in *Ingest) refresh() error {
	clients := slices.Sorted(maps.Keys(in.clients))
	for c := range slices.Chunk(clients, refreshChunk) {
		if err := in.refreshChunk(c); err != nil {
			return err
		}
	}
	return nil
}

func (in *Ingest) refreshChunk(clientIDs []int64) error {
	t, ctx := in.t, in.ctx
	rows, err := t.query(ctx, `SELECT id, client_id, product_code, mrr, status, mrr_event_at, mrr_event_id
		FROM subscription_lines WHERE `+t.d.inList("client_id"), t.d.listArg(clientIDs))
	if err != nil {
		return fmt.Errorf("read lines: %w", err)
	}
	var lines []storedLine
	for rows.Next() {
		var l storedLine
		var at *time.Time
		var id *string
		if err := rows.Scan(&l.id, &l.client, &l.product, &l.mrr, &l.status, &at, &id); err != nil {
			rows.Close()
			return fmt.Errorf("read lines: %w", err)
		}
		if at != nil && id != nil {
			l.latest = &lineEvent{at: *at, id: *id, mrr: l.mrr}
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read lines: %w", err)
	}
	// Lines with new events but no known latest: find it among their events.
	var unknown []int64
	have := map[linePair]bool{}
	for _, l := range lines {
		p := linePair{l.client, l.product}
		have[p] = true
		if _, ok := in.lines[p]; ok && l.latest == nil {
			unknown = append(unknown, l.id)
		}
	}
	found := map[int64]lineEvent{}
	if len(unknown) > 0 {
		rows, err := t.query(ctx, `SELECT l.id, e.occurred_at, e.external_id, e.mrr FROM subscription_lines l
			JOIN billing_events e ON e.id = (SELECT x.id FROM billing_events x WHERE x.client_id = l.client_id AND x.product_code = l.product_code
				ORDER BY x.occurred_at DESC, x.external_id DESC LIMIT 1)
			WHERE `+t.d.inList("l.id"), t.d.listArg(unknown))
		if err != nil {
			return fmt.Errorf("find lines' latest events: %w", err)
		}
		for rows.Next() {
			var id int64
			var ev lineEvent
			if err := rows.Scan(&id, &ev.at, &ev.id, &ev.mrr); err != nil {
				rows.Close()
				return err
			}
			found[id] = ev
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	// New lines, from their events alone.
	chunk := map[int64]bool{}
	for _, c := range clientIDs {
		chunk[c] = true
	}
	var newRows [][]any
	for p, ev := range in.lines {
		if !chunk[p.client] || have[p] {
			continue
		}
		status := "cancelled"
		if ev.mrr > 0 {
			status = "active"
		}
		newRows = append(newRows, []any{fmt.Sprintf("auto:%d:%s", p.client, p.product), p.client, p.product, ev.mrr, status, ev.at, ev.id})
		lines = append(lines, storedLine{client: p.client, product: p.product, mrr: ev.mrr, status: status})
	}
	if err := in.insertRows("subscription_lines", []string{"external_id", "client_id", "product_code", "mrr", "status", "mrr_event_at", "mrr_event_id"}, newRows, ""); err != nil {
		return fmt.Errorf("create lines: %w", err)
	}
	var lineRows [][]any
	for i := range lines {
		l := &lines[i]
		ev, ok := in.lines[linePair{l.client, l.product}]
		if !ok || l.id == 0 {
			continue
		}
		switch f, isFound := found[l.id]; {
		case isFound:
			ev = f
		case l.latest != nil && !l.latest.before(ev):
			continue // a late event: history only
		}
		status := "cancelled"
		if ev.mrr > 0 {
			status = "active"
		}
		l.mrr, l.status, l.latest = ev.mrr, status, &ev
		lineRows = append(lineRows, []any{l.id, ev.mrr, status, ev.at, ev.id})
	}
	if err := in.updateRows("subscription_lines", []string{"mrr", "status", "mrr_event_at", "mrr_event_id"}, lineRows); err != nil {
		return fmt.Errorf("lines follow events: %w", err)
	}

	// Clients: MRR and products of their active lines, engagement of those
	// products and their latest usage day.
	type sums struct{ mrr, mask int64 }
	want := map[int64]sums{}
	for _, l := range lines {
		if l.status != "active" {
			continue
		}
		s := want[l.client]
		p, _ := pd.ProductByCode(l.product)
		s.mrr += l.mrr
		s.mask |= p.Mask()
		want[l.client] = s
	}
	rows, err = t.query(ctx, `SELECT c.id, c.mrr, c.product_mask, c.engagement,
			COALESCE((SELECT u.tools FROM usage_snapshots u WHERE u.client_id = c.id ORDER BY u.day DESC LIMIT 1), 0)
		FROM clients c WHERE `+t.d.inList("c.id"), t.d.listArg(clientIDs))
	if err != nil {
		return fmt.Errorf("read clients: %w", err)
	}
	var clientRows [][]any
	for rows.Next() {
		var id, mrr, mask, tools int64
		var eng int
		if err := rows.Scan(&id, &mrr, &mask, &eng, &tools); err != nil {
			rows.Close()
			return fmt.Errorf("read clients: %w", err)
		}
		s := want[id]
		if e := pd.EngagementScore(s.mask, tools); s.mrr != mrr || s.mask != mask || e != eng {
			clientRows = append(clientRows, []any{id, s.mrr, s.mask, int64(e)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read clients: %w", err)
	}
	if err := in.updateRows("clients", []string{"mrr", "product_mask", "engagement"}, clientRows); err != nil {
		return fmt.Errorf("refresh clients: %w", err)
	}
	return nil
}

// updateRows sets cols of table's rows by id, from rows of [id, values…],
// in one statement: PostgreSQL joins arrays unnested in parallel, SQLite a
// JSON array of arrays (it has no arrays).
func (in *Ingest) updateRows(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	set := make([]string, len(cols))
	if in.t.d == dialectPostgres {
		types, err := in.columnTypes(table)
		if err != nil {
			return err
		}
		arrays := make([]any, len(cols)+1)
		casts := make([]string, len(cols)+1)
		for j, c := range append([]string{"id"}, cols...) {
			a := make([]any, len(rows))
			for i, r := range rows {
				a[i] = r[j]
			}
			arrays[j] = a
			casts[j] = "CAST(? AS " + types[c] + "[])"
			if j > 0 {
				set[j-1] = c + " = v." + c
			}
		}
		q := fmt.Sprintf("UPDATE %s SET %s FROM unnest(%s) AS v(id, %s) WHERE %s.id = v.id",
			table, strings.Join(set, ", "), strings.Join(casts, ", "), strings.Join(cols, ", "), table)
		_, err = in.t.exec(in.ctx, q, arrays...)
		return err
	}
	for j, c := range cols {
		set[j] = fmt.Sprintf("%s = v.value ->> %d", c, j+1)
	}
	for _, r := range rows {
		for j, v := range r {
			switch x := v.(type) {
			case time.Time:
				r[j] = x.UTC().Format(sqliteTimeText)
			case bool:
				r[j] = map[bool]int{false: 0, true: 1}[x]
			}
		}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	q := fmt.Sprintf("UPDATE %s SET %s FROM json_each(?) AS v WHERE %s.id = v.value ->> 0", table, strings.Join(set, ", "), table)
	_, err = in.t.exec(in.ctx, q, string(b))
	return err
}
