package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/store/storetest"
)

var bulkNow = time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)

var (
	partnerCols = []string{"id", "external_id", "name", "created_at"}
	clientCols  = []string{"id", "account_id", "name", "mrr", "created_at"}
	relCols     = []string{"id", "client_id", "partner_id", "relationship", "started_on", "ended_on"}
	lineCols    = []string{"id", "external_id", "client_id", "product_code", "mrr", "renewal_date"}
	userCols    = []string{"id", "email", "name", "password_hash", "role", "partner_id", "created_at"}
)

// bulkClients is more rows than one batch holds, so that a failure at the
// end comes after batches were written.
const bulkClients = 20_000

func openBulk(t *testing.T, e storetest.Engine) *store.DB {
	t.Helper()
	db := e.Open(t, func() time.Time { return bulkNow })
	if err := db.SaveProgram(context.Background(), store.DefaultProgram); err != nil {
		t.Fatal(err)
	}
	return db
}

// loadSample queues two partners, bulkClients clients with a relationship
// each, a subscription line and the partners' admins.
func loadSample(b *store.Bulk) error {
	for p := int64(1); p <= 2; p++ {
		if err := b.Insert("partners", partnerCols, p, fmt.Sprintf("ptn-%d", p), fmt.Sprintf("Partner %d", p), bulkNow); err != nil {
			return err
		}
	}
	for c := int64(1); c <= bulkClients; c++ {
		if err := b.Insert("clients", clientCols, c, fmt.Sprintf("acct-%06d", c), fmt.Sprintf("Client %d", c), 1000*c, bulkNow.Add(time.Duration(c)*time.Second)); err != nil {
			return err
		}
		if err := b.Insert("client_partners", relCols, c, c, 1+c%2, "sold", pd.NewDate(2025, 1, 1+int(c%28)), nil); err != nil {
			return err
		}
	}
	if err := b.Insert("subscription_lines", lineCols, int64(1), "sub-1", int64(1), "marketing-pro", int64(80000), pd.NewDate(2027, 1, 1)); err != nil {
		return err
	}
	for u := int64(1); u <= 2; u++ {
		if err := b.Insert("users", userCols, u, fmt.Sprintf("admin%d@example.test", u), "Admin", "x", "partner_admin", u, bulkNow); err != nil {
			return err
		}
	}
	return nil
}

