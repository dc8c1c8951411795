package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A server secret is made once and then read: the same for every caller,
// and one per name.
func TestServerSecretIsMadeOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		ctx := context.Background()
		first, err := db.ServerSecret(ctx, "csrf")
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.ServerSecret(ctx, "csrf")
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.ServerSecret(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 32 || !bytes.Equal(first, again) || bytes.Equal(first, other) {
			t.Errorf("csrf %x, then %x; other %x", first, again, other)
		}
	})
}

// Two servers on one SQLite file get the same secret.
func TestServerSecretIsSharedByTheDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var keys [][]byte
	for range 2 {
		db, err := store.Open(ctx, path, st.Clock)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		k, err := db.ServerSecret(ctx, "csrf")
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if !bytes.Equal(keys[0], keys[1]) {
		t.Errorf("two servers, two keys: %x and %x", keys[0], keys[1])
	}
}
