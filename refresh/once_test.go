package refresh_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The test binary doubles as a server process running the scheduled
// refresh: TestMain sends it there when workerEnv holds a database.
const (
	workerEnv = "PARTNERDESK_TEST_REFRESH_WORKER"
	startEnv  = "PARTNERDESK_TEST_REFRESH_START"
)

func TestMain(m *testing.M) {
	if dsn := os.Getenv(workerEnv); dsn != "" {
		os.Exit(worker(dsn))
	}
	os.Exit(m.Run())
}

// worker waits for the agreed instant, then does what a scheduler does on
// the day: claim it and run it, unless another process has.
func worker(dsn string) int {
	db, err := store.Open(ctx, dsn, st.Clock)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer db.Close()
	start, _ := time.Parse(time.RFC3339Nano, os.Getenv(startEnv))
	time.Sleep(time.Until(start))
	_, ran, err := refresh.Claimed(ctx, db, st.Now, refresh.Worker(), false, refresh.Options{})
	switch {
	case err != nil:
		fmt.Println("error:", err)
		return 1
	case ran:
		fmt.Println("ran")
	default:
		fmt.Println("skipped")
	}
	return 0
}

// openShared is a migrated database with the fixture that other processes
// can open too: its DSN.
func openShared(t *testing.T, engine string) (string, *store.DB) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "shared.db")
	if engine == "postgres" {
		admin, err := sql.Open("pgx", os.Getenv(st.PostgresEnv))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		b := make([]byte, 6)
		rand.Read(b)
		name := "pdtest_once_" + hex.EncodeToString(b)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", os.Getenv(st.PostgresEnv)); err == nil {
				a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
				a.Close()
			}
		})
		u, _ := url.Parse(os.Getenv(st.PostgresEnv))
		u.Path = "/" + name
		dsn = u.String()
	}
	db, err := store.Open(ctx, dsn, st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st.Load(t, db)
	return dsn, db
}

// Three server processes on one database reach the day's refresh at the
// same instant: exactly one runs it.
func TestTheDailyRefreshRunsOnceAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	st.Each(t, func(t *testing.T, e st.Engine) {
		dsn, db := openShared(t, e.Name)
		start := time.Now().Add(1500 * time.Millisecond).Format(time.RFC3339Nano)
		outs := make([]string, 3)
		var wg sync.WaitGroup
		for i := range outs {
			wg.Go(func() {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), workerEnv+"="+dsn, startEnv+"="+start)
				out, err := cmd.CombinedOutput()
				outs[i] = strings.TrimSpace(string(out))
				if err != nil {
					outs[i] += " (" + err.Error() + ")"
				}
			})
		}
		wg.Wait()
		ran, skipped := 0, 0
		for _, o := range outs {
			switch o {
			case "ran":
				ran++
			case "skipped":
				skipped++
			}
		}
		if ran != 1 || skipped != 2 {
			t.Fatalf("processes said %q, want one ran and two skipped", outs)
		}
		runs, err := db.RefreshRuns(ctx, 5)
		if err != nil || len(runs) != 1 || runs[0].Status != "done" || runs[0].Attempts != 1 {
			t.Fatalf("refresh_runs: %+v %v", runs, err)
		}
		if got := snapshot(t, db, st.AlphaID).Report.Figures.SoldCredit; got != st.AlphaSoldCredit {
			t.Errorf("after the run Alpha sold %d, want %d", got, st.AlphaSoldCredit)
		}
	})
}
