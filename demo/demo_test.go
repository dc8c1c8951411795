package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/demo"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/store/storetest"
)

// now anchors every test run; a date in summer time in Paris.
var now = time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)

// cheap argon2 parameters keep the tests fast.
var cheap = password.Params{Memory: 1024, Time: 1, Threads: 1}

func generate(t testing.TB, e storetest.Engine, opts demo.Options) (*store.DB, *demo.Result) {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = now
	}
	opts.PasswordParams = cheap
	clock := opts.Now
	db := e.Open(t, func() time.Time { return clock })
	var out io.Writer = io.Discard
	if testing.Verbose() {
		out = os.Stderr
	}
	res, err := demo.Generate(context.Background(), db, opts, out)
	if err != nil {
		t.Fatal(err)
	}
	return db, res
}

// query runs q and returns its rows as strings.
func query(t testing.TB, db *store.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.QueryRaw(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC().Format(time.RFC3339)
			}
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t testing.TB, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	rows, err := db.QueryRaw(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checksum hashes the rows of q.
func checksum(t testing.TB, db *store.DB, q string) string {
	t.Helper()
	h := sha256.New()
	for _, r := range query(t, db, q) {
		fmt.Fprintln(h, r)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func TestGenerateIsDeterministic(t *testing.T) {
	opts := demo.Options{Seed: 42, Partners: 8, Clients: 400}
	sums := []struct{ name, q string }{
		{"client mrr", "SELECT id, mrr, product_mask, engagement FROM clients ORDER BY id"},
		{"client names", "SELECT id, name, domain, country, employees FROM clients ORDER BY id"},
		{"events", "SELECT id, external_id, client_id, partner_id, product_code, mrr FROM billing_events ORDER BY id"},
		{"renewals", "SELECT id, client_id, renewal_date, contract_type, comm_owner, status, proposed_mrr FROM renewals ORDER BY id"},
		{"usage", "SELECT client_id, day, tools, active_users FROM usage_snapshots ORDER BY client_id, day"},
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db1, res1 := generate(t, e, opts)
		db2, res2 := generate(t, e, opts)
		if fmt.Sprint(res1.Rows) != fmt.Sprint(res2.Rows) {
			t.Errorf("row counts differ:\n%v\n%v", res1.Rows, res2.Rows)
		}
		for _, s := range sums {
			if a, b := checksum(t, db1, s.q), checksum(t, db2, s.q); a != b {
				t.Errorf("%s: checksums differ: %s, %s", s.name, a, b)
			}
		}
		other := opts
		other.Seed = 43
		db3, _ := generate(t, e, other)
		if a, b := checksum(t, db1, sums[0].q), checksum(t, db3, sums[0].q); a == b {
			t.Errorf("seeds 42 and 43 gave the same clients")
		}
	})
}

func TestGeneratedDataIsConsistent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, res := generate(t, e, demo.Options{Seed: 7})
		today := pd.DateOf(now, mustLoc(t, "Europe/Paris"))
		t.Logf("rows: %v", res.Rows)

		wantRows := map[string][2]int64{ // table: min, max
			"staff": {6, 20}, "partners": {25, 25}, "clients": {1500, 1500}, "users": {10, 10},
			"client_contacts": {3000, 4500}, "client_partners": {1500, 1800}, "subscription_lines": {1500, 6000},
			"billing_events": {1500 * 15, 1500 * 25}, "usage_snapshots": {1500 * 5, 1500 * 13},
			"renewals": {300, 1500}, "certifications": {25, 100}, "client_assignments": {60, 150},
		}
		for table, want := range wantRows {
			if n := res.Rows[table]; n < want[0] || n > want[1] {
				t.Errorf("%s: %d rows, want %d to %d", table, n, want[0], want[1])
			}
			if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != res.Rows[table] {
				t.Errorf("%s: %d rows in the database, result says %d", table, n, res.Rows[table])
			}
		}

		checks := []struct{ name, q string }{
			{"client mrr is the sum of its active lines", `SELECT COUNT(*) FROM clients c WHERE c.mrr <>
				(SELECT COALESCE(SUM(l.mrr), 0) FROM subscription_lines l WHERE l.client_id = c.id AND l.status = 'active')`},
			{"a line's mrr is its last event's", `SELECT COUNT(*) FROM subscription_lines l WHERE l.mrr <> COALESCE(
				(SELECT e.mrr FROM billing_events e WHERE e.client_id = l.client_id AND e.product_code = l.product_code
				 ORDER BY e.occurred_at DESC, e.external_id DESC LIMIT 1), -1)`},
			{"a line names its last event", `SELECT COUNT(*) FROM subscription_lines l WHERE l.mrr_event_id <> COALESCE(
				(SELECT e.external_id FROM billing_events e WHERE e.client_id = l.client_id AND e.product_code = l.product_code
				 ORDER BY e.occurred_at DESC, e.external_id DESC LIMIT 1), '')
				OR l.mrr_event_at <> (SELECT e.occurred_at FROM billing_events e WHERE e.external_id = l.mrr_event_id)`},
			{"every event belongs to a line", `SELECT COUNT(*) FROM billing_events e WHERE NOT EXISTS
				(SELECT 1 FROM subscription_lines l WHERE l.client_id = e.client_id AND l.product_code = e.product_code)`},
			{"cancelled lines are the ones without mrr", `SELECT COUNT(*) FROM subscription_lines
				WHERE (status = 'active' AND mrr = 0) OR (status = 'cancelled' AND mrr <> 0)`},
			{"events happen before now", `SELECT COUNT(*) FROM billing_events WHERE occurred_at >= ? OR received_at > ?`},
			{"every client has an active partner", `SELECT COUNT(*) FROM clients c WHERE NOT EXISTS
				(SELECT 1 FROM client_partners cp WHERE cp.client_id = c.id AND cp.ended_on IS NULL)`},
			{"a renewal's contact is one of the client's", `SELECT COUNT(*) FROM renewals r
				JOIN client_contacts cc ON cc.id = r.primary_contact_id WHERE cc.client_id <> r.client_id`},
			{"renewals come after today, on the annual lines' date", `SELECT COUNT(*) FROM renewals r WHERE r.renewal_date <= ?
				OR NOT EXISTS (SELECT 1 FROM subscription_lines l WHERE l.client_id = r.client_id AND l.status = 'active'
				  AND l.billing_period = 'annual' AND l.renewal_date = r.renewal_date)`},
			{"assigned clients are active clients of the partner", `SELECT COUNT(*) FROM client_assignments a WHERE NOT EXISTS
				(SELECT 1 FROM client_partners cp WHERE cp.client_id = a.client_id AND cp.partner_id = a.partner_id AND cp.ended_on IS NULL)`},
		}
		for _, c := range checks {
			var args []any
			switch c.name {
			case "events happen before now":
				args = []any{now, now}
			case "renewals come after today, on the annual lines' date":
				args = []any{today}
			}
			if n := count(t, db, c.q, args...); n != 0 {
				t.Errorf("%s: %d rows break it", c.name, n)
			}
		}

		// Derived columns, recomputed in Go from the lines and the latest
		// usage snapshot.
		type derived struct {
			mrr, mask, engagement int64
		}
		got := map[string]derived{}
		for _, r := range query(t, db, "SELECT id, mrr, product_mask, engagement FROM clients") {
			got[r[0]] = derived{atoi(r[1]), atoi(r[2]), atoi(r[3])}
		}
		want := map[string]derived{}
		for _, r := range query(t, db, `SELECT client_id, product_code, mrr, contacts, email_send_limit, billing_period,
				commitment_months FROM subscription_lines WHERE status = 'active'`) {
			p, ok := pd.ProductByCode(r[1])
			if !ok {
				t.Fatalf("unknown product %q", r[1])
			}
			d := want[r[0]]
			d.mrr += atoi(r[2])
			d.mask |= p.Mask()
			want[r[0]] = d
			if limit := pd.EmailSendLimit(p.Edition, atoi(r[3])); atoi(r[4]) != limit {
				t.Errorf("client %s %s: email send limit %s, want %d", r[0], r[1], r[4], limit)
			}
			wantPeriod, wantCommit := "annual", "12"
			if p.Edition == pd.Starter {
				wantPeriod, wantCommit = "monthly", "1"
			}
			if r[5] != wantPeriod || r[6] != wantCommit {
				t.Errorf("client %s %s: billed %s for %s months", r[0], r[1], r[5], r[6])
			}
		}
		latest := query(t, db, `SELECT u.client_id, u.day, u.tools FROM usage_snapshots u
			WHERE u.day = (SELECT MAX(day) FROM usage_snapshots v WHERE v.client_id = u.client_id)`)
		if len(latest) != len(got) {
			t.Errorf("%d clients with usage, want %d", len(latest), len(got))
		}
		for _, r := range latest {
			if r[1][:10] != today.String() {
				t.Errorf("client %s: latest snapshot on %s, want %s", r[0], r[1], today)
			}
			d := want[r[0]]
			d.engagement = int64(pd.EngagementIndex(d.mask, atoi(r[2])).Index)
			want[r[0]] = d
		}
		buckets := map[string]int{}
		for id, g := range got {
			if g != want[id] {
				t.Errorf("client %s: mrr/mask/engagement %v, lines and usage say %v", id, g, want[id])
			}
			buckets[pd.EngagementBucket(int(g.engagement))]++
		}
		for _, b := range pd.Buckets {
			if buckets[b] < 100 {
				t.Errorf("only %d clients with %s engagement: %v", buckets[b], b, buckets)
			}
		}

		// Relationships: about a tenth have a second active partner, some
		// relationships have ended.
		second := count(t, db, `SELECT COUNT(*) FROM (SELECT client_id FROM client_partners WHERE ended_on IS NULL
			GROUP BY client_id HAVING COUNT(*) > 1) x`)
		ended := count(t, db, "SELECT COUNT(*) FROM client_partners WHERE ended_on IS NOT NULL")
		if second < 100 || second > 220 || ended < 50 {
			t.Errorf("%d clients with two partners, %d ended relationships", second, ended)
		}
		for _, rel := range pd.Relationships {
			if n := count(t, db, "SELECT COUNT(*) FROM client_partners WHERE relationship = ?", string(rel)); n < 50 {
				t.Errorf("only %d %s relationships", n, rel)
			}
		}
		// Every tier is used; some certifications have expired.
		if n := count(t, db, "SELECT COUNT(DISTINCT tier_code) FROM partners"); n < 5 {
			t.Errorf("partners use %d tiers", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM certifications WHERE expires_on < ?", today); n == 0 {
			t.Errorf("no expired certification")
		}
		if n := count(t, db, "SELECT COUNT(*) FROM partners WHERE partner_consultant_id IS NULL"); n == 0 {
			t.Errorf("every partner has a consultant")
		}
		// Prices: Starter lines from about $20 to $50, Professional $800
		// to $1,800, Enterprise $3,600 to $5,000 (before seats, uplifts and
		// discounts), so within a margin.
		for _, ed := range []struct {
			suffix   string
			min, max int64
		}{{"starter", 1500, 10000}, {"pro", 60000, 320000}, {"enterprise", 280000, 900000}} {
			r := query(t, db, "SELECT MIN(mrr), MAX(mrr) FROM subscription_lines WHERE status = 'active' AND product_code LIKE ?", "%-"+ed.suffix)
			if lo, hi := atoi(r[0][0]), atoi(r[0][1]); lo < ed.min || hi > ed.max {
				t.Errorf("%s lines cost %d to %d cents, want within %d to %d", ed.suffix, lo, hi, ed.min, ed.max)
			}
		}
		// The kinds of events: purchases, upgrades, downgrades and
		// cancellations all happen.
		if n := count(t, db, "SELECT COUNT(*) FROM billing_events WHERE mrr = 0"); n < 500 {
			t.Errorf("only %d cancellations", n)
		}
		if n := count(t, db, "SELECT COUNT(DISTINCT partner_id) FROM billing_events"); n < 20 {
			t.Errorf("events credit only %d partners", n)
		}
	})
}

func TestRenewalsCoverEveryStatusAndOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, res := generate(t, e, demo.Options{Seed: 3})
		for _, c := range []struct{ col, val string }{
			{"status", pd.RenewalPending}, {"status", pd.RenewalRenewed}, {"status", pd.RenewalConfirmed},
			{"status", pd.RenewalCancel}, {"comm_owner", pd.OwnerVendor}, {"comm_owner", pd.OwnerPartner},
			{"contract_type", pd.ContractRenewal}, {"contract_type", pd.ContractTierUpgrade}, {"contract_type", pd.ContractEmailOverage},
		} {
			if n := count(t, db, "SELECT COUNT(*) FROM renewals WHERE "+c.col+" = ?", c.val); n < 5 {
				t.Errorf("%d renewals with %s %s", n, c.col, c.val)
			}
		}
		// The demo partners each have renewal decisions due (their alert).
		for _, l := range res.Logins {
			if l.Role != pd.RolePartnerAdmin {
				continue
			}
			id := partnerID(t, db, l.Partner)
			ctx := pd.WithPrincipal(context.Background(), &pd.Principal{UserID: 1, Role: pd.RolePartnerAdmin, PartnerID: id})
			n, err := db.RenewalAlerts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n < 8 {
				t.Errorf("%s: %d renewal decisions due, want a good number", l.Partner, n)
			}
		}
	})
}

