// Package storetest opens real, migrated, empty databases for tests: a
// SQLite file in a temporary folder always, and a fresh PostgreSQL database
// when PARTNERDESK_TEST_POSTGRES holds a DSN (each test gets its own
// database, dropped at the end).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// PostgresEnv names the variable holding the PostgreSQL DSN for tests.
const PostgresEnv = "PARTNERDESK_TEST_POSTGRES"

// Engine is one database engine a test runs on.
type Engine struct {
	Name string
	Open func(t testing.TB, now pd.Clock) *store.DB
	// OpenEmpty opens a database no migration has touched, for tests of
	// the migrations themselves.
	OpenEmpty func(t testing.TB, now pd.Clock) *store.DB
	// OpenTwo opens a migrated database twice, as two server processes
	// sharing it do.
	OpenTwo func(t testing.TB, now pd.Clock) (*store.DB, *store.DB)
}

// Engines lists SQLite, and PostgreSQL when its DSN is set.
func Engines() []Engine {
	recordToday()
	es := []Engine{{Name: "sqlite", Open: OpenSQLite, OpenEmpty: func(t testing.TB, now pd.Clock) *store.DB {
		return open(t, filepath.Join(t.TempDir(), "test.db"), now, false)
	}, OpenTwo: func(t testing.TB, now pd.Clock) (*store.DB, *store.DB) {
		path := filepath.Join(t.TempDir(), "test.db")
		return open(t, path, now, true), open(t, path, now, false)
	}}}
	if os.Getenv(PostgresEnv) != "" {
		es = append(es, Engine{Name: "postgres", Open: OpenPostgres, OpenEmpty: func(t testing.TB, now pd.Clock) *store.DB {
			return open(t, createPostgres(t), now, false)
		}, OpenTwo: func(t testing.TB, now pd.Clock) (*store.DB, *store.DB) {
			dsn := createPostgres(t)
			return open(t, dsn, now, true), open(t, dsn, now, false)
		}})
	}
	return es
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// OpenSQLite opens a migrated SQLite database in a temporary folder.
func OpenSQLite(t testing.TB, now pd.Clock) *store.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "test.db"), now, true)
}

// OpenPostgres creates a fresh database on the server named by
// PARTNERDESK_TEST_POSTGRES, migrates it, and drops it when t ends.
func OpenPostgres(t testing.TB, now pd.Clock) *store.DB {
	t.Helper()
	return open(t, createPostgres(t), now, true)
}

// PostgresDSN creates a fresh, empty database on the server named by
// PARTNERDESK_TEST_POSTGRES, for a test that opens it itself (a command),
// and drops it when t ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return createPostgres(t)
}

// createPostgres creates a database on the server named by
// PARTNERDESK_TEST_POSTGRES, dropped when t ends, and returns its DSN.
func createPostgres(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		t.Skipf("set %s to a PostgreSQL DSN to run on PostgreSQL", PostgresEnv)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "pdtest_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database (is PostgreSQL at %s up?): %v", dsn, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// RefuseConnections has the PostgreSQL database of dsn (one of
// OpenPostgres's) refuse new connections and ends its open ones, like a
// server gone away, until t ends or the returned function is called.
func RefuseConnections(t testing.TB, dsn string) (allow func()) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", os.Getenv(PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
		t.Fatal(err)
	}
	allow = func() {
		if a, err := sql.Open("pgx", os.Getenv(PostgresEnv)); err == nil {
			a.Exec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true")
			a.Close()
		}
	}
	t.Cleanup(allow)
	return allow
}

func open(t testing.TB, dsn string, now pd.Clock, migrate bool) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if !migrate {
		return db
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// MovingClock is a clock a test moves: it starts at Now and goes forward
// only when told, however long the test runs.
type MovingClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at Now.
func NewClock() *MovingClock { return &MovingClock{now: Now} }

// Now tells the clock's time.
func (c *MovingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *MovingClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
