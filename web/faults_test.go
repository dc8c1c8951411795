package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// holdWrites takes what a long import holds for its whole length: SQLite's
// write lock; on PostgreSQL, the tables an API batch and a sign-in write
// to, and the token rows noted on use. It returns the release.
func holdWrites(t *testing.T, e st.Engine, a *app) func() {
	t.Helper()
	driver, dsn := "sqlite", "file:"+a.db.DSN()+"?_txlock=immediate"
	if e.Name == "postgres" {
		driver, dsn = "pgx", a.db.DSN()
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if e.Name == "postgres" {
		for _, q := range []string{"LOCK TABLE billing_events, sessions IN EXCLUSIVE MODE", "SELECT id FROM api_tokens FOR UPDATE"} {
			if _, err := tx.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			tx.Rollback()
			raw.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// timed runs fn and returns how long it took.
func timed(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// While another writer holds the write lock for longer than a write may
// wait (a long import), pages and API reads answer at once (noting the
// token's use is skipped), and a write is told to come back: 503 with
// Retry-After, never a 500 or an endless wait.
func TestWritesBehindAHeldWriteLockAnswer503AndReadsStillAnswer(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		browser := a.signIn(st.AlphaAdmin)
		reader, writer := a.bearer(st.AlphaToken), a.bearer(st.IngestToken)
		signer := a.anon()
		signer.get("/login")
		for _, u := range []*user{browser, reader, writer, signer} {
			u.c.Timeout = 30 * time.Second // without the fix, PostgreSQL waits for the lock for ever
		}
		release := holdWrites(t, e, a)

		event := `{"records":[{"id":"ev-locked","occurred_at":"` + st.Now.AddDate(0, -1, 0).Format(time.RFC3339) + `",
			"client":"acct-northwind.example","partner":"p-alpha","product":"service-pro","mrr":1000}]}`
		var wg sync.WaitGroup
		var writeBody, signInBody string
		var writeTook, signInTook time.Duration
		var writeRetry, signInRetry string
		wg.Go(func() {
			writeTook = timed(func() {
				writeBody = writer.postJSON("/api/v1/billing-events", event)
			})
			writeRetry = writer.header.Get("Retry-After")
		})
		wg.Go(func() {
			time.Sleep(time.Second) // the write ahead of it is waiting for the lock already
			signInTook = timed(func() {
				signInBody = signer.post("/login", url.Values{"email": {st.AlphaEmployee}, "password": {st.Password}})
			})
			signInRetry = signer.header.Get("Retry-After")
		})
		for _, c := range []struct {
			u    *user
			path string
		}{{reader, "/api/v1/partners/1/clients"}, {browser, clientsURL(st.AlphaID)}, {reader, "/api/v1/partners/1"}} {
			took := timed(func() { c.u.get(c.path) })
			if c.u.status != http.StatusOK || took > 2*time.Second {
				t.Errorf("GET %s while the lock is held: %d after %s, want 200 at once", c.path, c.u.status, took)
			}
		}
		wg.Wait()
		if writer.status != http.StatusServiceUnavailable || writeRetry == "" || !strings.Contains(writeBody, `"code":"unavailable"`) {
			t.Errorf("API write behind the lock: %d (Retry-After %q) after %s: %s", writer.status, writeRetry, writeTook, writeBody)
		}
		if signer.status != http.StatusServiceUnavailable || signInRetry == "" {
			t.Errorf("sign-in behind the lock: %d (Retry-After %q) after %s: %.300s", signer.status, signInRetry, signInTook, signInBody)
		}
		// Each waits for the lock 5 s in all, the sign-in's wait behind the
		// write's in this process included.
		for _, took := range []time.Duration{writeTook, signInTook} {
			if took > 6500*time.Millisecond {
				t.Errorf("a write waited %s for the lock", took)
			}
		}

		release()
		reader.get("/api/v1/partners/1/clients")
		if r := writer.ingest("billing-events", event); writer.status != http.StatusOK || r.Created != 1 {
			t.Errorf("the write retried once the lock is free: %d %+v", writer.status, r)
		}
		signer.post("/login", url.Values{"email": {st.AlphaEmployee}, "password": {st.Password}})
		if signer.status != http.StatusSeeOther {
			t.Errorf("sign-in once the lock is free: %d", signer.status)
		}
		toks, err := a.db.ListTokens(pd.WithPrincipal(ctx(), &pd.Principal{Role: pd.RoleProgramAdmin}))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range toks {
			if k.ID == st.AlphaReadTokenID && k.LastUsedAt == nil {
				t.Errorf("the read token's use is not noted once the lock is free")
			}
		}
	})
}
