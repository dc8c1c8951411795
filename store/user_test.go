package store_test

import (
	"context"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Sessions past their expiry by the store's clock are deleted; live ones
// stay and still sign their user in.
func TestDeleteExpiredSessions(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		ctx := context.Background()
		user, _, err := db.Credentials(ctx, st.AlphaAdmin)
		if err != nil {
			t.Fatal(err)
		}
		var tokens []string
		for _, ttl := range []time.Duration{time.Hour, time.Hour, 48 * time.Hour} {
			s, err := db.CreateSession(ctx, user, ttl, "192.0.2.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, s.Token)
		}
		for _, step := range []struct {
			later   time.Duration
			deleted int64
		}{
			{0, 0},
			{time.Hour, 2}, // at its expiry a session has ended
			{time.Hour, 0},
			{47 * time.Hour, 1},
		} {
			now = now.Add(step.later)
			n, err := db.DeleteExpiredSessions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != step.deleted {
				t.Errorf("%s later: %d sessions deleted, want %d", now.Sub(st.Now), n, step.deleted)
			}
			if now.Sub(st.Now) == 2*time.Hour {
				if _, _, err := db.SessionPrincipal(ctx, tokens[2]); err != nil {
					t.Errorf("the live session no longer signs in: %v", err)
				}
				if _, _, err := db.SessionPrincipal(ctx, tokens[0]); pd.ErrorCode(err) != pd.EUnauthorized {
					t.Errorf("an expired session: %v", err)
				}
			}
		}
	})
}
