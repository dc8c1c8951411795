package refresh_test

import (
	"bufio"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
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
// leaseEnv sets its lease; with stallEnv set, the refresh stalls at its
// first step, until the process is killed.
const (
	workerEnv = "PARTNERDESK_TEST_REFRESH_WORKER"
	startEnv  = "PARTNERDESK_TEST_REFRESH_START"
	leaseEnv  = "PARTNERDESK_TEST_REFRESH_LEASE"
	stallEnv  = "PARTNERDESK_TEST_REFRESH_STALL"
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
	clock := st.Clock
	if os.Getenv(leaseEnv) != "" {
		// A lease runs out by the real clock, which the process taking it
		// over reads too; the fixture's clock stands still.
		clock = nil
	}
	db, err := store.Open(ctx, dsn, clock)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer db.Close()
	start, _ := time.Parse(time.RFC3339Nano, os.Getenv(startEnv))
	time.Sleep(time.Until(start))
	var opts refresh.Options
	opts.Lease, _ = time.ParseDuration(os.Getenv(leaseEnv))
	if os.Getenv(stallEnv) != "" {
		opts.Progress = stall{}
	}
	_, ran, err := refresh.Claimed(ctx, db, st.Now, refresh.Worker(), false, opts)
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

// stall is a progress writer that says the refresh runs, then never
// returns: the refresh holds its claim (and renews it) until the process
// dies.
type stall struct{}

func (stall) Write([]byte) (int, error) {
	fmt.Println("running")
	select {}
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

// A worker killed mid-refresh (kill -9) renewed its claim while it ran, so
// no one took the day from it; once its lease has run out another process
// takes the day over, says in its log whose claim it took, and runs it.
func TestARefreshKilledMidRunIsTakenOverOnceItsLeaseRunsOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	st.Each(t, func(t *testing.T, e st.Engine) {
		// Long enough that a loaded machine (the whole suite on two cores)
		// still renews in time: the worker renews every third of it.
		const lease = 3 * time.Second
		dsn, db := openShared(t, e.Name)
		taker, err := store.Open(ctx, dsn, nil) // leases run out by the real clock
		if err != nil {
			t.Fatal(err)
		}
		defer taker.Close()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), workerEnv+"="+dsn, leaseEnv+"="+lease.String(), stallEnv+"=1")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "running\n" {
			t.Fatalf("the worker said %q (%v)", line, err)
		}
		host, _ := os.Hostname()
		dead := fmt.Sprintf("%s/%d", host, cmd.Process.Pid)

		// Alive, the worker keeps its claim however many leases go by.
		time.Sleep(2 * lease)
		if _, ran, err := refresh.Claimed(ctx, taker, st.Now, "taker", false, refresh.Options{Lease: lease}); ran || err != nil {
			t.Fatalf("a live worker's claim was taken: ran %v, %v", ran, err)
		}

		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		killed := time.Now()
		var logs strings.Builder
		opts := refresh.Options{Lease: lease, Log: slog.New(slog.NewTextHandler(&logs, nil))}
		var ran bool
		var took time.Duration // from the kill to the claim that took the day over
		for !ran && err == nil && took < 10*lease {
			time.Sleep(lease / 10)
			took = time.Since(killed)
			_, ran, err = refresh.Claimed(ctx, taker, st.Now, "taker", false, opts)
		}
		if !ran || err != nil || took > lease+lease/2 {
			t.Fatalf("taking over from the dead worker: ran %v after %s, %v; want within the lease (%s)", ran, took, err, lease)
		}
		t.Logf("taken over %s after the kill (lease %s)", took.Round(time.Millisecond), lease)
		if l := logs.String(); !strings.Contains(l, "taken over") || !strings.Contains(l, "dead_worker="+dead) {
			t.Errorf("the take-over is not logged with the dead worker %s:\n%s", dead, l)
		}
		runs, err := db.RefreshRuns(ctx, 5)
		if err != nil || len(runs) != 1 || runs[0].Status != "done" || runs[0].Worker != "taker" || runs[0].Attempts != 2 {
			t.Errorf("refresh_runs: %+v %v", runs, err)
		}
	})
}

// steal takes the claim of the day's refresh from its worker, as another
// process would once the worker's lease had run out, then gives the
// worker's next renewal time to find out.
type steal struct {
	raw   *sql.DB
	lease time.Duration
	done  bool
}

func (s *steal) Write(p []byte) (int, error) {
	if !s.done {
		s.done = true
		if _, err := s.raw.Exec("UPDATE refresh_runs SET worker = 'thief', attempts = attempts + 1"); err != nil {
			return 0, err
		}
		time.Sleep(s.lease)
	}
	return len(p), nil
}

// A worker whose claim was taken over (it stalled past its lease, say)
// stops its run at its next renewal and leaves the day's record to the
// worker that took it.
func TestAWorkerThatLostItsClaimStops(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		dsn, db := openShared(t, e.Name)
		driver := "pgx"
		if e.Name == "sqlite" {
			driver, dsn = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)"
		}
		raw, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		const lease = 600 * time.Millisecond
		var logs strings.Builder
		_, ran, err := refresh.Claimed(ctx, db, st.Now, "stalled", false, refresh.Options{Lease: lease,
			Progress: &steal{raw: raw, lease: lease}, Log: slog.New(slog.NewTextHandler(&logs, nil))})
		if !ran || !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("the run of a worker whose claim was taken: ran %v, %v; want ErrLeaseLost", ran, err)
		}
		if !strings.Contains(logs.String(), "claim was taken over") {
			t.Errorf("not logged:\n%s", logs.String())
		}
		runs, err := db.RefreshRuns(ctx, 5)
		if err != nil || len(runs) != 1 || runs[0].Status != "running" || runs[0].Worker != "thief" {
			t.Errorf("refresh_runs: %+v %v, want the thief's running claim untouched", runs, err)
		}
	})
}
