package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A backup taken while batches keep arriving is whole (integrity_check)
// and holds each batch all or nothing; restoring it gives back that state.
func TestBackupDuringWritesIsConsistentAndRestores(t *testing.T) {
	ctx := context.Background()
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	const perBatch = 200
	base := scalar[int64](t, db, "SELECT COUNT(*) FROM billing_events")

	batch := func(n int) error {
		evs := make([]pd.BillingEventRecord, perBatch)
		for i := range evs {
			evs[i] = pd.BillingEventRecord{ID: fmt.Sprintf("stream-%d-%d", n, i), OccurredAt: st.Now.Add(-time.Duration(n*perBatch+i) * time.Minute),
				Client: northwind, Partner: "p-alpha", Product: "service-pro", MRR: int64(1000 + i)}
		}
		_, err := events(t, db, evs...)
		return err
	}
	stop := make(chan struct{})
	first := make(chan struct{})
	written := make(chan int, 1)
	go func() {
		n := 0
		defer func() { written <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := batch(n); err != nil {
				t.Errorf("batch %d: %v", n, err)
				return
			}
			n++
			if n == 1 {
				close(first)
			}
		}
	}()
	<-first
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	// Let more batches land after the copy, so that the copy is a moment
	// of the stream and not its end.
	time.Sleep(50 * time.Millisecond)
	close(stop)
	total := <-written

	cp, err := store.Open(ctx, copyPath, st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if ok := scalar[string](t, cp, "PRAGMA integrity_check"); ok != "ok" {
		t.Fatalf("integrity_check of the copy: %s", ok)
	}
	got := scalar[int64](t, cp, "SELECT COUNT(*) FROM billing_events") - base
	if got <= 0 || got%perBatch != 0 {
		t.Fatalf("the copy holds %d streamed events: not whole batches of %d", got, perBatch)
	}
	if int(got/perBatch) > total {
		t.Fatalf("the copy holds %d batches, only %d were written", got/perBatch, total)
	}
	// Each batch in the copy is whole: as many events as it sent.
	partial := scalar[int64](t, cp, `SELECT COUNT(*) FROM (SELECT substr(external_id, 1, instr(substr(external_id, 8), '-') + 7) AS b, COUNT(*) AS n
		FROM billing_events WHERE external_id LIKE 'stream-%' GROUP BY b HAVING COUNT(*) <> ?) x`, perBatch)
	if partial != 0 {
		t.Fatalf("%d batches in the copy are partial", partial)
	}

	if err := db.Backup(ctx, copyPath); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a backup over an existing file: %v", err)
	}

	// Restore the copy over another database file.
	target := filepath.Join(dir, "restored.db")
	if err := store.RestoreSQLite(ctx, copyPath, target); err != nil {
		t.Fatal(err)
	}
	rs, err := store.Open(ctx, target, st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if n := scalar[int64](t, rs, "SELECT COUNT(*) FROM billing_events") - base; n != got {
		t.Fatalf("restored %d streamed events, the copy has %d", n, got)
	}
}

func TestRestoreRefusesWhatIsNotAWholePartnerdeskDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.db")
	if err := store.RestoreSQLite(ctx, filepath.Join(dir, "missing.db"), target); err == nil {
		t.Fatal("restored a file that does not exist")
	}
	plain := filepath.Join(dir, "plain.db")
	p, err := store.Open(ctx, plain, nil) // a SQLite file without the schema
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := store.RestoreSQLite(ctx, plain, target); err == nil || !strings.Contains(err.Error(), "not a Partnerdesk database") {
		t.Fatalf("restore of a foreign file: %v", err)
	}
}

func TestBackupOfPostgresPointsAtPgDump(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		if e.Name != "postgres" {
			return
		}
		db := e.Open(t, st.Clock)
		if err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "x")); !errors.Is(err, store.ErrBackupPostgres) {
			t.Fatalf("backup on PostgreSQL: %v", err)
		}
	})
}
