package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Whether the database can take writes that last: a SQLite file removed
// under a running server keeps taking writes into the open file, which
// vanish when the server stops, so every write checks it first; the
// readiness probe checks that and the rest.

const msgGone = "The database file is no longer where the server opened it (moved or deleted); nothing can be saved until it is back and the server restarted."

// readyWait bounds the readiness probe's query.
const readyWait = 2 * time.Second

// onDisk reports, as EUnavailable, a SQLite database whose path no longer
// leads to the file that was opened. PostgreSQL has no such file.
func (db *DB) onDisk() error {
	if db.file == nil {
		return nil
	}
	fi, err := os.Stat(db.path)
	if err == nil && os.SameFile(fi, db.file) {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("%s is not the file that was opened", db.path)
	}
	return fmt.Errorf("%w: %w", &pd.Error{Code: pd.EUnavailable, Message: msgGone}, err)
}

// Ready reports whether the database answers and can durably take writes,
// as EUnavailable when it cannot: for SQLite, the file at its path is
// still the one open and this process may write to it and its folder; for
// PostgreSQL, the server answers and is not read-only (a standby, say).
// It takes no lock, so it stays fast while an import writes.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.onDisk(); err != nil {
		return err
	}
	if db.path != "" {
		for _, p := range []string{db.path, filepath.Dir(db.path)} {
			if err := writable(p); err != nil {
				return fmt.Errorf("%w: %w", &pd.Error{Code: pd.EUnavailable, Message: msgReadOnly}, err)
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	var readOnly bool
	var err error
	if db.dialect == dialectPostgres {
		err = db.read.QueryRowContext(ctx, "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'").Scan(&readOnly)
	} else {
		var n int // the schema's size: a read of the file's first page
		err = db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema").Scan(&n)
	}
	if err != nil {
		if err := unavailable(err); pd.ErrorCode(err) == pd.EUnavailable {
			return err
		}
		return fmt.Errorf("%w: %w", &pd.Error{Code: pd.EUnavailable, Message: msgUnreachable}, err)
	}
	if readOnly {
		return &pd.Error{Code: pd.EUnavailable, Message: msgReadOnly}
	}
	return nil
}
