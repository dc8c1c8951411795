package store_test

import (
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func clientIDs(p *pd.ClientPage) []int64 {
	var ids []int64
	for _, c := range p.Clients {
		ids = append(ids, c.ID)
	}
	return ids
}

// A partner admin assigns several of its clients to an employee and
// unassigns them, each change audited; the Clients list then filters by
// that employee, and the client panel names who is assigned.
func TestPartnerAdminAssignsClientsToAnEmployee(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		alice := st.As(st.AlphaAdmin)
		// Initech is already assigned: only Northwind and Globex change.
		n, err := db.Assign(alice, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Northwind, st.Globex, st.Initech, st.Globex}})
		if err != nil || n != 2 {
			t.Fatalf("assign: %d %v", n, err)
		}
		page, err := db.ListClients(alice, pd.ClientFilter{Employee: st.AlphaEmployeeID})
		if err != nil {
			t.Fatal(err)
		}
		if got := clientIDs(page); len(got) != 4 || page.Total != 4 {
			t.Fatalf("Emil's clients after assigning: %v (total %d)", got, page.Total)
		}
		d, err := db.Client(alice, st.Northwind)
		if err != nil || len(d.Assignees) != 1 || d.Assignees[0].ID != st.AlphaEmployeeID {
			t.Fatalf("Northwind's assignees: %+v %v", d, err)
		}
		if n, err := db.Assign(alice, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Northwind, st.Umbrella}, Remove: true}); err != nil || n != 2 {
			t.Fatalf("unassign: %d %v", n, err)
		}
		page, err = db.ListClients(alice, pd.ClientFilter{Employee: st.AlphaEmployeeID})
		if err != nil {
			t.Fatal(err)
		}
		if got := clientIDs(page); len(got) != 2 || got[0] != st.Initech || got[1] != st.Globex {
			t.Fatalf("Emil's clients after unassigning: %v", got)
		}
		// The employee's own view agrees.
		mine, err := db.ListClients(st.As(st.AlphaEmployee), pd.ClientFilter{AssignedToMe: true})
		if err != nil || len(mine.Clients) != 2 {
			t.Fatalf("assigned to me: %+v %v", mine, err)
		}
		as, err := db.Assignments(alice)
		if err != nil || len(as) != 2 || as[0].Name != "Globex Corp" || as[1].Name != "Initech" {
			t.Fatalf("users page assignments: %+v %v", as, err)
		}
		us, err := db.ListUsers(alice)
		if err != nil {
			t.Fatal(err)
		}
		if emil := user(t, us, st.AlphaEmployee); emil == nil || emil.Assigned != 2 {
			t.Fatalf("Emil on the users page: %+v", emil)
		}
		log, _, err := db.AuditLog(alice, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, a := range log {
			counts[a.Action]++
		}
		if counts["assign_client"] != 2 || counts["unassign_client"] != 2 {
			t.Fatalf("audit: %v", counts)
		}
	})
}

// Only a partner admin assigns, only its own employees to its own active
// clients; a refused change changes nothing.
func TestAssignmentStaysWithinThePartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		cases := []struct {
			name string
			as   string
			a    pd.Assignment
			code string
		}{
			{"an employee", st.AlphaEmployee, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Northwind}}, pd.EForbidden},
			{"another partner's admin", st.BetaAdmin, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Hooli}}, pd.ENotFound},
			{"another partner's client", st.AlphaAdmin, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Northwind, st.Hooli}}, pd.ENotFound},
			{"an ended client", st.AlphaAdmin, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.OldClient}}, pd.ENotFound},
			{"an admin as assignee", st.AlphaAdmin, pd.Assignment{UserID: st.AlphaAdminID, ClientIDs: []int64{st.Northwind}}, pd.EInvalid},
			{"another partner's user", st.AlphaAdmin, pd.Assignment{UserID: st.BetaAdminID, ClientIDs: []int64{st.Northwind}}, pd.ENotFound},
			{"vendor staff", st.AdminEmail, pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Northwind}}, pd.EForbidden},
			{"no client", st.AlphaAdmin, pd.Assignment{UserID: st.AlphaEmployeeID}, pd.EInvalid},
		}
		for _, c := range cases {
			ctx := st.As(c.as)
			if c.as == st.AdminEmail {
				ctx = pd.WithViewedPartner(ctx, st.AlphaID)
			}
			if _, err := db.Assign(ctx, c.a); pd.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		page, err := db.ListClients(st.As(st.AlphaAdmin), pd.ClientFilter{Employee: st.AlphaEmployeeID})
		if err != nil || page.Total != 2 {
			t.Fatalf("Emil's clients after the refusals: %+v %v", page, err)
		}
		// On a client Alpha shares with Beta, Alpha's assignment is Alpha's
		// alone: Beta's list filtered by Alpha's employee finds nothing,
		// and Beta's panel names no one.
		st.LoadShared(t, db)
		if _, err := db.Assign(st.As(st.AlphaAdmin), pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Stark}}); err != nil {
			t.Fatal(err)
		}
		page, err = db.ListClients(st.As(st.BetaAdmin), pd.ClientFilter{Employee: st.AlphaEmployeeID})
		if err != nil || page.Total != 0 {
			t.Fatalf("Beta filtered by Alpha's employee: %+v %v", page, err)
		}
		if d, err := db.Client(st.As(st.BetaAdmin), st.Stark); err != nil || len(d.Assignees) != 0 {
			t.Fatalf("Beta's panel of Stark: %+v %v", d, err)
		}
	})
}
