package store

import (
	"context"
	"fmt"
)

// Optimize refreshes the planner's statistics after a large load, and on
// PostgreSQL also the visibility map of the tables that pages read through
// covering indexes, without which PostgreSQL cannot answer from the index
// alone. Autovacuum gets there eventually; a freshly loaded demo should
// not wait for it.
func (db *DB) Optimize(ctx context.Context) error {
	stmts := []string{"PRAGMA analysis_limit = 1000", "ANALYZE", "PRAGMA optimize"}
	if db.dialect == dialectPostgres {
		// VACUUM cannot run inside a transaction: each is its own statement.
		stmts = []string{"ANALYZE"}
		for _, t := range []string{"client_partners", "clients", "renewals", "client_assignments", "subscription_lines", "usage_snapshots", "directory_profiles"} {
			stmts = append(stmts, "VACUUM "+t)
		}
	}
	for _, s := range stmts {
		if _, err := db.write.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("optimize: %s: %w", s, err)
		}
	}
	return nil
}
