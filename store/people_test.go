package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func user(t *testing.T, us []pd.User, addr string) *pd.User {
	t.Helper()
	for i := range us {
		if us[i].Email == addr {
			return &us[i]
		}
	}
	return nil
}

// An invitation creates an invited user and queues its email in one
// transaction; its link sets the first password once, within seven days;
// a resent invitation ends the earlier link.
func TestInvitationIsAcceptedOnceWithinSevenDays(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		db := e.Open(t, clock.Now)
		st.Load(t, db)
		alice, mail := st.As(st.AlphaAdmin), composer(t)
		id, err := db.InviteUser(alice, mail, pd.Invitation{Email: " Nina@Alpha.test", Name: " Nina New ", Role: pd.RolePartnerEmployee})
		if err != nil {
			t.Fatal(err)
		}
		us, err := db.ListUsers(alice)
		if err != nil {
			t.Fatal(err)
		}
		nina := user(t, us, "nina@alpha.test")
		if nina == nil || nina.ID != id || nina.Status != pd.UserInvited || nina.Name != "Nina New" || nina.PartnerID != st.AlphaID ||
			!nina.LastSignIn.IsZero() || nina.InvitedAt.IsZero() {
			t.Fatalf("invited user: %+v", nina)
		}
		ms := st.Emails(t, db, "nina@alpha.test")
		if len(ms) != 1 || ms[0].Kind != pd.EmailInvitation {
			t.Fatalf("invitation emails: %+v", ms)
		}
		first := st.LinkToken(t, ms[0])
		if n, err := db.InvitationLink(context.Background(), first); err != nil || n.Partner != "Alpha Agency" || n.User.Email != "nina@alpha.test" {
			t.Fatalf("invitation page: %+v %v", n, err)
		}
		// Not accepted yet: no password signs in.
		if signsIn(t, db, "nina@alpha.test", "") {
			t.Fatal("an invited user signs in without a password")
		}

		// Resent: the first link no longer works.
		if err := db.ResendInvitation(alice, mail, id); err != nil {
			t.Fatal(err)
		}
		second := st.LinkToken(t, st.Emails(t, db, "nina@alpha.test")[0])
		if _, err := db.AcceptInvitation(context.Background(), first, hash(t, "first link passphrase")); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("the first link after a resend: %v", err)
		}
		got, err := db.AcceptInvitation(context.Background(), second, hash(t, "nina's own passphrase"))
		if err != nil || got != id {
			t.Fatalf("accept: %d %v", got, err)
		}
		if _, err := db.AcceptInvitation(context.Background(), second, hash(t, "a second acceptance")); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("accepted twice: %v", err)
		}
		if !signsIn(t, db, "nina@alpha.test", "nina's own passphrase") || signsIn(t, db, "nina@alpha.test", "a second acceptance") {
			t.Error("the accepted password does not sign in, or the second acceptance changed it")
		}
		if err := db.ResendInvitation(alice, mail, id); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("resending to an active user: %v", err)
		}
		log, _, err := db.AuditLog(alice, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			if e.EntityID == "nina@alpha.test" {
				actions = append(actions, e.Action+" by "+e.ActorName)
			}
		}
		if want := []string{"accept_invitation by Nina New", "resend_invitation by Alice Alpha", "invite_user by Alice Alpha"}; !equal(actions, want) {
			t.Errorf("audit: %q, want %q", actions, want)
		}

		// Seven days on, an invitation has expired.
		if _, err := db.InviteUser(alice, mail, pd.Invitation{Email: "late@alpha.test", Name: "Lee Late", Role: pd.RolePartnerAdmin}); err != nil {
			t.Fatal(err)
		}
		late := st.LinkToken(t, st.Emails(t, db, "late@alpha.test")[0])
		clock.Advance(pd.InvitationLinkTTL)
		if _, err := db.AcceptInvitation(context.Background(), late, hash(t, "too late a passphrase")); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("an expired invitation: %v", err)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// failingMailer renders nothing.
type failingMailer struct{}

var errNoTemplates = errors.New("templates gone")

func (failingMailer) Reset(pd.ResetNotice, string) (pd.Email, error) {
	return pd.Email{}, errNoTemplates
}
func (failingMailer) Invitation(pd.InvitationNotice, string) (pd.Email, error) {
	return pd.Email{}, errNoTemplates
}
func (failingMailer) Digest(pd.Digest) (pd.Email, error)   { return pd.Email{}, errNoTemplates }
func (failingMailer) Lead(pd.LeadNotice) (pd.Email, error) { return pd.Email{}, errNoTemplates }
func (failingMailer) ConfirmationLink(pd.LinkNotice, string) (pd.Email, error) {
	return pd.Email{}, errNoTemplates
}

