package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func certNames(cs []pd.Certification) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.PartnerName+"/"+c.Name)
	}
	return strings.Join(s, ", ")
}

// Program admins add, edit and revoke certifications, each audited in the
// partner's log; partner managers read their partners' only; partner
// users reach none. The list filters by partner and status.
func TestCertificationsAreManagedByProgramAdmins(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin, manager := as(programAdmin, 0), as(partnerManager, 0)
		today := pd.DateOf(st.Now, time.UTC)
		c := pd.Certification{Name: "CRM Implementation", Holder: "Bob Beta", EarnedOn: today.AddDays(-10), ExpiresOn: today.AddDays(20)}
		for _, x := range []struct {
			name    string
			ctx     context.Context
			partner string
			c       pd.Certification
			code    string
		}{
			{"a partner manager", manager, "p-beta", c, pd.EForbidden},
			{"a partner admin", as(betaAdmin, 0), "p-beta", c, pd.EForbidden},
			{"an unknown partner", admin, "p-gamma", c, pd.EInvalid},
			{"no holder", admin, "p-beta", pd.Certification{Name: "X", EarnedOn: c.EarnedOn, ExpiresOn: c.ExpiresOn}, pd.EInvalid},
			{"expiring before it is earned", admin, "p-beta", pd.Certification{Name: "X", Holder: "Y", EarnedOn: c.ExpiresOn, ExpiresOn: c.EarnedOn}, pd.EInvalid},
			{"no dates", admin, "p-beta", pd.Certification{Name: "X", Holder: "Y"}, pd.EInvalid},
		} {
			if _, err := db.CreateCertification(x.ctx, x.partner, x.c); pd.ErrorCode(err) != x.code {
				t.Errorf("%s: %v, want %s", x.name, err, x.code)
			}
		}
		id, err := db.CreateCertification(admin, " p-beta ", c)
		if err != nil {
			t.Fatal(err)
		}

		list := func(ctx context.Context, f pd.CertificationFilter) string {
			t.Helper()
			cs, total, err := db.ListCertifications(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(cs) {
				t.Errorf("%+v: total %d for %d", f, total, len(cs))
			}
			return certNames(cs)
		}
		for _, x := range []struct {
			name string
			ctx  context.Context
			f    pd.CertificationFilter
			want string
		}{
			{"all, latest expiry first", admin, pd.CertificationFilter{}, "Alpha Agency/Inbound Marketing, Beta Works/CRM Implementation, Alpha Agency/Sales Enablement, Beta Works/Inbound Marketing"},
			{"a partner by name", admin, pd.CertificationFilter{Partner: "beta"}, "Beta Works/CRM Implementation, Beta Works/Inbound Marketing"},
			{"a partner by id", admin, pd.CertificationFilter{Partner: "p-alpha"}, "Alpha Agency/Inbound Marketing, Alpha Agency/Sales Enablement"},
			{"expiring within 30 days", admin, pd.CertificationFilter{Status: pd.CertExpiring, Within: 30}, "Beta Works/CRM Implementation"},
			{"expiring within 165 days, soonest first", admin, pd.CertificationFilter{Status: pd.CertExpiring, Within: 165}, "Beta Works/CRM Implementation, Alpha Agency/Inbound Marketing"},
			{"expired", admin, pd.CertificationFilter{Status: pd.CertExpired}, "Alpha Agency/Sales Enablement, Beta Works/Inbound Marketing"},
			{"valid", admin, pd.CertificationFilter{Status: pd.CertValid}, "Alpha Agency/Inbound Marketing, Beta Works/CRM Implementation"},
			{"a partner manager sees Alpha's only", manager, pd.CertificationFilter{}, "Alpha Agency/Inbound Marketing, Alpha Agency/Sales Enablement"},
		} {
			if got := list(x.ctx, x.f); got != x.want {
				t.Errorf("%s: %s, want %s", x.name, got, x.want)
			}
		}
		if _, _, err := db.ListCertifications(as(alphaAdmin, st.AlphaID), pd.CertificationFilter{}); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin listing: %v", err)
		}
		if _, _, err := db.ListCertifications(admin, pd.CertificationFilter{Status: "lapsed"}); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("an unknown status: %v", err)
		}
		if _, err := db.Certification(manager, id, false); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("a manager of Alpha reading Beta's: %v", err)
		}
		if _, err := db.Certification(manager, st.AlphaCertification, true); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a manager opening one to edit: %v", err)
		}

		edited := c
		edited.ID, edited.ExpiresOn, edited.Holder = id, today.AddDays(400), "Bob Beta Jr"
		if err := db.UpdateCertification(manager, edited); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a manager editing: %v", err)
		}
		if err := db.UpdateCertification(admin, edited); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeCertification(manager, id); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a manager revoking: %v", err)
		}
		now = st.Now.AddDate(0, 0, 2)
		if err := db.RevokeCertification(admin, id); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeCertification(admin, id); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("revoking twice: %v", err)
		}
		got, err := db.Certification(admin, id, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Holder != "Bob Beta Jr" || got.ExpiresOn != edited.ExpiresOn || got.RevokedOn != today.AddDays(2) {
			t.Errorf("after editing and revoking: %+v", got)
		}
		if l := list(admin, pd.CertificationFilter{Status: pd.CertRevoked}); l != "Beta Works/CRM Implementation" {
			t.Errorf("revoked: %s", l)
		}

		// The tier figures count it on the days before its revocation only.
		for d, want := range map[int]bool{1: true, 2: false} {
			in, err := db.TierInputs(admin, 0, today.AddDays(d), today.AddDays(-365), pd.Date{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range in {
				if p.PartnerID == st.BetaID && p.Certified != want {
					t.Errorf("Beta certified %d days on: %v, want %v", d, p.Certified, want)
				}
			}
		}

		log, _, err := db.AuditLog(as(betaAdmin, 0), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action+": "+e.Detail+" ("+e.ActorName+")")
		}
		want := []string{
			"certification_revoked: CRM Implementation held by Bob Beta Jr, revoked from " + today.AddDays(2).String() + " (Ada Admin)",
			"certification_edited: CRM Implementation: holder Bob Beta → Bob Beta Jr; expires " + today.AddDays(20).String() + " → " + today.AddDays(400).String() + " (Ada Admin)",
			"certification_added: CRM Implementation held by Bob Beta, earned " + today.AddDays(-10).String() + ", expires " + today.AddDays(20).String() + " (Ada Admin)",
		}
		if strings.Join(actions, "\n") != strings.Join(want, "\n") {
			t.Errorf("Beta's audit log:\n%s\nwant\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
		}
	})
}

// A partner's dashboard alert: its last valid certification expiring
// within 60 days, and nothing once another valid one lasts longer.
func TestCertificationEndingAlert(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		alpha := as(alphaAdmin, 0)
		if c, err := db.CertificationEnding(alpha); err != nil || c != nil {
			t.Fatalf("Alpha's certification expires in 165 days: %+v %v", c, err)
		}
		now = st.Now.AddDate(0, 0, 165-pd.CertificationAlertDays)
		c, err := db.CertificationEnding(alpha)
		if err != nil || c == nil || c.Name != "Inbound Marketing" {
			t.Fatalf("60 days before it expires: %+v %v", c, err)
		}
		if c, _ := db.CertificationEnding(as(betaAdmin, 0)); c != nil {
			t.Errorf("Beta holds none valid, so none ends: %+v", c)
		}
		today := pd.DateOf(now, time.UTC)
		if _, err := db.CreateCertification(as(programAdmin, 0), "p-alpha", pd.Certification{Name: "Sales", Holder: "Alice Alpha",
			EarnedOn: today, ExpiresOn: today.AddDays(365)}); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.CertificationEnding(alpha); c != nil {
			t.Errorf("with another valid for a year: %+v", c)
		}
	})
}
