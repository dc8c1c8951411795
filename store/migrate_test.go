package store_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := e.Open(t, nil)
		n, err := db.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d (%v), want 0", n, err)
		}
	})
}

// Both engines must end at the same tables, columns and column kinds.
func TestBothEnginesEndAtTheSameSchema(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("set %s to compare with PostgreSQL", storetest.PostgresEnv)
	}
	lite := schemaOf(t, storetest.OpenSQLite(t, nil))
	pg := schemaOf(t, storetest.OpenPostgres(t, nil))
	if strings.Join(lite, "\n") != strings.Join(pg, "\n") {
		t.Fatalf("schemas differ\nsqlite:\n%s\n\npostgres:\n%s", strings.Join(lite, "\n"), strings.Join(pg, "\n"))
	}
	if len(lite) < 100 {
		t.Fatalf("only %d columns: schema not read", len(lite))
	}
}

func schemaOf(t *testing.T, db *store.DB) []string {
	cols, err := db.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(cols)
	return cols
}
