package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The import command loads files all or nothing, lists every bad row by
// line and column, and a dry run writes nothing; tokens are created once,
// listed and revoked.
func TestImportAndTokenCommands(t *testing.T) {
	dir := t.TempDir()
	db := "--database-url=" + filepath.Join(dir, "pd.db")
	partners := writeFile(t, dir, "partners.csv", "id,name,country\np-1,One Agency,FR\np-2,Two Agency,DE\n")
	clients := writeFile(t, dir, "clients.csv", "id,name,domain\nacct-1,Acme,acme.example\n")
	bad := writeFile(t, dir, "events.csv", "id,occurred_at,client,partner,product,mrr\n"+
		"e1,2026-11-01T10:00:00Z,acct-1,p-1,marketing-pro,1000\n"+
		"e2,2026-11-01T10:00:00Z,acct-9,p-1,marketing-pro,1000\n"+
		"e3,2026-11-01T10:00:00Z,acct-1,p-1,marketing-pro,lots\n")

	if code, out, errOut := runCmd(t, "import", "partners", partners, db, "--dry-run"); code != 0 || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "import", db, "partners", partners); code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("partners: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "import", "partners", partners, db); code != 0 || !strings.Contains(out, "2 unchanged") {
		t.Fatalf("partners again: %d %q (the dry run must not have written them)", code, out)
	}
	if code, _, errOut := runCmd(t, "import", "clients", clients, db); code != 0 {
		t.Fatalf("clients: %d %q", code, errOut)
	}
	code, _, errOut := runCmd(t, "import", "events", bad, db)
	if code != 1 || !strings.Contains(errOut, bad+":3, column client: no client has the id \"acct-9\"") ||
		!strings.Contains(errOut, bad+":4, column mrr:") || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("bad events: %d\n%s", code, errOut)
	}
	if code, _, _ := runCmd(t, "import", "planets", bad, db); code != 2 {
		t.Errorf("unknown kind: status %d, want 2", code)
	}
	if code, _, _ := runCmd(t, "import", "events", db); code != 2 {
		t.Errorf("no file: status %d, want 2", code)
	}

	code, out, errOut := runCmd(t, "token", "create", "--name", "Warehouse", "--scope", "read", "--partner", "p-2", db)
	if code != 0 || !strings.Contains(out, "pdk_") || !strings.Contains(out, "Two Agency") {
		t.Fatalf("token create: %d %q %q", code, out, errOut)
	}
	secret := strings.TrimSpace(out[strings.Index(out, "pdk_"):])
	if code, out, _ := runCmd(t, "token", "list", db); code != 0 || !strings.Contains(out, "Warehouse") || strings.Contains(out, secret) {
		t.Fatalf("token list: %d %q", code, out)
	}
	if code, out, _ := runCmd(t, "token", "revoke", "1", db); code != 0 || !strings.Contains(out, "Revoked") {
		t.Fatalf("token revoke: %d %q", code, out)
	}
	if code, _, errOut := runCmd(t, "token", "revoke", "1", db); code != 1 || !strings.Contains(errOut, "No active token") {
		t.Errorf("revoke twice: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "token", "create", "--name", "X", "--scope", "read", db); code != 1 || !strings.Contains(errOut, "choose the partner") {
		t.Errorf("read token without partner: %d %q", code, errOut)
	}
}

// The import command refuses text that is not UTF-8 by line and column on
// both engines, and lists the first pd.MaxProblems problems of a file with
// thousands, saying how many more there are.
func TestImportRefusesBadTextAndListsTheFirstProblems(t *testing.T) {
	dir := t.TempDir()
	notUTF8 := writeFile(t, dir, "clients.csv", "id,name\nacct-1,Acme\nacct-2,Ac\xffme\n")
	many := writeFile(t, dir, "many.csv", "id,name,employees\n"+strings.Repeat(",,many\n", 1500))
	dbs := map[string]func(t *testing.T) string{"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "pd.db") }}
	if os.Getenv(st.PostgresEnv) != "" {
		dbs["postgres"] = func(t *testing.T) string { return st.PostgresDSN(t) }
	}
	for name, dsn := range dbs {
		t.Run(name, func(t *testing.T) {
			db := "--database-url=" + dsn(t)
			code, _, errOut := runCmd(t, "import", "clients", notUTF8, db)
			if code != 1 || !strings.Contains(errOut, notUTF8+":3, column name: "+pd.NotUTF8(0, "").Reason) {
				t.Errorf("text that is not UTF-8: %d\n%s", code, errOut)
			}
			code, _, errOut = runCmd(t, "import", "clients", many, db)
			if code != 1 || !strings.Contains(errOut, "4500 problems in 1500 rows") ||
				strings.Count(errOut, many+":") != pd.MaxProblems+2 || !strings.Contains(errOut, "the first 1000 problems are listed, 3500 more are not") {
				t.Errorf("4,500 problems: %d, %d lines\n%.500s", code, strings.Count(errOut, "\n"), errOut)
			}
		})
	}
}
