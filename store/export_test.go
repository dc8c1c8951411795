package store

import (
	"context"
	"io/fs"
)

// Migrations is the embedded migrations folder, for tests that build
// altered copies of it.
var Migrations fs.FS = migrations

// MigrateFrom applies the migrations of fsys instead of the embedded ones.
func (db *DB) MigrateFrom(ctx context.Context, fsys fs.FS) (int, error) { return db.migrate(ctx, fsys) }

// ExecForTest runs a statement on the write connection.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
	return err
}
