package store

import "context"

// MigrateTo applies the migrations up to version, for tests that store
// rows in an older schema and check how a later migration converts them.
func (db *DB) MigrateTo(ctx context.Context, version int) (int, error) {
	return db.migrate(ctx, version)
}
