package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// "partnerdesk refresh" runs the daily refresh now and says what it did;
// run again with no new event, it only moves the credit to the new day.
func TestRefreshCommand(t *testing.T) {
	dir := t.TempDir()
	db := "--database-url=" + filepath.Join(dir, "pd.db")
	partners := writeFile(t, dir, "partners.csv", "id,name,country\np-1,One Agency,FR\n")
	clients := writeFile(t, dir, "clients.csv", "id,name,domain\nacct-1,Acme,acme.example\n")
	events := writeFile(t, dir, "events.csv", "id,occurred_at,client,partner,product,mrr\ne1,2026-11-01T10:00:00Z,acct-1,p-1,marketing-pro,1000\n")
	for _, imp := range [][]string{{"partners", partners}, {"clients", clients}, {"events", events}} {
		if code, _, stderr := runCmd(t, "import", imp[0], imp[1], db); code != 0 {
			t.Fatalf("import %s: %d %s", imp[0], code, stderr)
		}
	}
	code, out, stderr := runCmd(t, "refresh", db, "--at", "2026-11-27T06:30:00Z")
	if code != 0 || !strings.Contains(out, "refresh: credit: running the ledger") ||
		!strings.Contains(out, "Refreshed 2026-11-27") || !strings.Contains(out, "credit full (1 billing events") {
		t.Fatalf("refresh: %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = runCmd(t, "refresh", db, "--at", "2026-11-28T06:30:00Z")
	if code != 0 || !strings.Contains(out, "credit expiries") {
		t.Errorf("the next day's refresh: %d\n%s", code, out)
	}
	if code, _, stderr := runCmd(t, "refresh", db, "--at", "yesterday"); code != 2 || !strings.Contains(stderr, "--at") {
		t.Errorf("a bad --at: %d %s", code, stderr)
	}
}