func count(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	rows, err := db.QueryRaw(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var sampleTables = []string{"partners", "clients", "client_partners", "subscription_lines", "users"}

func TestBulkWritesRowsThatReadBackLikeTheStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := openBulk(t, e)
		var queued int64
		err := db.Bulk(context.Background(), func(b *store.Bulk) error {
			if err := loadSample(b); err != nil {
				return err
			}
			queued = b.Rows("clients")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if queued != bulkClients {
			t.Errorf("Rows(clients) = %d, want %d", queued, bulkClients)
		}
		for table, want := range map[string]int64{"partners": 2, "clients": bulkClients, "client_partners": bulkClients, "subscription_lines": 1, "users": 2} {
			if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != want {
				t.Errorf("%s: %d rows, want %d", table, n, want)
			}
		}
		if n := count(t, db, "SELECT SUM(mrr) FROM clients"); n != 1000*bulkClients*(bulkClients+1)/2 {
			t.Errorf("clients' mrr adds up to %d", n)
		}
		// Dates and times compare with the values the store binds.
		if n := count(t, db, "SELECT COUNT(*) FROM client_partners WHERE started_on = ?", pd.NewDate(2025, 1, 5)); n == 0 {
			t.Errorf("no relationship started on 2025-01-05")
		}
		if n := count(t, db, "SELECT COUNT(*) FROM clients WHERE created_at > ?", bulkNow.Add(bulkClients*time.Second-10*time.Second)); n != 10 {
			t.Errorf("%d clients created in the last ten seconds, want 10", n)
		}
		rows, err := db.QueryRaw(context.Background(), "SELECT created_at, started_on FROM clients c JOIN client_partners cp ON cp.client_id = c.id WHERE c.id = 7")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var created time.Time
		var started pd.Date
		if !rows.Next() {
			t.Fatal("client 7 not found")
		}
		if err := rows.Scan(&created, &started); err != nil {
			t.Fatal(err)
		}
		if !created.Equal(bulkNow.Add(7*time.Second)) || started != pd.NewDate(2025, 1, 8) {
			t.Errorf("client 7 read back as created %s, started %s", created, started)
		}
		// A user the store creates stores its time exactly like a bulk one.
		if _, err := db.CreateUser(context.Background(), store.NewUser{Email: "later@example.test", Name: "Later",
			PasswordHash: "x", Role: pd.RolePartnerAdmin, PartnerID: 1}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(DISTINCT CAST(created_at AS TEXT)) FROM users"); n != 1 {
			t.Errorf("bulk and store rows hold the same time in %d different forms", n)
		}
	})
}

func TestBulkIsAllOrNothing(t *testing.T) {
	cases := []struct {
		name string
		last func(b *store.Bulk) error // queued after the sample
	}{
		{"duplicate key", func(b *store.Bulk) error {
			return b.Insert("clients", clientCols, int64(bulkClients+1), "acct-000001", "Twin", int64(0), bulkNow)
		}},
		{"duplicate id", func(b *store.Bulk) error {
			return b.Insert("client_partners", relCols, int64(1), int64(1), int64(2), "managed", pd.NewDate(2025, 2, 1), nil)
		}},
		{"missing parent", func(b *store.Bulk) error {
			return b.Insert("client_partners", relCols, int64(bulkClients+1), int64(1), int64(99), "sold", pd.NewDate(2025, 2, 1), nil)
		}},
		{"check constraint", func(b *store.Bulk) error {
			return b.Insert("subscription_lines", lineCols, int64(2), "sub-2", int64(1), "sales-pro", int64(-1), nil)
		}},
		{"null in a required column", func(b *store.Bulk) error {
			return b.Insert("clients", clientCols, int64(bulkClients+1), nil, "No account", int64(0), bulkNow)
		}},
		{"the function fails", func(b *store.Bulk) error { return errors.New("generator failed") }},
		{"other columns for a table", func(b *store.Bulk) error {
			return b.Insert("clients", []string{"id", "account_id", "name", "created_at"}, int64(bulkClients+1), "acct-x", "X", bulkNow)
		}},
		{"too few values", func(b *store.Bulk) error {
			return b.Insert("clients", clientCols, int64(bulkClients+1), "acct-x")
		}},
		{"bad table name", func(b *store.Bulk) error {
			return b.Insert("clients; DROP TABLE users", clientCols, int64(1), "a", "b", int64(0), bulkNow)
		}},
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				db := openBulk(t, e)
				err := db.Bulk(context.Background(), func(b *store.Bulk) error {
					if err := loadSample(b); err != nil {
						return err
					}
					return c.last(b)
				})
				if err == nil {
					t.Fatal("Bulk succeeded")
				}
				for _, table := range sampleTables {
					if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
						t.Errorf("%s: %d rows left after the failed load", table, n)
					}
				}
				// The database works as before: constraints hold, and a
				// second load succeeds.
				if _, err := db.CreateUser(context.Background(), store.NewUser{Email: "x@example.test", Name: "X",
					PasswordHash: "x", Role: pd.RolePartnerAdmin, PartnerID: 42}); err == nil {
					t.Errorf("a user of a missing partner was accepted after the failed load")
				}
				if err := db.Bulk(context.Background(), loadSample); err != nil {
					t.Fatalf("load after a failed one: %v", err)
				}
			})
		}
	})
}

func TestBulkRestoresConstraintsAndSequences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := openBulk(t, e)
		schema := `SELECT COUNT(*) FROM sqlite_master WHERE type IN ('index', 'trigger')`
		if db.Dialect() == "postgres" {
			schema = `SELECT (SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema())
				+ (SELECT COUNT(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema())
				+ (SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D')`
		}
		before := count(t, db, schema)
		if err := db.Bulk(context.Background(), loadSample); err != nil {
			t.Fatal(err)
		}
		if after := count(t, db, schema); after != before {
			t.Errorf("%d indexes and constraints after the load, %d before", after, before)
		}
		// A normal INSERT … RETURNING id continues after the loaded ids.
		id, err := db.CreateUser(context.Background(), store.NewUser{Email: "next@example.test", Name: "Next",
			PasswordHash: "x", Role: pd.RolePartnerAdmin, PartnerID: 2})
		if err != nil {
			t.Fatal(err)
		}
		if id != 3 {
			t.Errorf("next user id %d, want 3", id)
		}
		// The unique and foreign keys are enforced again.
		if _, err := db.CreateUser(context.Background(), store.NewUser{Email: "admin1@example.test", Name: "Twin",
			PasswordHash: "x", Role: pd.RolePartnerAdmin, PartnerID: 1}); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("duplicate email after the load: %v, want a conflict", err)
		}
		if _, err := db.CreateUser(context.Background(), store.NewUser{Email: "ghost@example.test", Name: "Ghost",
			PasswordHash: "x", Role: pd.RolePartnerAdmin, PartnerID: 99}); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("user of a missing partner after the load: %v, want invalid", err)
		}
	})
}

func TestBulkStopsWhenTheContextEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := openBulk(t, e)
		ctx, cancel := context.WithCancel(context.Background())
		err := db.Bulk(ctx, func(b *store.Bulk) error {
			if err := loadSample(b); err != nil {
				return err
			}
			cancel()
			return b.Insert("partners", partnerCols, int64(3), "ptn-3", "Partner 3", bulkNow)
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Bulk: %v, want context.Canceled", err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM clients"); n != 0 {
			t.Errorf("%d clients left after the cancelled load", n)
		}
	})
}
