package web_test

import (
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/password"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// heapPeak samples the heap's size until stop is called, which returns the
// largest value seen, in bytes: live objects and those not yet swept. An
// argon2id hash holds its memory for its whole run (a hundred or more
// milliseconds), so sampling every millisecond sees every one.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// Fifty concurrent sign-ins with the production argon2id costs (64 MiB
// each): on one account from one address, only the limit's five are
// checked; on fifty accounts from fifty addresses, which no limit stops,
// at most two hashes run at once and the rest wait briefly or are told to
// come back, so that the heap stays far below 50 × 64 MiB.
func TestConcurrentSignInsAreCountedFirstAndHashedFewAtATime(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with 64 MiB")
	}
	const mib = 1 << 20
	p := password.Default
	perHash := uint64(p.Memory) * 1024
	// The server's two hashing slots, and 64 MiB for the rest of the
	// process (the test's own database and server included): the hasher
	// collects a hash's garbage before its slot takes another.
	bound := 2*perHash + 64*mib
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{TrustProxy: true, PasswordParams: p})
		id, old, err := a.db.Credentials(ctx(), st.AlphaAdmin)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := password.Hash(st.Password, p)
		if err := a.db.UpgradePasswordHash(ctx(), id, old, h); err != nil {
			t.Fatal(err)
		}
		fire := func(name string, account, address func(i int) string) map[int]int {
			// Each client has its sign-in form before the burst starts.
			users := make([]*user, 50)
			for i := range users {
				users[i] = a.anon()
				users[i].get("/login")
			}
			runtime.GC()
			stop := heapPeak()
			var mu sync.Mutex
			statuses := map[int]int{}
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, u := range users {
				wg.Go(func() {
					<-start
					req := signInRequest(u, account(i), "wrong password")
					req.Header.Set("X-Forwarded-For", address(i))
					res, err := u.c.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					res.Body.Close()
					if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
						t.Error("503 without Retry-After")
					}
					mu.Lock()
					statuses[res.StatusCode]++
					mu.Unlock()
				})
			}
			close(start)
			wg.Wait()
			peak := stop()
			t.Logf("%s: %v; peak heap %d MiB (bound %d MiB)", name, statuses, peak/mib, bound/mib)
			if peak > bound {
				t.Errorf("%s: peak heap %d MiB, over %d MiB", name, peak/mib, bound/mib)
			}
			return statuses
		}

		one := fire("one account, one address", func(int) string { return st.AlphaAdmin }, func(int) string { return "203.0.113.5" })
		// Five attempts are let through; a hash that found no slot in
		// time (a loaded machine) is answered 503, and is not counted.
		if one[http.StatusTooManyRequests] != 45 || one[http.StatusUnauthorized]+one[http.StatusServiceUnavailable] != 5 {
			t.Errorf("one account, one address: %v; want 5 let through (401 or 503), 45 refused (429)", one)
		}

		many := fire("fifty accounts and addresses",
			func(i int) string { return fmt.Sprintf("nobody%d@x.test", i) }, func(i int) string { return fmt.Sprintf("198.18.1.%d", i+1) })
		if many[http.StatusUnauthorized] < 2 || many[http.StatusUnauthorized]+many[http.StatusServiceUnavailable] != 50 {
			t.Errorf("fifty accounts and addresses: %v; want only 401 and 503", many)
		}
		// An attempt answered 503 was never checked, and does not count.
		rows, err := a.db.QueryRaw(ctx(), `SELECT attempts, COUNT(*) FROM sign_in_counters
			WHERE scope = 'account' AND subject LIKE 'nobody%' GROUP BY attempts`)
		if err != nil {
			t.Fatal(err)
		}
		counted := map[int]int{}
		for rows.Next() {
			var attempts, n int
			rows.Scan(&attempts, &n)
			counted[attempts] = n
		}
		rows.Close()
		if counted[1] != many[http.StatusUnauthorized] || counted[0] != many[http.StatusServiceUnavailable] {
			t.Errorf("counted attempts %v, answers %v", counted, many)
		}
	})
}
