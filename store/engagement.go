package store

import (
	"context"
	"fmt"
	"slices"
	"sync"

	pd "github.com/partnerdesk/partnerdesk"
)

// The platform engagement index page: the partner's clients by bucket, the
// monthly trend (engagement_history.go), and the at-risk, upgrade and
// cross-sell lists. Every figure and list comes from one pass over the
// partner's clients (a few columns each) and, for the at-risk list, one
// over their renewals inside the horizon, run side by side on two read
// connections; the lists are then filtered, sorted and paged in Go and
// only the shown clients are read in full. Four SQL scans (buckets, at
// risk, upgrades, cross-sell) cost four times as much on a partner with
// 5,000 clients.

// Engagement lists the page can show in full, besides the buckets.
const (
	ListAtRisk    = "risk"
	ListUpgrades  = "upgrades"
	ListCrossSell = "crosssell"
	ListNone      = "none" // the buckets and the trend only
)

// EngagementQuery asks for the overview with the top of each list, or
// with one list paged (List set), or a bucket's clients paged (Bucket set,
// largest MRR first).
type EngagementQuery struct {
	List   string
	Bucket string
	Offset int
	Limit  int
}

// TrendLength is the number of months the trend shows, the current one
// included.
const TrendLength = 12

// overviewTop is how many clients each list shows on the overview.
const overviewTop = 10

// clientStat is what the pass reads of each client.
type clientStat struct {
	id, mrr, mask        int64
	engagement, employee int
	renewal              pd.Date // the soonest inside the horizon, when the at-risk list is asked for
}

