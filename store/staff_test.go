package store_test

import (
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func TestStaffAndTeamsAreProgramAdminOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		staff, teams, err := db.ListStaff(admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(staff) != 4 || teams[1] != 1 || teams[2] != 1 || teams[st.Petra] != 0 {
			t.Errorf("staff %+v, teams %v", staff, teams)
		}
		manager := as(&pd.Principal{UserID: 5, Role: pd.RolePartnerManager, StaffID: 1}, 0)
		if _, _, err := db.ListStaff(manager); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner manager listing staff: %v", err)
		}
		if err := db.AssignTeam(as(alphaAdmin, 0), st.BetaID, 1, 0); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin assigning a team: %v", err)
		}

		petra := pd.Staff{ID: st.Petra, Name: "Petra Pereira-Lund", Email: "Petra@Vendor.test", Description: "Workshops.",
			PhotoURL: "https://photos.example/p.jpg", Role: pd.RoleProgramAdmin}
		for _, bad := range []func(s *pd.Staff){
			func(s *pd.Staff) { s.Email = "not an email" },
			func(s *pd.Staff) { s.Name = " " },
			func(s *pd.Staff) { s.PhotoURL = "javascript:alert(1)" },
			func(s *pd.Staff) { s.PhotoURL = "http://photos.example/p.jpg" },
			func(s *pd.Staff) { s.PhotoURL = "//evil.example/p.jpg" },
		} {
			s := petra
			bad(&s)
			if err := db.SaveStaff(admin, s); pd.ErrorCode(err) != pd.EInvalid {
				t.Errorf("saving %+v: %v, want invalid", s, err)
			}
		}
		if err := db.SaveStaff(admin, petra); err != nil {
			t.Fatal(err)
		}
		got, err := db.Staff(admin, st.Petra)
		if err != nil || got.Name != "Petra Pereira-Lund" || got.Email != "petra@vendor.test" || got.Role != pd.RolePartnerConsultant {
			t.Errorf("saved profile: %+v %v (the role must not change)", got, err)
		}
		if _, err := db.Staff(admin, 999); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("unknown staff: %v", err)
		}
		id, err := db.CreateStaff(admin, pd.Staff{Name: "Rob Renew", Email: "rob@vendor.test", Role: pd.RoleRenewalManager})
		if err != nil || id == 0 {
			t.Fatalf("create staff: %d %v", id, err)
		}

		// Beta gets Maya and Petra; a consultant must be a consultant.
		if err := db.AssignTeam(admin, st.BetaID, 1, 1); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("a manager as consultant: %v", err)
		}
		if err := db.AssignTeam(admin, 99, 1, st.Petra); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("unknown partner: %v", err)
		}
		if err := db.AssignTeam(admin, st.BetaID, 1, st.Petra); err != nil {
			t.Fatal(err)
		}
		p, err := db.Partner(as(betaAdmin, 0))
		if err != nil || p.Manager == nil || p.Manager.Name != "Maya Manager" || p.Consultant == nil || p.Consultant.PhotoURL != "https://photos.example/p.jpg" {
			t.Errorf("Beta's team: %+v %v", p, err)
		}
		log, _, _ := db.AuditLog(as(betaAdmin, 0), 0, 5)
		if len(log) != 1 || log[0].Action != "assign_team" || log[0].ActorName != "Ada Admin" || log[0].Detail != "Maya Manager; Petra Pereira-Lund" {
			t.Errorf("Beta's audit log: %+v", log)
		}
		if err := db.AssignTeam(admin, st.BetaID, 0, 0); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.Partner(as(betaAdmin, 0)); p.Manager != nil || p.Consultant != nil {
			t.Errorf("Beta's team after unassigning: %+v", p)
		}
	})
}
