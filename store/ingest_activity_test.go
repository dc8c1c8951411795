package store_test

import (
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Partner users' activity in a client's account is stored only when each
// user belongs to one of the client's partners, all or nothing; a client
// shared by two partners shows each partner its own people only; the
// users page shows each one's last activity.
func TestActivityIsAttributedToTheUsersPartnerOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		st.LoadShared(t, db)
		ingest := func(recs ...pd.ActivityRecord) (pd.IngestResult, error) {
			return db.Ingest(adminCtx(), false, func(in *store.Ingest) error { return in.Activity(recs, 0) })
		}
		day := pd.DateOf(st.Now, time.UTC).AddDays(-1)
		stark := "acct-stark.example"
		good := []pd.ActivityRecord{
			{Client: stark, Day: day, User: "Employee@Alpha.test", Actions: 12},
			{Client: stark, Day: day.AddDays(-3), User: st.AlphaEmployee, Actions: 3},
			{Client: stark, Day: day.AddDays(-2), User: st.BetaAdmin, Actions: 40},
			{Client: "acct-northwind.example", Day: day.AddDays(-5), User: st.AlphaEmployee, Actions: 1},
		}
		// One bad record among good ones: nothing is written.
		cases := []struct {
			name  string
			bad   pd.ActivityRecord
			field string
			code  string
		}{
			{"an unknown email", pd.ActivityRecord{Client: stark, Day: day, User: "nobody@alpha.test", Actions: 1}, "user", pd.ENotFound},
			{"another partner's user", pd.ActivityRecord{Client: "acct-northwind.example", Day: day, User: st.BetaAdmin, Actions: 1}, "user", pd.EInvalid},
			{"a vendor user", pd.ActivityRecord{Client: stark, Day: day, User: st.AdminEmail, Actions: 1}, "user", pd.ENotFound},
			{"an unknown client", pd.ActivityRecord{Client: "acct-nobody", Day: day, User: st.AlphaEmployee, Actions: 1}, "client", pd.ENotFound},
			{"negative actions", pd.ActivityRecord{Client: stark, Day: day, User: st.AlphaEmployee, Actions: -1}, "actions", pd.EInvalid},
			{"no email", pd.ActivityRecord{Client: stark, Day: day, User: "", Actions: 1}, "user", pd.EInvalid},
		}
		for _, c := range cases {
			_, err := ingest(append(append([]pd.ActivityRecord{}, good...), c.bad)...)
			be := pd.AsBatchError(err)
			if be == nil || len(be.Problems) != 1 || be.Problems[0].Index != len(good) || be.Problems[0].Field != c.field || be.Problems[0].Code != c.code {
				t.Errorf("%s: %v, want a %s problem with record %d's %s", c.name, err, c.code, len(good), c.field)
			}
		}
		if n := scalar[int64](t, db, "SELECT COUNT(*) FROM partner_activity"); n != 0 {
			t.Fatalf("%d activity days stored by rejected loads", n)
		}
		res, err := ingest(good...)
		if err != nil || res.Created != 4 {
			t.Fatalf("good load: %+v %v", res, err)
		}
		if res, err := ingest(good[0]); err != nil || res.Unchanged != 1 {
			t.Errorf("repeat: %+v %v", res, err)
		}

		alpha, err := db.Client(st.As(st.AlphaAdmin), st.Stark)
		if err != nil {
			t.Fatal(err)
		}
		if len(alpha.People) != 1 || alpha.People[0].Email != st.AlphaEmployee || alpha.People[0].Last != day ||
			alpha.People[0].Days != 2 || alpha.People[0].Actions != 15 {
			t.Errorf("Alpha's people on Stark: %+v", alpha.People)
		}
		beta, err := db.Client(st.As(st.BetaAdmin), st.Stark)
		if err != nil {
			t.Fatal(err)
		}
		if len(beta.People) != 1 || beta.People[0].Email != st.BetaAdmin || beta.People[0].Actions != 40 {
			t.Errorf("Beta's people on Stark: %+v", beta.People)
		}
		us, err := db.ListUsers(st.As(st.AlphaAdmin))
		if err != nil {
			t.Fatal(err)
		}
		if emil := user(t, us, st.AlphaEmployee); emil == nil || emil.LastActivity != day || emil.Assigned != 2 {
			t.Errorf("Emil on the users page: %+v", emil)
		}
		if alice := user(t, us, st.AlphaAdmin); alice == nil || !alice.LastActivity.IsZero() {
			t.Errorf("Alice on the users page: %+v", alice)
		}
	})
}