// EngagementOverview returns the scoped partner's engagement page.
func (db *DB) EngagementOverview(ctx context.Context, q EngagementQuery) (*pd.EngagementOverview, error) {
	switch q.List {
	case "", ListAtRisk, ListUpgrades, ListCrossSell, ListNone:
	default:
		return nil, pd.Errorf(pd.EInvalid, "Unknown list %q.", q.List)
	}
	if q.Offset < 0 || q.Limit < 0 || q.Limit > 500 {
		return nil, pd.Errorf(pd.EInvalid, "Invalid page.")
	}
	if q.Bucket != "" {
		if !slices.Contains(pd.Buckets, q.Bucket) {
			return nil, pd.Errorf(pd.EInvalid, "Unknown usage bucket %q.", q.Bucket)
		}
		q.List = ListNone
	}
	if q.Limit == 0 {
		q.Limit = overviewTop
	}
	var o pd.EngagementOverview
	err := db.view(ctx, func(t *tx) error {
		partnerID, prog, day, err := scopedDay(ctx, t, false)
		if err != nil {
			return err
		}
		o.Today = day
		// The renewals' pass runs beside the clients' on another read
		// connection: each costs about as much, and the page waits for the
		// longer one only.
		var soonest map[int64]pd.Date
		var rerr error
		var wg sync.WaitGroup
		if q.List == "" || q.List == ListAtRisk {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rerr = db.view(ctx, func(t *tx) (err error) {
					soonest, err = soonestRenewals(ctx, t, partnerID, o.Today, prog)
					return err
				})
			}()
		}
		stats, err := clientStats(ctx, t, partnerID)
		wg.Wait()
		if err != nil {
			return err
		}
		if rerr != nil {
			return rerr
		}
		for i := range stats {
			stats[i].renewal = soonest[stats[i].id]
		}
		for _, c := range stats {
			o.Now.Add(c.engagement)
		}
		o.Now.Month, o.Now.Current = pd.MonthStart(o.Today), true
		if o.Trend, err = engagementTrend(ctx, t, partnerID, o.Today); err != nil {
			return err
		}
		o.Trend = append(o.Trend, o.Now)

		page := func(l string, cs []clientStat) []clientStat {
			limit, offset := overviewTop, 0
			if q.List != "" {
				if q.List != l {
					return nil
				}
				limit, offset = q.Limit, q.Offset
			}
			return cs[min(offset, len(cs)):min(offset+limit, len(cs))]
		}
		risk, upgrades, cross, missing := opportunities(stats)
		o.AtRiskTotal, o.UpgradeTot, o.CrossTot = len(risk), len(upgrades), len(cross)
		risk, upgrades, cross = page(ListAtRisk, risk), page(ListUpgrades, upgrades), page(ListCrossSell, cross)

		var inBucket []clientStat
		if q.Bucket != "" {
			lo, hi := bucketRange(q.Bucket)
			for _, c := range stats {
				if c.engagement >= lo && c.engagement <= hi {
					inBucket = append(inBucket, c)
				}
			}
			slices.SortFunc(inBucket, byMRR)
			o.BucketTotal = len(inBucket)
			inBucket = inBucket[min(q.Offset, len(inBucket)):min(q.Offset+q.Limit, len(inBucket))]
		}

		var ids []any
		for _, cs := range [][]clientStat{risk, upgrades, cross, inBucket} {
			for _, c := range cs {
				ids = append(ids, c.id)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		clients, err := clientsByID(ctx, t, ids)
		if err != nil {
			return err
		}
		if len(risk) > 0 {
			next, err := nextRenewals(ctx, t, risk, o.Today)
			if err != nil {
				return err
			}
			for _, c := range risk {
				a := next[c.id]
				a.Client, a.Deadline = clients[c.id], pd.DecisionDeadline(a.RenewalDate, prog.DecisionDeadlineDays)
				o.AtRisk = append(o.AtRisk, a)
			}
		}
		if len(upgrades) > 0 {
			var uids []any
			for _, c := range upgrades {
				uids = append(uids, c.id)
			}
			tools, err := latestTools(ctx, t, uids)
			if err != nil {
				return err
			}
			for _, c := range upgrades {
				o.Upgrades = append(o.Upgrades, pd.UpgradeCandidate{Client: clients[c.id],
					Suggestions: pd.UpgradeSuggestions(c.mask, tools[c.id])})
			}
		}
		for _, c := range cross {
			o.CrossSells = append(o.CrossSells, pd.CrossSellCandidate{Client: clients[c.id], Missing: missing[c.id]})
		}
		for _, c := range inBucket {
			o.Bucket = append(o.Bucket, clients[c.id])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engagement overview: %w", err)
	}
	return &o, nil
}

// clientStats reads the partner's active clients: the pass. It reads the
// relationships' copy of the client's columns (migrations 0005 and 0008)
// from the list's covering index, never the clients' rows. They come in
// no particular order: every list is sorted later with the id breaking ties.
func clientStats(ctx context.Context, t *tx, partnerID int64) ([]clientStat, error) {
	rows, err := t.query(ctx, `SELECT cp.client_id, cp.mrr, cp.product_mask, cp.engagement, cp.employees
		FROM client_partners cp WHERE cp.partner_id = ? AND cp.ended_on IS NULL`, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []clientStat
	for rows.Next() {
		var c clientStat
		if err := rows.Scan(&c.id, &c.mrr, &c.mask, &c.engagement, &c.employee); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// soonestRenewals is the soonest pending renewal inside the horizon of
// each of the partner's active Low-bucket clients (a renewed or decided
// contract is no longer at risk), read from indexes alone (the
// relationship's copy of the engagement, migration 0005, and the renewals').
func soonestRenewals(ctx context.Context, t *tx, partnerID int64, day pd.Date, prog pd.Program) (map[int64]pd.Date, error) {
	lo, hi := bucketRange(pd.BucketLow)
	// No GROUP BY: it would make SQLite walk the relationships in client
	// order through an index without the engagement, reading every row;
	// a client has few renewals, so the minimum is taken here.
	rows, err := t.query(ctx, `SELECT cp.client_id, r.renewal_date FROM client_partners cp CROSS JOIN renewals r
		WHERE cp.partner_id = ? AND cp.ended_on IS NULL AND cp.engagement BETWEEN ? AND ? AND r.client_id = cp.client_id
		  AND r.renewal_date >= ? AND r.renewal_date <= ? AND r.status = `+enumLiteral(pd.RenewalPending),
		partnerID, lo, hi, day, day.AddDays(prog.RenewalHorizonDays))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]pd.Date{}
	for rows.Next() {
		var id int64
		var d pd.Date
		if err := rows.Scan(&id, &d); err != nil {
			return nil, err
		}
		if cur, ok := m[id]; !ok || d.Before(cur) {
			m[id] = d
		}
	}
	return m, rows.Err()
}

// opportunities sorts the partner's clients into the three lists, each in
// its order, and names the hubs each cross-sell candidate misses:
//   - at risk: Low, with a pending renewal inside the horizon; soonest
//     first;
//   - upgrade candidates: High, owning a product with a higher edition;
//     largest MRR first;
//   - cross-sell candidates: missing a hub that more than half of the
//     partner's clients of their size band own (a band of at least
//     pd.CrossSellMinClients); largest MRR first.
func opportunities(stats []clientStat) (risk, upgrades, cross []clientStat, missing map[int64][]string) {
	bands := make([]struct {
		clients int
		owners  []int
	}, len(pd.SizeBands))
	hubs := make([]int64, len(pd.Hubs))
	for i, h := range pd.Hubs {
		hubs[i] = pd.HubMask(h)
	}
	for _, c := range stats {
		b := &bands[pd.SizeBandOf(c.employee)]
		if b.owners == nil {
			b.owners = make([]int, len(pd.Hubs))
		}
		b.clients++
		for i, m := range hubs {
			if c.mask&m != 0 {
				b.owners[i]++
			}
		}
	}
	common := make([][]string, len(bands))
	for i, b := range bands {
		common[i] = pd.CommonHubs(b.clients, b.owners)
	}
	missing = map[int64][]string{}
	lo, hi := bucketRange(pd.BucketLow)
	for _, c := range stats {
		if c.engagement >= lo && c.engagement <= hi && !c.renewal.IsZero() {
			risk = append(risk, c)
		}
		if c.engagement >= pd.UpgradeMinIndex && c.mask&pd.UpgradeMask() != 0 {
			upgrades = append(upgrades, c)
		}
		if m := pd.MissingHubs(c.mask, common[pd.SizeBandOf(c.employee)]); len(m) > 0 {
			cross = append(cross, c)
			missing[c.id] = m
		}
	}
	slices.SortFunc(risk, func(a, b clientStat) int {
		if a.renewal != b.renewal {
			return a.renewal.Time().Compare(b.renewal.Time())
		}
		return cmpInt(a.id, b.id)
	})
	slices.SortFunc(upgrades, byMRR)
	slices.SortFunc(cross, byMRR)
	return risk, upgrades, cross, missing
}

// byMRR orders clients by MRR, largest first.
func byMRR(a, b clientStat) int {
	if a.mrr != b.mrr {
		return cmpInt(b.mrr, a.mrr)
	}
	return cmpInt(a.id, b.id)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const candidateCols = "c.id, c.account_id, c.name, c.domain, c.account_url, c.mrr, c.product_mask, c.engagement, c.employees"

// clientsByID reads the shown clients in full, in one query.
func clientsByID(ctx context.Context, t *tx, ids []any) (map[int64]pd.Client, error) {
	rows, err := t.query(ctx, "SELECT "+candidateCols+" FROM clients c WHERE c.id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]pd.Client{}
	for rows.Next() {
		var c pd.Client
		if err := rows.Scan(&c.ID, &c.AccountID, &c.Name, &c.Domain, &c.AccountURL, &c.MRR, &c.ProductMask,
			&c.Engagement, &c.Employees); err != nil {
			return nil, err
		}
		m[c.ID] = c
	}
	return m, rows.Err()
}

// nextRenewals are the soonest pending renewals from today on of the at-risk
// clients shown, in one query.
func nextRenewals(ctx context.Context, t *tx, risk []clientStat, day pd.Date) (map[int64]pd.AtRiskClient, error) {
	ids := make([]any, len(risk))
	for i, c := range risk {
		ids[i] = c.id
	}
	rows, err := t.query(ctx, `SELECT r.client_id, r.id, r.renewal_date, r.status FROM renewals r
		WHERE r.client_id IN (`+placeholders(len(ids))+`) AND r.renewal_date >= ? AND r.status = `+enumLiteral(pd.RenewalPending)+`
		ORDER BY r.client_id, r.renewal_date, r.id`, append(ids, day)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]pd.AtRiskClient{}
	for rows.Next() {
		var id int64
		var a pd.AtRiskClient
		if err := rows.Scan(&id, &a.RenewalID, &a.RenewalDate, &a.Status); err != nil {
			return nil, err
		}
		if _, ok := m[id]; !ok {
			m[id] = a
		}
	}
	return m, rows.Err()
}

// latestTools are the tools in use in the latest usage snapshot of each
// client of ids, in one query.
func latestTools(ctx context.Context, t *tx, ids []any) (map[int64]int64, error) {
	rows, err := t.query(ctx, `SELECT u.client_id, u.tools FROM usage_snapshots u
		WHERE u.client_id IN (`+placeholders(len(ids))+`)
		  AND u.day = (SELECT MAX(v.day) FROM usage_snapshots v WHERE v.client_id = u.client_id)`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]int64{}
	for rows.Next() {
		var id, tools int64
		if err := rows.Scan(&id, &tools); err != nil {
			return nil, err
		}
		m[id] = tools
	}
	return m, rows.Err()
}
