package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var limits = store.DefaultSignInLimits

// reserve counts an attempt and reports whether it was let through.
func reserve(t *testing.T, db *store.DB, account, address string) (store.SignInReservation, bool) {
	t.Helper()
	r, err := db.ReserveSignIn(context.Background(), limits, account, address)
	if err != nil {
		t.Fatal(err)
	}
	return r, r.RetryAfter == 0
}

// fail makes n failed attempts and returns how many were let through.
func fail(t *testing.T, db *store.DB, n int, account string, address func(i int) string) int {
	t.Helper()
	through := 0
	for i := range n {
		if _, ok := reserve(t, db, account, address(i)); ok {
			through++
		}
	}
	return through
}

func TestConcurrentSignInAttemptsAreReservedBeforeTheCheck(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		var wg sync.WaitGroup
		var mu sync.Mutex
		through, refused := 0, 0
		for range 50 {
			wg.Go(func() {
				r, err := db.ReserveSignIn(context.Background(), limits, "owner@x.test", "192.0.2.1")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case r.RetryAfter == 0:
					through++
				case r.RetryAfter <= limits.AccountAddress.Window:
					refused++
				default:
					t.Errorf("refused for %s", r.RetryAfter)
				}
			})
		}
		wg.Wait()
		if through != limits.AccountAddress.Max || refused != 50-through {
			t.Errorf("50 concurrent attempts: %d let through, %d refused; want %d through", through, refused, limits.AccountAddress.Max)
		}

		// Attempts that share some of their counters, counted and given
		// back at once, neither deadlock nor fail.
		for i := range 60 {
			wg.Go(func() {
				ctx := context.Background()
				r, err := db.ReserveSignIn(ctx, limits, fmt.Sprintf("u%d@x.test", i%3), fmt.Sprintf("192.0.2.%d", 10+i%4))
				if err == nil && r.RetryAfter == 0 {
					if i%2 == 0 {
						err = db.SignInSucceeded(ctx, limits, r)
					} else {
						err = db.CancelSignIn(ctx, r)
					}
				}
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	})
}

func TestSignInLimitsWindowsAndKnownAddresses(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := st.Now
		db := e.Open(t, func() time.Time { return now })
		ctx := context.Background()
		const owner = "owner@x.test"
		const home = "198.51.100.7"

		// The owner signs in from home once: home is known to the account.
		r, ok := reserve(t, db, owner, home)
		if !ok {
			t.Fatal("first attempt refused")
		}
		if err := db.SignInSucceeded(ctx, limits, r); err != nil {
			t.Fatal(err)
		}

		// One address: five failures on the account, then it waits for
		// the window of the first to end.
		now = now.Add(time.Minute)
		if n := fail(t, db, 7, owner, func(int) string { return "203.0.113.5" }); n != 5 {
			t.Errorf("one address let %d failures through, want 5", n)
		}
		if r, _ := reserve(t, db, owner, "203.0.113.5"); r.RetryAfter != 15*time.Minute {
			t.Errorf("retry after %s, want 15m (the window of the first failure)", r.RetryAfter)
		}
		now = now.Add(15 * time.Minute)
		if _, ok := reserve(t, db, owner, "203.0.113.5"); !ok {
			t.Error("a new window is refused")
		}

		// Many addresses: the account's budget of 100 a day is spent
		// (the six above count too)...
		through := fail(t, db, 120, owner, func(i int) string { return fmt.Sprintf("10.1.%d.%d", i/200, i%200) })
		if through != 100-6 {
			t.Errorf("many addresses let %d failures through, want %d", through, 100-6)
		}
		// ...which refuses every new address for a day...
		if r, _ := reserve(t, db, owner, "192.0.2.99"); r.RetryAfter <= 23*time.Hour {
			t.Errorf("a new address on the attacked account: retry after %s, want about a day", r.RetryAfter)
		}
		// ...but not the owner's home, judged by its own counter only,
		r, ok = reserve(t, db, owner, home)
		if !ok {
			t.Fatal("the owner's known address is locked out")
		}
		if err := db.SignInSucceeded(ctx, limits, r); err != nil {
			t.Fatal(err)
		}
		// which still stops a guesser at that address after five failures.
		if n := fail(t, db, 6, owner, func(int) string { return home }); n != 5 {
			t.Errorf("the known address let %d failures through, want 5", n)
		}
		// Other accounts are not affected.
		if _, ok := reserve(t, db, "other@x.test", "192.0.2.99"); !ok {
			t.Error("another account is refused")
		}
	})
}

func TestSignInAddressLimitAndIPv6Prefix(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		// Twenty failures from one /64, on twenty accounts and as many
		// addresses inside it, close the /64.
		for i := range 20 {
			if _, ok := reserve(t, db, fmt.Sprintf("user%d@x.test", i), fmt.Sprintf("2001:db8:1:2::%x", i+1)); !ok {
				t.Fatalf("failure %d refused", i+1)
			}
		}
		if _, ok := reserve(t, db, "user99@x.test", "2001:db8:1:2:ffff::1"); ok {
			t.Error("the 21st failure from the same /64 let through")
		}
		if _, ok := reserve(t, db, "user99@x.test", "2001:db8:1:3::1"); !ok {
			t.Error("another /64 refused")
		}
	})
}

func TestSignInGiveBack(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		ctx := context.Background()
		// Attempts whose password was never checked do not count.
		for range 10 {
			r, ok := reserve(t, db, "a@x.test", "192.0.2.1")
			if !ok {
				t.Fatal("an attempt given back still counts")
			}
			if err := db.CancelSignIn(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// Four typos, then the right password: the typos are forgotten.
		fail(t, db, 4, "a@x.test", func(int) string { return "192.0.2.1" })
		r, _ := reserve(t, db, "a@x.test", "192.0.2.1")
		if err := db.SignInSucceeded(ctx, limits, r); err != nil {
			t.Fatal(err)
		}
		if n := fail(t, db, 6, "a@x.test", func(int) string { return "192.0.2.1" }); n != 5 {
			t.Errorf("after a sign-in %d failures let through, want 5", n)
		}
	})
}

func TestPurgeSignInCounters(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := st.Now
		db := e.Open(t, func() time.Time { return now })
		ctx := context.Background()
		r, _ := reserve(t, db, "a@x.test", "192.0.2.1")
		if err := db.SignInSucceeded(ctx, limits, r); err != nil {
			t.Fatal(err)
		}
		reserve(t, db, "b@x.test", "192.0.2.2")
		purge := func() int64 {
			n, err := db.PurgeSignInCounters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := purge(); n != 0 {
			t.Errorf("purged %d live counters", n)
		}
		// After a day both accounts' windows have ended: five rows go,
		// and the known address stays until its 90 days are over.
		now = now.Add(24 * time.Hour)
		if n := purge(); n != 5 {
			t.Errorf("after a day purged %d, want 5", n)
		}
		now = now.Add(limits.Known)
		if n := purge(); n != 1 {
			t.Errorf("after 90 days purged %d, want 1", n)
		}
	})
}
