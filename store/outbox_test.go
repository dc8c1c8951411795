package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// invite queues n invitations (n emails) as the program admin.
func invite(t *testing.T, db *store.DB, n int) {
	t.Helper()
	mail := composer(t)
	for i := range n {
		if _, err := db.InviteUser(st.Admin(), mail, pd.Invitation{Email: fmt.Sprintf("staff%02d@vendor.test", i),
			Name: fmt.Sprintf("Staff %d", i), Role: pd.RoleRenewalManager}); err != nil {
			t.Fatal(err)
		}
	}
}

// Workers claiming at once, through two handles on one database as two
// servers have, never get the same message; a claim that ran out is taken
// again, and its first holder can no longer record an outcome.
func TestOutboxClaimsNeverOverlap(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		one, two := e.OpenTwo(t, clock.Now)
		st.Load(t, one)
		invite(t, one, 30)
		ctx := context.Background()
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			db := one
			if w%2 == 1 {
				db = two
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				claim := fmt.Sprintf("worker-%d", w)
				for {
					ms, err := db.ClaimEmails(ctx, claim, time.Minute, 3)
					if err != nil {
						errs <- err
						return
					}
					if len(ms) == 0 {
						return
					}
					mu.Lock()
					for _, m := range ms {
						if other, dup := seen[m.ID]; dup {
							errs <- fmt.Errorf("email %d claimed by %s and %s", m.ID, other, claim)
						}
						seen[m.ID] = claim
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(seen) != 30 {
			t.Fatalf("%d emails claimed, want 30", len(seen))
		}
		// Everything is claimed: nothing more until the claims run out.
		if ms, err := one.ClaimEmails(ctx, "late", time.Minute, 50); err != nil || len(ms) != 0 {
			t.Fatalf("while claimed: %d %v", len(ms), err)
		}
		clock.Advance(time.Minute)
		again, err := two.ClaimEmails(ctx, "second", time.Minute, 50)
		if err != nil || len(again) != 30 || again[0].Attempts != 2 {
			t.Fatalf("after the claims ran out: %d %v", len(again), err)
		}
		m := again[0]
		if err := one.EmailSent(ctx, m.ID, seen[m.ID]); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("an outcome from a claim that ran out: %v", err)
		}
		if err := two.EmailSent(ctx, m.ID, "second"); err != nil {
			t.Fatal(err)
		}
		if err := two.EmailNotSent(ctx, again[1].ID, "second", "450 mailbox busy", clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := two.EmailNotSent(ctx, again[2].ID, "second", "550 no such user", time.Time{}); err != nil {
			t.Fatal(err)
		}
		counts, err := one.OutboxCounts(ctx)
		if err != nil || counts[pd.OutboxSent] != 2 || counts[pd.OutboxFailed] != 1 || counts[pd.OutboxQueued] != 28 { // sent: one, and the fixture's digest
			t.Errorf("counts: %v %v", counts, err)
		}
		got, err := one.OutboxEmail(st.Admin(), again[1].ID)
		if err != nil || got.Status != pd.OutboxQueued || got.LastError != "450 mailbox busy" || !got.NextAttempt.Equal(clock.Now().Add(time.Hour)) {
			t.Errorf("a message to retry: %+v %v", got, err)
		}
		// Only a program admin reads the outbox.
		if _, _, err := one.ListOutbox(st.As(st.ManagerEmail), 0, 10); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner manager lists the outbox: %v", err)
		}
		if _, err := one.OutboxEmail(st.As(st.AlphaAdmin), m.ID); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin reads an email: %v", err)
		}
		// Thirty days on, the daily refresh's purge deletes them.
		clock.Advance(store.OutboxRetention + time.Hour)
		if n, err := one.PurgeOutbox(ctx); err != nil || n != 31 {
			t.Errorf("purged %d, %v; want 31", n, err)
		}
	})
}
