package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations for dialect d. A migration is one
// portable file, NNNN_name.sql, or a pair of dialect-specific files,
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql, for what portable SQL
// cannot say (triggers).
func loadMigrations(d dialect) ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		if strings.HasSuffix(base, ".sqlite.sql") || strings.HasSuffix(base, ".postgres.sql") {
			if !strings.HasSuffix(base, "."+d.String()+".sql") {
				continue
			}
		}
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", base)
		}
		b, err := migrations.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the embedded migrations not applied yet, each in its own
// transaction, and returns how many it applied. Both engines run DDL in
// transactions, so a failed migration leaves nothing behind.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	ms, err := loadMigrations(db.dialect)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range ms {
		err := db.update(ctx, func(t *tx) error {
			if db.dialect == dialectPostgres {
				// Two servers starting at once must not both migrate; the
				// second waits for the first however long it takes, and so
				// does a migration for the tables it alters.
				if _, err := t.exec(ctx, "SET LOCAL lock_timeout = 0"); err != nil {
					return err
				}
				if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(7201)"); err != nil {
					return err
				}
			}
			var n int
			if err := t.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := t.exec(ctx, db.dialect.ddl(m.sql)); err != nil {
				return err
			}
			if _, err := t.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, t.now); err != nil {
				return err
			}
			applied++
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return applied, nil
}
