package main

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// duringImport is what a server answered while "partnerdesk import" loaded
// a large file into its database in another process.
type duringImport struct {
	importTook            time.Duration
	maxPage, maxRead      time.Duration // the slowest page and API read
	maxWrite              time.Duration // the slowest API write
	maxSignIn             time.Duration // the slowest sign-in
	pages, reads          int
	writes, signIns       map[int]int // answers by status
	unexpected            []string    // any other answer, a 500 say
	writeRetry, signRetry bool        // every 503 carried Retry-After
}

// serveDuringImport starts a server on a fixture with clients more, then
// imports events billing events from the command line in another process
// while browsing pages, reading (with a new token each time) and writing
// through the API and signing in, until the import ends.
func serveDuringImport(t testing.TB, e st.Engine, events, clients int) duringImport {
	db := e.Open(t, st.Clock)
	st.Load(t, db)
	st.LoadBenchClients(t, db, clients)
	file := filepath.Join(t.TempDir(), "events.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,occurred_at,client,partner,product,mrr")
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for k := range events {
		fmt.Fprintf(w, "ev-imp-%08d,%s,acct-b%06d,p-alpha,%s,%d\n", k, start.Add(time.Duration(k)*time.Minute).Format(time.RFC3339),
			(k*7919)%clients, st.BenchProducts[k%len(st.BenchProducts)], (k%50)*1000)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	srv := startServe(t, db.DSN())
	page := srv.client("")
	if a := page.signIn(t, st.AlphaAdmin, st.Password); a.status != http.StatusSeeOther {
		t.Fatalf("sign in before the import: %d", a.status)
	}
	// Fresh read tokens, one a request: each one's first use is noted, a
	// write that must not hold the read up.
	var readers []*browser
	for i := range 60 {
		_, secret, err := db.CreateToken(operator(context.Background()), store.NewToken{Name: fmt.Sprintf("BI %d", i), Scope: pd.ScopeRead, PartnerID: st.AlphaID})
		if err != nil {
			t.Fatal(err)
		}
		readers = append(readers, srv.client(secret))
	}
	ingest := srv.client(st.IngestToken)

	imp := command("import", "events", file, "--database-url", db.DSN())
	var impOut lockedBuffer
	imp.Stdout, imp.Stderr = &impOut, &impOut
	t0 := time.Now()
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- imp.Wait() }()
	var importing atomic.Bool
	importing.Store(true)

	var mu sync.Mutex
	r := duringImport{writes: map[int]int{}, signIns: map[int]int{}, writeRetry: true, signRetry: true}
	var wg sync.WaitGroup
	loop := func(pause time.Duration, fn func(i int)) {
		wg.Go(func() {
			for i := 0; importing.Load(); i++ {
				fn(i)
				time.Sleep(pause)
			}
		})
	}
	unexpected := func(what string, a answer) {
		mu.Lock()
		defer mu.Unlock()
		r.unexpected = append(r.unexpected, fmt.Sprintf("%s: %d after %s: %.200s", what, a.status, a.took.Round(time.Millisecond), a.body))
	}
	loop(100*time.Millisecond, func(int) {
		a := page.get(t, "/partners/1/clients")
		mu.Lock()
		r.pages, r.maxPage = r.pages+1, max(r.maxPage, a.took)
		mu.Unlock()
		if a.status != http.StatusOK {
			unexpected("clients page", a)
		}
	})
	loop(100*time.Millisecond, func(i int) {
		a := readers[i%len(readers)].get(t, "/api/v1/partners/1/clients")
		mu.Lock()
		r.reads, r.maxRead = r.reads+1, max(r.maxRead, a.took)
		mu.Unlock()
		if a.status != http.StatusOK {
			unexpected("API read", a)
		}
	})
	loop(250*time.Millisecond, func(i int) {
		a := ingest.postJSON(t, "/api/v1/billing-events", event(fmt.Sprintf("ev-live-%d", i)))
		mu.Lock()
		r.writes[a.status]++
		r.maxWrite = max(r.maxWrite, a.took)
		r.writeRetry = r.writeRetry && (a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "")
		mu.Unlock()
		if a.status != http.StatusOK && a.status != http.StatusServiceUnavailable {
			unexpected("API write", a)
		}
	})
	loop(500*time.Millisecond, func(int) {
		a := srv.client("").signIn(t, st.AlphaEmployee, st.Password)
		mu.Lock()
		r.signIns[a.status]++
		r.maxSignIn = max(r.maxSignIn, a.took)
		r.signRetry = r.signRetry && (a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "")
		mu.Unlock()
		if a.status != http.StatusSeeOther && a.status != http.StatusServiceUnavailable {
			unexpected("sign-in", a)
		}
	})
	err = <-done
	r.importTook = time.Since(t0)
	importing.Store(false)
	wg.Wait()
	if err != nil || !strings.Contains(impOut.String(), fmt.Sprintf("Imported %d rows", events)) {
		t.Fatalf("import: %v\n%s", err, impOut.String())
	}
	for _, l := range strings.Split(srv.stderr.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			r.unexpected = append(r.unexpected, "logged: "+l)
		}
	}
	return r
}

