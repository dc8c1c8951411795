package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	pd "github.com/partnerdesk/partnerdesk"
)

// A SQLite write waits for the one write connection, which a long write in
// this process (an upload, an API batch) may hold, at most lockWait: then
// it is unavailable, not stuck.
func TestAWriteBehindALongWriteInTheProcessIsUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lock")
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	held, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = db.update(ctx, func(*tx) error { return nil })
	took := time.Since(start)
	held.Close()
	if pd.ErrorCode(err) != pd.EUnavailable || took < lockWait || took > lockWait+2*time.Second {
		t.Errorf("a write behind a held connection: %v after %s, want unavailable after %s", err, took, lockWait)
	}
	if err := db.update(ctx, func(*tx) error { return nil }); err != nil {
		t.Errorf("once the connection is free: %v", err)
	}
}

// Driver errors that mean "not now" are unavailable by their codes and
// types; others keep their meaning.
func TestDriverErrorsThatMeanNotNowAreUnavailable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&pgconn.PgError{Code: "55P03"}, pd.EUnavailable}, // lock_timeout
		{fmt.Errorf("ingest: %w", &pgconn.PgError{Code: "40P01"}), pd.EUnavailable},
		{&pgconn.PgError{Code: "40001"}, pd.EUnavailable},
		{&pgconn.PgError{Code: "25006"}, pd.EUnavailable},
		{&pgconn.PgError{Code: "57P01"}, pd.EUnavailable},
		{&pgconn.PgError{Code: "08006"}, pd.EUnavailable},
		{&pgconn.PgError{Code: "23505"}, pd.EInternal},
		{errors.New("database is locked"), pd.EInternal}, // the text alone says nothing
		{pd.Errorf(pd.EConflict, "taken"), pd.EConflict},
	} {
		if got := pd.ErrorCode(unavailable(c.err)); got != c.want {
			t.Errorf("%v: %s, want %s", c.err, got, c.want)
		}
	}
	if err := unavailable(&pgconn.PgError{Code: "55P03", Message: "canceling statement due to lock timeout"}); !errors.As(err, new(*pgconn.PgError)) {
		t.Errorf("the driver's error is lost: %v", err)
	}
}
