package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

type migration struct {
	version  int
	name     string
	sql      string
	checksum string // SHA-256 of the file, recorded when it is applied
}

// loadMigrations reads the migrations for dialect d. A migration is one
// portable file, NNNN_name.sql, or a pair of dialect-specific files,
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql, for what portable SQL
// cannot say (triggers). Two files of one version for the same dialect
// are refused: which one ran would depend on the order of their names.
func loadMigrations(fsys fs.FS, d dialect) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
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
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s have the same version %04d: renumber the newer one to the next free version", other, base, v)
		}
		seen[v] = base
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, migration{version: v, name: base, sql: string(b), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the embedded migrations not applied yet, each in its own
// transaction, and returns how many it applied. Both engines run DDL in
// transactions, so a failed migration leaves nothing behind. It refuses to
// run when a migration already applied has been edited since (its checksum
// differs from the one recorded): the database would not be the schema
// the code expects.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	return db.migrate(ctx, migrations, math.MaxInt)
}

// migrate applies the migrations of fsys not applied yet, up to version
// upTo (a test stops before one to store the rows it must convert).
func (db *DB) migrate(ctx context.Context, fsys fs.FS, upTo int) (int, error) {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL, checksum TEXT)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	// Databases migrated before checksums were recorded lack the column.
	if _, err := db.write.ExecContext(ctx, "SELECT checksum FROM schema_migrations WHERE 1 = 0"); err != nil {
		if _, err := db.write.ExecContext(ctx, "ALTER TABLE schema_migrations ADD COLUMN checksum TEXT"); err != nil {
			return 0, fmt.Errorf("add checksum to schema_migrations: %w", err)
		}
	}
	ms, err := loadMigrations(fsys, db.dialect)
	if err != nil {
		return 0, err
	}
	if err := db.checkApplied(ctx, ms); err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range ms {
		if m.version > upTo {
			break
		}
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
			if _, err := t.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)", m.version, m.name, t.now, m.checksum); err != nil {
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

// checkApplied compares each applied migration's recorded checksum with
// its file's. A migration applied before checksums were recorded gets the
// file's checksum now (it cannot be checked further back than that).
func (db *DB) checkApplied(ctx context.Context, ms []migration) error {
	rows, err := db.write.QueryContext(ctx, "SELECT version, name, COALESCE(checksum, '') FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	type applied struct{ name, checksum string }
	done := map[int]applied{}
	for rows.Next() {
		var v int
		var a applied
		if err := rows.Scan(&v, &a.name, &a.checksum); err != nil {
			rows.Close()
			return err
		}
		done[v] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		a, ok := done[m.version]
		switch {
		case !ok:
		case a.checksum == "":
			if _, err := db.write.ExecContext(ctx, db.dialect.rebind("UPDATE schema_migrations SET checksum = ? WHERE version = ?"), m.checksum, m.version); err != nil {
				return fmt.Errorf("record checksum of migration %s: %w", m.name, err)
			}
		case a.checksum != m.checksum:
			return fmt.Errorf("migration %s was changed after it was applied to this database (recorded checksum %.12s, file %.12s): "+
				"restore the file as it was released and put the change in a new migration", m.name, a.checksum, m.checksum)
		}
	}
	return nil
}
