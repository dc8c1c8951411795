package store_test

import (
	"context"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func TestOptimizeRunsOnALoadedDatabase(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		if err := db.Optimize(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
