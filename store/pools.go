package store

import "database/sql"

// Pools are the database's connection pools by name, for their
// statistics: SQLite has a one-connection "write" pool beside a "read"
// pool; PostgreSQL one pool for both.
func (db *DB) Pools() map[string]*sql.DB {
	if db.read == db.write {
		return map[string]*sql.DB{"pool": db.write}
	}
	return map[string]*sql.DB{"write": db.write, "read": db.read}
}
