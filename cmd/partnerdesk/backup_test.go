package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// backup copies a live SQLite database; restore refuses while a server
// holds the file, then puts the copy back; PostgreSQL is sent to pg_dump.
func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pd.db")
	db := "--database-url=" + path
	partners := writeFile(t, dir, "partners.csv", "id,name,country\np-1,One Agency,FR\n")
	if code, _, errOut := runCmd(t, "import", "partners", partners, db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	backup := filepath.Join(dir, "copy.db")
	if code, out, errOut := runCmd(t, "backup", db, backup); code != 0 || !strings.Contains(out, "integrity checked") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "backup", db, backup); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("backup over an existing file: %d %q", code, errOut)
	}
	more := writeFile(t, dir, "more.csv", "id,name,country\np-2,Two Agency,DE\n")
	if code, _, errOut := runCmd(t, "import", "partners", more, db); code != 0 {
		t.Fatalf("import: %s", errOut)
	}

	release, err := lockDatabase(path, false) // as a running server holds it
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, "restore", db, backup); code != 1 || !strings.Contains(errOut, "stop it, then restore") {
		t.Fatalf("restore under a running server: %d %q", code, errOut)
	}
	release()
	if code, out, errOut := runCmd(t, "restore", db, backup); code != 0 || !strings.Contains(out, "Restored") {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	// The restored database has the one partner of the backup: importing
	// both again creates the second only.
	both := writeFile(t, dir, "both.csv", "id,name,country\np-1,One Agency,FR\np-2,Two Agency,DE\n")
	if code, out, errOut := runCmd(t, "import", "partners", both, db); code != 0 || !strings.Contains(out, "1 created") {
		t.Fatalf("after restore: %d %q %q", code, out, errOut)
	}

	if code, _, errOut := runCmd(t, "backup", "--database-url=postgres://localhost/x", backup+"2"); code != 1 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("backup of PostgreSQL: %d %q", code, errOut)
	}
	if code, _, _ := runCmd(t, "backup", db); code != 2 {
		t.Fatalf("backup without FILE: %d, want 2", code)
	}
}

func TestVersionComesFromTheBuild(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "partnerdesk ") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestHealthcheckAsksTheServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if code, out, errOut := runCmd(t, "healthcheck", "--addr", addr); code != 0 || out != "ok\n" {
		t.Fatalf("healthcheck: %d %q %q", code, out, errOut)
	}
	srv.Close()
	if code, _, _ := runCmd(t, "healthcheck", "--addr", addr); code != 1 {
		t.Fatalf("healthcheck of a stopped server: %d, want 1", code)
	}
}
