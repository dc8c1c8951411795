package store

import (
	"context"
	"database/sql"
	"io/fs"
	"math"
)

// Migrations is the embedded migrations folder, for tests that build
// altered copies of it.
var Migrations fs.FS = migrations

// MigrateFrom applies the migrations of fsys instead of the embedded ones.
func (db *DB) MigrateFrom(ctx context.Context, fsys fs.FS) (int, error) {
	return db.migrate(ctx, fsys, math.MaxInt)
}

// MigrateTo applies the migrations up to version, for tests that store
// rows in an older schema and check how a later migration converts them.
func (db *DB) MigrateTo(ctx context.Context, version int) (int, error) {
	return db.migrate(ctx, migrations, version)
}

// ExecForTest runs a statement on the write connection.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
	return err
}

// QueryRowForTest runs a query on the write connection.
func (db *DB) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return db.write.QueryRowContext(ctx, db.dialect.rebind(q), args...)
}