// The demo's renewals look like a program that keeps its deadlines, on
// the demo's own today: few pending renewals are past their decision
// deadline, and decisions are due in the coming weeks.
func TestRenewalCalendarKeepsItsDeadlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, res := generate(t, e, demo.Options{Seed: 1})
		for _, l := range res.Logins {
			if l.Role != pd.RolePartnerAdmin {
				continue
			}
			id := partnerID(t, db, l.Partner)
			ctx := pd.WithPrincipal(context.Background(), &pd.Principal{UserID: 1, Role: pd.RolePartnerAdmin, PartnerID: id})
			page, err := db.ListRenewals(ctx, pd.RenewalFilter{Status: pd.RenewalPending, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			overdue, soon := 0, 0
			for _, r := range page.Renewals {
				switch d := r.DaysToDeadline(page.Today); {
				case d < 0:
					overdue++
				case d <= 30:
					soon++
				}
			}
			if overdue > max(2, page.Total/10) || soon < 3 {
				t.Errorf("%s: of %d pending renewals, %d are past their deadline and %d due within 30 days", l.Partner, page.Total, overdue, soon)
			}
		}
	})
}

func TestFirstPartnerHasTheBenchmarkShare(t *testing.T) {
	if got := demo.FirstPartnerClients(1_000_000); got != 5000 {
		t.Errorf("FirstPartnerClients(1e6) = %d, want 5000", got)
	}
	if got := demo.FirstPartnerClients(100_000); got != 5000 {
		t.Errorf("FirstPartnerClients(1e5) = %d, want 5000", got)
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, res := generate(t, e, demo.Options{Seed: 1})
		n := count(t, db, "SELECT COUNT(*) FROM client_partners WHERE partner_id = 1 AND ended_on IS NULL")
		if n != int64(res.FirstPartnerClients) || n < 150 || n > 250 {
			t.Errorf("partner 1 has %d active clients, result says %d, want 150 to 250", n, res.FirstPartnerClients)
		}
		// And it is the partner with the most clients, or near it.
		top := query(t, db, `SELECT partner_id, COUNT(*) FROM client_partners WHERE ended_on IS NULL
			GROUP BY partner_id ORDER BY COUNT(*) DESC LIMIT 3`)
		t.Logf("largest books: %v", top)
	})
}

func TestDemoLoginsSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, res := generate(t, e, demo.Options{Seed: 5})
		want := map[string]pd.Role{
			"admin@partnerdesk.test":           pd.RoleProgramAdmin,
			"admin@brightwave-digital.test":    pd.RolePartnerAdmin,
			"employee@brightwave-digital.test": pd.RolePartnerEmployee,
			"admin@northpeak-agency.test":      pd.RolePartnerAdmin,
			"employee@northpeak-agency.test":   pd.RolePartnerEmployee,
			"admin@bluefern-marketing.test":    pd.RolePartnerAdmin,
			"employee@bluefern-marketing.test": pd.RolePartnerEmployee,
			"manager@partnerdesk.test":         pd.RolePartnerManager,
			"consultant@partnerdesk.test":      pd.RolePartnerConsultant,
			"renewals@partnerdesk.test":        pd.RoleRenewalManager,
		}
		if len(res.Logins) != len(want) {
			t.Errorf("%d logins, want %d", len(res.Logins), len(want))
		}
		for _, l := range res.Logins {
			if want[l.Email] != l.Role || l.Password != demo.DemoPassword {
				t.Errorf("login %+v is not one of the documented ones", l)
			}
			id, hash, err := db.Credentials(context.Background(), l.Email)
			if err != nil || id == 0 {
				t.Fatalf("%s: %v", l.Email, err)
			}
			if ok, err := password.Verify(l.Password, hash); !ok || err != nil {
				t.Errorf("%s: the demo password does not verify (%v)", l.Email, err)
			}
			r := query(t, db, "SELECT u.role, COALESCE(p.name, '') FROM users u LEFT JOIN partners p ON p.id = u.partner_id WHERE u.email = ?", l.Email)
			if r[0][0] != string(l.Role) || r[0][1] != l.Partner {
				t.Errorf("%s: stored as %v", l.Email, r[0])
			}
			// Each vendor role reaches the first demo partner's dashboard
			// and finds it in its partners list, as its session's
			// principal.
			if l.Role == pd.RolePartnerManager || l.Role == pd.RolePartnerConsultant || l.Role == pd.RoleRenewalManager {
				s, err := db.CreateSession(context.Background(), id, time.Hour, "", "")
				if err != nil {
					t.Fatal(err)
				}
				p, _, err := db.SessionPrincipal(context.Background(), s.Token)
				if err != nil || p.Role != l.Role || p.StaffID == 0 {
					t.Fatalf("%s's session: %+v %v", l.Email, p, err)
				}
				ctx := pd.WithPrincipal(context.Background(), p)
				first := partnerID(t, db, "Brightwave Digital")
				if err := db.CanViewPartner(ctx, first); err != nil {
					t.Errorf("%s on Brightwave Digital's dashboard: %v", l.Email, err)
				}
				page, err := db.ListPartners(ctx, pd.PartnerFilter{Query: "Brightwave Digital"})
				if err != nil || page.Total != 1 {
					t.Errorf("%s's partners list: %d partners named Brightwave Digital (%v)", l.Email, page.Total, err)
				}
			}
			if l.Role == pd.RolePartnerEmployee {
				n := count(t, db, "SELECT COUNT(*) FROM client_assignments a JOIN users u ON u.id = a.user_id WHERE u.email = ?", l.Email)
				clients := count(t, db, "SELECT COUNT(*) FROM client_partners cp JOIN partners p ON p.id = cp.partner_id WHERE p.name = ? AND cp.ended_on IS NULL", l.Partner)
				if n < 3 || n*100 < clients*12 || n*100 > clients*35 {
					t.Errorf("%s: %d of %d clients assigned, want about a fifth", l.Email, n, clients)
				}
			}
		}
	})
}

func TestGenerateRefusesAFilledDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, _ := generate(t, e, demo.Options{Seed: 1, Partners: 3, Clients: 20})
		_, err := demo.Generate(context.Background(), db, demo.Options{Seed: 1, Partners: 3, Clients: 20, Now: now, PasswordParams: cheap}, nil)
		if pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("second Generate: %v, want a conflict", err)
		}
	})
}

func partnerID(t testing.TB, db *store.DB, name string) int64 {
	t.Helper()
	return count(t, db, "SELECT id FROM partners WHERE name = ?", name)
}

func atoi(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

func mustLoc(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The generated data is what the daily refresh would leave: no pending
// auto-renewing renewal past its deadline, no annual line inside the
// horizon without its renewal.
func TestDailyRefreshFindsNothingToChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, _ := generate(t, e, demo.Options{Seed: 11})
		today := pd.DateOf(now, mustLoc(t, "Europe/Paris"))
		res, err := db.RefreshRenewals(context.Background(), today)
		if err != nil {
			t.Fatal(err)
		}
		if res.AutoRenewed != 0 || res.Created != 0 {
			t.Errorf("the daily refresh changed the demo data: %+v", res)
		}
		// A client's communication owner is its renewal's, and a partner
		// owner is one partner that serves the client.
		if n := count(t, db, `SELECT COUNT(*) FROM renewals r JOIN clients c ON c.id = r.client_id
			WHERE COALESCE(c.comm_owner, 'vendor') <> r.comm_owner OR COALESCE(c.comm_partner_id, 0) <> COALESCE(r.comm_partner_id, 0)`); n != 0 {
			t.Errorf("%d renewals owned otherwise than their client says", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM renewals r WHERE (r.comm_owner = 'partner') <> (r.comm_partner_id IS NOT NULL)
			OR r.comm_partner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM client_partners cp
				WHERE cp.client_id = r.client_id AND cp.partner_id = r.comm_partner_id AND cp.ended_on IS NULL)`); n != 0 {
			t.Errorf("%d renewals owned by a partner that does not serve their client", n)
		}
		// A renewal is at the MRR and largest contact tier of its lines.
		if n := count(t, db, `SELECT COUNT(*) FROM renewals r WHERE r.current_mrr <> (SELECT SUM(l.mrr)
			FROM subscription_lines l WHERE l.client_id = r.client_id AND l.status = 'active' AND l.commitment_months >= 12 AND l.renewal_date = r.renewal_date)
			OR (r.contract_type <> 'contact_tier_upgrade' AND r.proposed_contacts <> (SELECT MAX(l.contacts)
			FROM subscription_lines l WHERE l.client_id = r.client_id AND l.status = 'active' AND l.commitment_months >= 12 AND l.renewal_date = r.renewal_date))`); n != 0 {
			t.Errorf("%d renewals differ from their lines", n)
		}
	})
}

func TestGenerateRejectsTooSmallPrograms(t *testing.T) {
	cases := []struct {
		name string
		opts demo.Options
	}{
		{"fewer than three partners", demo.Options{Partners: 2, Clients: 100}},
		{"fewer clients than partners", demo.Options{Partners: 10, Clients: 5}},
	}
	db := storetest.OpenSQLite(t, func() time.Time { return now })
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			c.opts.Now, c.opts.PasswordParams = now, cheap
			if _, err := demo.Generate(context.Background(), db, c.opts, nil); pd.ErrorCode(err) != pd.EInvalid {
				t.Errorf("Generate: %v, want invalid", err)
			}
		})
	}
	if empty, err := db.Empty(context.Background()); err != nil || !empty {
		t.Errorf("a rejected program left data behind (empty %v, %v)", empty, err)
	}
}

func TestGenerateReportsProgress(t *testing.T) {
	db := storetest.OpenSQLite(t, func() time.Time { return now })
	var out strings.Builder
	if _, err := demo.Generate(context.Background(), db, demo.Options{Seed: 2, Partners: 5, Clients: 200, Now: now,
		PasswordParams: cheap}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"clients 100/200", "clients 200/200", "done in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, out.String())
		}
	}
}
