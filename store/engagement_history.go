package store

import (
	"context"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// A partner's engagement month by month. A closed month's figures are its
// clients' indexes on its last day: the clients the partner had that day,
// each scored by its latest usage snapshot at or before that day against
// the products it owns today (the subscriptions' history is not replayed).
// The daily refresh keeps them in engagement_monthly; a month it has not
// stored yet is computed on the fly, so that the page is right before the
// first refresh and fast after it.

// engagementTrend returns the closed months of the trend ending today,
// oldest first.
func engagementTrend(ctx context.Context, t *tx, partnerID int64, day pd.Date) ([]pd.EngagementMonth, error) {
	months := pd.TrendMonths(day, TrendLength)
	closed := months[:len(months)-1]
	rows, err := t.query(ctx, `SELECT month, clients, index_sum, low, medium, high FROM engagement_monthly
		WHERE partner_id = ? AND month >= ? AND month <= ?`, partnerID, closed[0], closed[len(closed)-1])
	if err != nil {
		return nil, fmt.Errorf("load engagement trend: %w", err)
	}
	stored := map[pd.Date]pd.EngagementMonth{}
	for rows.Next() {
		var m pd.EngagementMonth
		if err := rows.Scan(&m.Month, &m.Clients, &m.IndexSum, &m.Low, &m.Medium, &m.High); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load engagement trend: %w", err)
		}
		stored[m.Month] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []pd.Date
	for _, m := range closed {
		if _, ok := stored[m]; !ok {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		computed, err := engagementMonths(ctx, t, partnerID, missing)
		if err != nil {
			return nil, err
		}
		for _, m := range computed {
			stored[m.Month] = m
		}
	}
	trend := make([]pd.EngagementMonth, len(closed))
	for i, m := range closed {
		trend[i] = stored[m]
		trend[i].Month = m
	}
	return trend, nil
}

// engagementMonths computes partnerID's engagement at the end of each of
// months (first days, oldest first) from the usage snapshots, in one query.
func engagementMonths(ctx context.Context, t *tx, partnerID int64, months []pd.Date) ([]pd.EngagementMonth, error) {
	out := make([]pd.EngagementMonth, len(months))
	ends := make([]pd.Date, len(months))
	for i, m := range months {
		out[i].Month, ends[i] = m, pd.MonthEnd(m)
	}
	first, last := ends[0], ends[len(ends)-1]
	rows, err := t.query(ctx, `SELECT cp.id, cp.client_id, cp.started_on, cp.ended_on, c.product_mask, u.day, u.tools
		FROM client_partners cp JOIN clients c ON c.id = cp.client_id
		LEFT JOIN usage_snapshots u ON u.client_id = cp.client_id AND u.day <= ?
		WHERE cp.partner_id = ? AND cp.started_on <= ? AND (cp.ended_on IS NULL OR cp.ended_on > ?)
		ORDER BY cp.client_id, cp.id, u.day`, last, partnerID, last, first)
	if err != nil {
		return nil, fmt.Errorf("compute engagement history: %w", err)
	}
	defer rows.Close()

	// Rows come by relationship, snapshots by day: a relationship's
	// snapshots are walked once across the months.
	var cur relHistory
	counted := map[int64][]bool{} // client → months already counted (a client with two relationships counts once)
	flush := func() {
		if cur.id == 0 {
			return
		}
		seen := counted[cur.client]
		if seen == nil {
			seen = make([]bool, len(months))
			counted[cur.client] = seen
		}
		k := 0
		var tools int64
		for i, end := range ends {
			for k < len(cur.days) && !cur.days[k].After(end) {
				tools = cur.tools[k]
				k++
			}
			if seen[i] || cur.started.After(end) || (!cur.ended.IsZero() && !cur.ended.After(end)) {
				continue
			}
			seen[i] = true
			out[i].Add(pd.EngagementScore(cur.mask, tools))
		}
	}
	for rows.Next() {
		var id, client, mask int64
		var started, ended, day pd.Date
		var tools *int64
		if err := rows.Scan(&id, &client, &started, &ended, &mask, &day, &tools); err != nil {
			return nil, fmt.Errorf("compute engagement history: %w", err)
		}
		if id != cur.id {
			flush()
			cur = relHistory{id: id, client: client, started: started, ended: ended, mask: mask}
		}
		if tools != nil {
			cur.days = append(cur.days, day)
			cur.tools = append(cur.tools, *tools)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compute engagement history: %w", err)
	}
	flush()
	return out, nil
}

type relHistory struct {
	id, client, mask int64
	started, ended   pd.Date
	days             []pd.Date
	tools            []int64
}

// RefreshEngagement stores, for every partner, its engagement at the end
// of each closed month of the trend ending on today (the program's date)
// that is not stored yet: normally one month, on the first refresh of a
// month; the whole year on the first refresh ever. It returns how many
// partner-months it stored. The daily refresh calls it; it runs as the
// system, a batch of partners per transaction.
func (db *DB) RefreshEngagement(ctx context.Context, today pd.Date) (int, error) {
	months := pd.TrendMonths(today, TrendLength)
	closed := months[:len(months)-1]
	type todo struct {
		partner int64
		months  []pd.Date
	}
	var work []todo
	err := db.view(ctx, func(t *tx) error {
		have := map[int64]map[pd.Date]bool{}
		rows, err := t.query(ctx, `SELECT partner_id, month FROM engagement_monthly WHERE month >= ? AND month <= ?`,
			closed[0], closed[len(closed)-1])
		if err != nil {
			return err
		}
		for rows.Next() {
			var p int64
			var m pd.Date
			if err := rows.Scan(&p, &m); err != nil {
				rows.Close()
				return err
			}
			if have[p] == nil {
				have[p] = map[pd.Date]bool{}
			}
			have[p][m] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = t.query(ctx, "SELECT id FROM partners ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p int64
			if err := rows.Scan(&p); err != nil {
				return err
			}
			var missing []pd.Date
			for _, m := range closed {
				if !have[p][m] {
					missing = append(missing, m)
				}
			}
			if len(missing) > 0 {
				work = append(work, todo{p, missing})
			}
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("refresh engagement: %w", err)
	}
	stored := 0
	const batch = 200
	for start := 0; start < len(work); start += batch {
		part := work[start:min(start+batch, len(work))]
		results := make([][]pd.EngagementMonth, len(part))
		err := db.view(ctx, func(t *tx) error {
			for i, w := range part {
				var err error
				if results[i], err = engagementMonths(ctx, t, w.partner, w.months); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return stored, fmt.Errorf("refresh engagement: %w", err)
		}
		err = db.update(ctx, func(t *tx) error {
			for i, w := range part {
				for _, m := range results[i] {
					if _, err := t.exec(ctx, `INSERT INTO engagement_monthly (partner_id, month, clients, index_sum, low, medium, high, computed_at)
						VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (partner_id, month) DO NOTHING`,
						w.partner, m.Month, m.Clients, m.IndexSum, m.Low, m.Medium, m.High, t.now); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return stored, fmt.Errorf("refresh engagement: %w", err)
		}
		for _, r := range results {
			stored += len(r)
		}
	}
	return stored, nil
}