// An invitation whose email cannot be queued is not stored either.
func TestInvitationAndItsEmailCommitTogether(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		alice := st.As(st.AlphaAdmin)
		if _, err := db.InviteUser(alice, failingMailer{}, pd.Invitation{Email: "ghost@alpha.test", Name: "Gus Ghost", Role: pd.RolePartnerEmployee}); err == nil {
			t.Fatal("invited without an email")
		}
		us, err := db.ListUsers(alice)
		if err != nil {
			t.Fatal(err)
		}
		if user(t, us, "ghost@alpha.test") != nil {
			t.Error("the user of a failed invitation was stored")
		}
	})
}

// A partner admin manages its own partner's people only, with partner
// roles only; an employee manages nobody; a program admin manages the
// vendor's staff users with staff roles, and any partner's; a partner
// manager reads the users of its partners and changes nothing.
func TestUsersStayWithinTheirTenant(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		mail := composer(t)
		alice, bob, emil, maya, ada := st.As(st.AlphaAdmin), st.As(st.BetaAdmin), st.As(st.AlphaEmployee), st.As(st.ManagerEmail), st.Admin()
		viewing := func(ctx context.Context, partner int64) context.Context { return pd.WithViewedPartner(ctx, partner) }
		emails := func(ctx context.Context) []string {
			t.Helper()
			us, err := db.ListUsers(ctx)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			var out []string
			for _, u := range us {
				out = append(out, u.Email)
			}
			return out
		}
		if got := emails(alice); !equal(got, []string{st.AlphaAdmin, st.AlphaEmployee}) {
			t.Errorf("Alice's users: %q", got)
		}
		// Bob names Alpha: he still gets Beta's.
		if got := emails(viewing(bob, st.AlphaID)); !equal(got, []string{st.BetaAdmin}) {
			t.Errorf("Bob viewing Alpha lists %q", got)
		}
		if got := emails(ada); !equal(got, []string{st.AdminEmail, st.ManagerEmail}) {
			t.Errorf("the vendor's users: %q", got)
		}
		if got := emails(viewing(maya, st.AlphaID)); !equal(got, []string{st.AlphaAdmin, st.AlphaEmployee}) {
			t.Errorf("Maya reading Alpha's users: %q", got)
		}

		cases := []struct {
			name string
			do   func() error
			code string
		}{
			{"Bob deactivates Alpha's employee", func() error { return db.DeactivateUser(bob, st.AlphaEmployeeID) }, pd.ENotFound},
			{"Bob changes Alpha's employee's role", func() error { return db.SetUserRole(bob, st.AlphaEmployeeID, pd.RolePartnerAdmin) }, pd.ENotFound},
			{"Bob resends to Alpha's employee", func() error { return db.ResendInvitation(viewing(bob, st.AlphaID), mail, st.AlphaEmployeeID) }, pd.ENotFound},
			{"Alice deactivates a vendor user", func() error { return db.DeactivateUser(alice, st.ManagerID) }, pd.ENotFound},
			{"Alice grants program admin", func() error { return db.SetUserRole(alice, st.AlphaEmployeeID, pd.RoleProgramAdmin) }, pd.EInvalid},
			{"Alice invites a program admin", func() error {
				_, err := db.InviteUser(alice, mail, pd.Invitation{Email: "evil@alpha.test", Name: "Eve", Role: pd.RoleProgramAdmin})
				return err
			}, pd.EInvalid},
			{"Alice invites a partner manager", func() error {
				_, err := db.InviteUser(alice, mail, pd.Invitation{Email: "evil@alpha.test", Name: "Eve", Role: pd.RolePartnerManager})
				return err
			}, pd.EInvalid},
			{"Alice deactivates herself", func() error { return db.DeactivateUser(alice, st.AlphaAdminID) }, pd.EForbidden},
			{"Alice changes her own role", func() error { return db.SetUserRole(alice, st.AlphaAdminID, pd.RolePartnerEmployee) }, pd.EForbidden},
			{"Emil lists users", func() error { _, err := db.ListUsers(emil); return err }, pd.EForbidden},
			{"Emil invites", func() error {
				_, err := db.InviteUser(emil, mail, pd.Invitation{Email: "x@alpha.test", Name: "X", Role: pd.RolePartnerEmployee})
				return err
			}, pd.EForbidden},
			{"Maya lists the vendor's users", func() error { _, err := db.ListUsers(maya); return err }, pd.EForbidden},
			{"Maya invites to Alpha", func() error {
				_, err := db.InviteUser(viewing(maya, st.AlphaID), mail, pd.Invitation{Email: "x@alpha.test", Name: "X", Role: pd.RolePartnerEmployee})
				return err
			}, pd.EForbidden},
			{"Maya reads Beta's users", func() error { _, err := db.ListUsers(viewing(maya, st.BetaID)); return err }, pd.ENotFound},
			{"Ada gives a vendor user a partner role", func() error { return db.SetUserRole(ada, st.ManagerID, pd.RolePartnerAdmin) }, pd.EInvalid},
			{"Ada deactivates Alpha's employee from the vendor's page", func() error { return db.DeactivateUser(ada, st.AlphaEmployeeID) }, pd.ENotFound},
			{"An existing email", func() error {
				_, err := db.InviteUser(alice, mail, pd.Invitation{Email: st.BetaAdmin, Name: "Bob Again", Role: pd.RolePartnerEmployee})
				return err
			}, pd.EConflict},
			{"No principal", func() error { _, err := db.ListUsers(context.Background()); return err }, pd.EUnauthorized},
		}
		for _, c := range cases {
			if err := c.do(); pd.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if got := emails(alice); !equal(got, []string{st.AlphaAdmin, st.AlphaEmployee}) {
			t.Errorf("after the refusals, Alice's users: %q", got)
		}
		if us, _ := db.ListUsers(alice); us[1].Role != pd.RolePartnerEmployee || us[1].Status != pd.UserActive {
			t.Errorf("Emil after the refusals: %+v", us[1])
		}

		// Ada invites a partner's first admin from its page, and a staff
		// user, linked to the staff profile with its email.
		if _, err := db.InviteUser(viewing(ada, st.BetaID), mail, pd.Invitation{Email: "second@beta.test", Name: "Bea Second", Role: pd.RolePartnerAdmin}); err != nil {
			t.Fatal(err)
		}
		if got := emails(bob); !equal(got, []string{"second@beta.test", st.BetaAdmin}) {
			t.Errorf("Beta's users after Ada's invitation: %q", got)
		}
		colin, err := db.InviteUser(ada, mail, pd.Invitation{Email: "colin@vendor.test", Name: "Colin Consultant", Role: pd.RolePartnerConsultant})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserRole(ada, colin, pd.RolePartnerManager); err != nil {
			t.Fatal(err)
		}
		got, err := db.AcceptInvitation(context.Background(), st.LinkToken(t, st.Emails(t, db, "colin@vendor.test")[0]), hash(t, "colin's own passphrase"))
		if err != nil || got != colin {
			t.Fatal(got, err)
		}
		s, err := db.CreateSession(context.Background(), colin, time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := db.SessionPrincipal(context.Background(), s.Token)
		if err != nil || p.StaffID != 2 || p.Role != pd.RolePartnerManager {
			t.Errorf("Colin signed in: %+v %v", p, err)
		}
		// Colin's staff profile is Alpha's consultant: he reads Alpha.
		if err := db.CanViewPartner(pd.WithPrincipal(context.Background(), p), st.AlphaID); err != nil {
			t.Errorf("Colin viewing Alpha: %v", err)
		}
	})
}