// While the command line imports a large file (holding the write lock for
// seconds), the server keeps answering pages, API reads and writes and
// sign-ins: reads at once, writes with 200 or 503 and Retry-After, never a
// 500.
func TestServerAnswersDuringALongImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and imports 150,000 rows")
	}
	st.Each(t, func(t *testing.T, e st.Engine) {
		r := serveDuringImport(t, e, 150_000, 20_000)
		t.Logf("import %s; slowest page %s (%d), API read %s (%d), write %s, sign-in %s; writes %v, sign-ins %v", r.importTook.Round(time.Millisecond),
			r.maxPage.Round(time.Millisecond), r.pages, r.maxRead.Round(time.Millisecond), r.reads, r.maxWrite.Round(time.Millisecond),
			r.maxSignIn.Round(time.Millisecond), r.writes, r.signIns)
		for _, u := range r.unexpected {
			t.Error(u)
		}
		if r.maxPage > 2*time.Second || r.maxRead > 2*time.Second {
			t.Errorf("the slowest page took %s, the slowest API read %s, want them answered at once", r.maxPage, r.maxRead)
		}
		if r.maxWrite > 7*time.Second {
			t.Errorf("a write waited %s, want it told to come back after the lock wait (5 s)", r.maxWrite)
		}
		// A sign-in's writes share one deadline, with room for its hash.
		if r.maxSignIn > 10*time.Second {
			t.Errorf("a sign-in took %s, want it answered within the lock wait and a hash (8 s)", r.maxSignIn)
		}
		if !r.writeRetry || !r.signRetry {
			t.Errorf("a 503 without Retry-After")
		}
		if r.pages < 5 || r.reads < 5 || len(r.writes) == 0 || len(r.signIns) == 0 {
			t.Errorf("too few requests during the import: %+v", r)
		}
	})
}

// The longest page and API answers while the command line imports
// 1,000,000 billing events over 50,000 clients (README, Operations):
//
//	go test ./cmd/partnerdesk -run '^$' -bench ServeDuringMillionImport -benchtime 1x
func BenchmarkServeDuringMillionImport(b *testing.B) {
	for _, e := range st.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			for range b.N {
				r := serveDuringImport(b, e, 1_000_000, 50_000)
				for _, u := range r.unexpected {
					b.Error(u)
				}
				codes := func(m map[int]int) string {
					var s []string
					for _, k := range slices.Sorted(maps.Keys(m)) {
						s = append(s, fmt.Sprintf("%d×%d", m[k], k))
					}
					return strings.Join(s, " ")
				}
				b.Logf("import %s; slowest page %s of %d, API read %s of %d, write %s, sign-in %s; writes %s; sign-ins %s", r.importTook.Round(time.Millisecond),
					r.maxPage.Round(time.Millisecond), r.pages, r.maxRead.Round(time.Millisecond), r.reads, r.maxWrite.Round(time.Millisecond),
					r.maxSignIn.Round(time.Millisecond), codes(r.writes), codes(r.signIns))
				b.ReportMetric(r.importTook.Seconds(), "s/import")
				b.ReportMetric(float64(r.maxPage.Milliseconds()), "max-page-ms")
				b.ReportMetric(float64(r.maxRead.Milliseconds()), "max-api-read-ms")
			}
		})
	}
}
