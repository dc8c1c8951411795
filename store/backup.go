package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupPostgres says that a PostgreSQL database is backed up with
// PostgreSQL's own tools (docs/operators.md, "Backups").
var ErrBackupPostgres = errors.New("a PostgreSQL database is backed up and restored with pg_dump and pg_restore (see docs/operators.md)")

// Backup writes a consistent copy of a SQLite database to dest while the
// server runs and writes: VACUUM INTO reads one snapshot of the database in
// a read transaction, so the copy holds every committed batch whole and
// none in part, and writers are not blocked. dest must not exist. The copy
// is checked with integrity_check before Backup returns.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if db.dialect != dialectSQLite {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup to %s: the file exists; name a new file", dest)
	}
	if _, err := db.read.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := checkSQLiteFile(ctx, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

// RestoreSQLite puts the backup file src in place of the SQLite database at
// target, which no server may have open (the caller makes sure). The
// backup is checked first (integrity, a Partnerdesk schema no newer than
// this binary's), then copied beside target and renamed over it, so that a
// failure half-way leaves the old database as it was; the old database's
// write-ahead log goes with it.
func RestoreSQLite(ctx context.Context, src, target string) error {
	if err := checkSQLiteFile(ctx, src); err != nil {
		return fmt.Errorf("restore %s: %w", src, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), filepath.Base(target)+".restore-*")
	if err != nil {
		return fmt.Errorf("restore %s: %w", src, err)
	}
	defer os.Remove(tmp.Name())
	in, err := os.Open(src)
	if err != nil {
		tmp.Close()
		return fmt.Errorf("restore %s: %w", src, err)
	}
	_, err = io.Copy(tmp, in)
	in.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore %s: copy: %w", src, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore %s: remove the old %s: %w", src, target+suffix, err)
		}
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("restore %s: %w", src, err)
	}
	if d, err := os.Open(filepath.Dir(target)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// checkSQLiteFile opens a SQLite file read-only and checks that it is
// whole (integrity_check) and a Partnerdesk database that this binary can
// migrate (no migration newer than its own).
func checkSQLiteFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("integrity check: %s", result)
	}
	var newest int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&newest); err != nil {
		return fmt.Errorf("not a Partnerdesk database (no schema_migrations): %w", err)
	}
	ms, err := loadMigrations(migrations, dialectSQLite)
	if err != nil {
		return err
	}
	if len(ms) > 0 && newest > ms[len(ms)-1].version {
		return fmt.Errorf("made by a newer Partnerdesk (migration %04d; this one knows up to %04d): restore it with that version", newest, ms[len(ms)-1].version)
	}
	return nil
}

// SQLitePath is the file path of a SQLite DSN as Open reads it; ok is
// false for a PostgreSQL URL.
func SQLitePath(dsn string) (path string, ok bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	return strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:"), true
}