// Deactivation ends a user's sessions at once and keeps it from signing
// in, its history kept; reactivation lets it sign in again.
func TestDeactivatedUserIsOutAtOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ctx, alice := context.Background(), st.As(st.AlphaAdmin)
		s, err := db.CreateSession(ctx, st.AlphaEmployeeID, time.Hour, "192.0.2.3", "Safari")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionPrincipal(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		if err := db.DeactivateUser(alice, st.AlphaEmployeeID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionPrincipal(ctx, s.Token); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("the session after deactivation: %v", err)
		}
		if signsIn(t, db, st.AlphaEmployee, st.Password) {
			t.Error("a deactivated user signs in")
		}
		// A session made by a sign-in racing the deactivation works no
		// more than the others.
		late, err := db.CreateSession(ctx, st.AlphaEmployeeID, time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionPrincipal(ctx, late.Token); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("a session of a deactivated user: %v", err)
		}
		us, _ := db.ListUsers(alice)
		if emil := user(t, us, st.AlphaEmployee); emil == nil || emil.Status != pd.UserDeactivated || emil.LastSignIn.IsZero() {
			t.Errorf("Emil deactivated: %+v", emil)
		}
		// His history stays: the fixture's assignments and audit.
		if err := db.ReactivateUser(alice, st.AlphaEmployeeID); err != nil {
			t.Fatal(err)
		}
		if !signsIn(t, db, st.AlphaEmployee, st.Password) {
			t.Error("a reactivated user cannot sign in")
		}
		if _, _, err := db.SessionPrincipal(ctx, s.Token); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("reactivation revived an ended session: %v", err)
		}
		log, _, _ := db.AuditLog(alice, 0, 5)
		if len(log) < 2 || log[0].Action != "reactivate_user" || log[1].Action != "deactivate_user" || log[1].Detail != "1 sessions ended" {
			t.Errorf("audit: %+v", log)
		}
	})
}
