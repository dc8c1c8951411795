package store_test

import (
	"context"
	"io/fs"
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

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

// migrationsWith is the embedded migrations folder with files replaced or
// added.
func migrationsWith(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(store.Migrations, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(store.Migrations, p)
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		out["migrations/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return out
}

func TestMigrateRefusesAMigrationEditedAfterItWasApplied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := e.Open(t, nil)
		orig, err := fs.ReadFile(store.Migrations, "migrations/0001_init.sql")
		if err != nil {
			t.Fatal(err)
		}
		edited := migrationsWith(t, map[string]string{"0001_init.sql": string(orig) + "\n-- edited after release\n"})
		_, err = db.MigrateFrom(ctx, edited)
		if err == nil || !strings.Contains(err.Error(), "0001_init.sql was changed after it was applied") ||
			!strings.Contains(err.Error(), "new migration") {
			t.Fatalf("edited migration: %v", err)
		}
		if n, err := db.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("the released files still migrate: %d, %v", n, err)
		}
	})
}

func TestMigrateRecordsChecksumsOnADatabaseMigratedWithoutThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := e.Open(t, nil)
		if err := db.ExecForTest(ctx, "ALTER TABLE schema_migrations DROP COLUMN checksum"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrate after checksums were missing: %v", err)
		}
		rows, err := db.QueryRaw(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE checksum IS NULL OR checksum = ''")
		if err != nil {
			t.Fatal(err)
		}
		var missing int
		for rows.Next() {
			err = rows.Scan(&missing)
		}
		rows.Close()
		if err != nil || missing != 0 {
			t.Fatalf("%d checksums not recorded (%v)", missing, err)
		}
		orig, _ := fs.ReadFile(store.Migrations, "migrations/0002_credit.sql")
		if _, err := db.MigrateFrom(ctx, migrationsWith(t, map[string]string{"0002_credit.sql": string(orig) + " "})); err == nil {
			t.Fatal("an edit after the checksum was recorded went unnoticed")
		}
	})
}

func TestMigrateRefusesTwoMigrationsOfOneVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := e.Open(t, nil)
		dup := migrationsWith(t, map[string]string{"0002_other.sql": "CREATE TABLE other (id INTEGER PRIMARY KEY);"})
		_, err := db.MigrateFrom(context.Background(), dup)
		if err == nil || !strings.Contains(err.Error(), "0002_credit.sql and 0002_other.sql have the same version") {
			t.Fatalf("two migrations of version 2: %v", err)
		}
		// A per-dialect pair is one migration, not two.
		pair := migrationsWith(t, map[string]string{
			"0999_pair.sqlite.sql":   "CREATE TABLE pair_test (id INTEGER PRIMARY KEY);",
			"0999_pair.postgres.sql": "CREATE TABLE pair_test (id INTEGER PRIMARY KEY);",
		})
		if n, err := db.MigrateFrom(context.Background(), pair); err != nil || n != 1 {
			t.Fatalf("a dialect pair: applied %d, %v", n, err)
		}
	})
}
