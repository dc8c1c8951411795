package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// event is an API batch of one billing event of the fixture.
func event(id string) string {
	return `{"records":[{"id":"` + id + `","occurred_at":"` + st.Now.AddDate(0, -1, 0).Format(time.RFC3339) +
		`","client":"acct-northwind.example","partner":"p-alpha","product":"service-pro","mrr":1000}]}`
}

// A server whose database goes away (SQLite: its folder removed; PostgreSQL:
// the server refuses connections) says so: /readyz and writes answer 503
// with Retry-After instead of 200s whose data is lost, while /healthz, the
// liveness probe, still says ok.
func TestReadyzAndWritesFailWhenTheDatabaseGoesAway(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	st.Each(t, func(t *testing.T, e st.Engine) {
		dsn := filepath.Join(t.TempDir(), "data", "pd.db")
		if e.Name == "sqlite" {
			if err := os.Mkdir(filepath.Dir(dsn), 0o755); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(context.Background(), dsn, st.Clock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			st.Load(t, db)
		} else {
			db := e.Open(t, st.Clock)
			st.Load(t, db)
			dsn = db.DSN()
		}
		srv := startServe(t, dsn)
		probe, ingest := srv.client(""), srv.client(st.IngestToken)
		if a := probe.get(t, "/readyz"); a.status != http.StatusOK {
			t.Fatalf("/readyz of a sound database: %d %q", a.status, a.body)
		}
		if a := ingest.postJSON(t, "/api/v1/billing-events", event("ev-kept")); a.status != http.StatusOK {
			t.Fatalf("a write to a sound database: %d %s", a.status, a.body)
		}

		if e.Name == "sqlite" {
			if err := os.RemoveAll(filepath.Dir(dsn)); err != nil {
				t.Fatal(err)
			}
		} else {
			st.RefuseConnections(t, dsn)
		}
		a := probe.get(t, "/readyz")
		if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, "database") {
			t.Errorf("/readyz: %d (Retry-After %q) %q, want 503 saying why", a.status, a.header.Get("Retry-After"), a.body)
		}
		a = ingest.postJSON(t, "/api/v1/billing-events", event("ev-lost"))
		if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, `"code":"unavailable"`) {
			t.Errorf("a write: %d (Retry-After %q) %s, want 503 unavailable", a.status, a.header.Get("Retry-After"), a.body)
		}
		if a := probe.get(t, "/healthz"); a.status != http.StatusOK {
			t.Errorf("/healthz: %d", a.status)
		}
		if !strings.Contains(srv.stderr.String(), `level=WARN msg="database unavailable"`) {
			t.Errorf("the server did not tell the operator:\n%s", srv.stderr)
		}
	})
}

// serve refuses, saying why, a SQLite path where no database is (rather
// than create an empty one) and a database it may not write to (rather
// than start and fail every sign-in and write).
func TestServeRefusesAMissingOrReadOnlyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	// Root may write to any file: the server then runs as nobody, from a
	// folder nobody may read.
	dir, err := os.MkdirTemp("", "pd-serve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var asNobody *syscall.SysProcAttr
	bin := os.Args[0]
	if os.Geteuid() == 0 {
		asNobody = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		bin = filepath.Join(dir, "partnerdesk")
		b, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, b, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	serve := func(path string) (int, string) {
		cmd := command("serve", "--database-url", path, "--addr", "127.0.0.1:0")
		cmd.Path, cmd.Args[0], cmd.SysProcAttr = bin, bin, asNobody
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}

	missing := filepath.Join(dir, "partnerdsk.db")
	if code, out := serve(missing); code != 1 || !strings.Contains(out, "no SQLite database at "+missing) || !strings.Contains(out, "migrate") {
		t.Errorf("serve on a missing path: %d %q", code, out)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve created %s: %v", missing, err)
	}

	readOnly := filepath.Join(dir, "pd.db")
	if code, _, errOut := runCmd(t, "migrate", "--database-url", readOnly); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	if err := os.Chmod(readOnly, 0o444); err != nil {
		t.Fatal(err)
	}
	if code, out := serve(readOnly); code != 1 || !strings.Contains(out, "read-only") || strings.Contains(out, "is running") {
		t.Errorf("serve on a read-only database: %d %q", code, out)
	}
}
