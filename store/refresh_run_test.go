package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A claim of the day's refresh is a lease: renewed, it keeps the day; left
// to run out, another worker takes the day over and is told from whom, and
// the first worker can neither renew nor record it any more.
func TestARefreshClaimIsALeaseTakenOverOnceItRunsOut(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		ctx := context.Background()
		db := e.Open(t, nil) // leases run out by the real clock
		day := pd.DateOf(st.Now, time.UTC)
		const lease = 300 * time.Millisecond
		a, err := db.ClaimRefresh(ctx, day, "host/1", false, lease)
		if err != nil || a == nil || a.TookOverFrom != "" {
			t.Fatalf("the first claim: %+v %v", a, err)
		}
		for range 3 {
			time.Sleep(lease / 2)
			if err := db.RenewRefresh(ctx, a, lease); err != nil {
				t.Fatalf("renew: %v", err)
			}
			if b, err := db.ClaimRefresh(ctx, day, "host/2", false, lease); b != nil || err != nil {
				t.Fatalf("a renewed claim was taken: %+v %v", b, err)
			}
		}
		_, err = db.ClaimRefresh(ctx, day, "cli", true, lease)
		if msg := pd.ErrorMessage(err); pd.ErrorCode(err) != pd.EConflict || !strings.Contains(msg, "host/1") || !strings.Contains(msg, "lease runs until") {
			t.Errorf("forcing a running day: %v", err)
		}

		time.Sleep(lease + 50*time.Millisecond) // host/1 stops renewing
		b, err := db.ClaimRefresh(ctx, day, "host/2", false, lease)
		if err != nil || b == nil || b.TookOverFrom != "host/1" || b.LeaseRanOut.IsZero() || b.Attempt != 2 {
			t.Fatalf("taking over a lapsed claim: %+v %v", b, err)
		}
		if err := db.RenewRefresh(ctx, a, lease); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("renewing a claim taken over: %v, want ErrLeaseLost", err)
		}
		if err := db.FinishRefresh(ctx, a, "full", 1, nil); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("recording a claim taken over: %v, want ErrLeaseLost", err)
		}
		if err := db.FinishRefresh(ctx, b, "full", 2, nil); err != nil {
			t.Fatal(err)
		}
		runs, err := db.RefreshRuns(ctx, 1)
		if err != nil || len(runs) != 1 || runs[0].Worker != "host/2" || runs[0].Status != "done" || runs[0].Events != 2 {
			t.Errorf("the day's record: %+v %v", runs, err)
		}
	})
}
