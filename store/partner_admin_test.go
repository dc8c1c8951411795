package store_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var manager = &pd.Principal{UserID: 5, Name: "Maya Manager", Role: pd.RolePartnerManager, StaffID: 1}

// partnerNames lists the page's partners by name.
func partnerNames(p *pd.PartnerPage) []string {
	var out []string
	for _, l := range p.Lines {
		out = append(out, l.Name)
	}
	return out
}

// The list's figures are the refresh's snapshot's, its certification and
// renewal decisions today's; it filters, sorts by every column both ways,
// pages, and costs the same statements whatever the page size.
func TestPartnersListFiguresFiltersSortsAndPages(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		// A partner added after the refresh has no snapshot row: the entry
		// tier and no figures.
		if _, err := refresh.Run(context.Background(), db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreatePartner(admin, store.PartnerForm{Record: pd.PartnerRecord{ID: "p-gamma", Name: "gamma Group", Country: "US"},
			ConsultantID: 2}); err != nil {
			t.Fatal(err)
		}
		page, err := db.ListPartners(admin, pd.PartnerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := partnerNames(page); page.Total != 3 || !slices.Equal(got, []string{"Alpha Agency", "Beta Works", "gamma Group"}) {
			t.Fatalf("list: %v of %d", got, page.Total)
		}
		if page.AsOf != pd.DateOf(st.Now, time.UTC) {
			t.Errorf("figures as of %s", page.AsOf)
		}
		alpha, beta, gamma := page.Lines[0], page.Lines[1], page.Lines[2]
		if alpha.Tier != "gold" || alpha.Performance != "partner" || alpha.SoldCredit != st.AlphaSoldCredit ||
			alpha.ManagedMRR != st.AlphaManagedMRR || alpha.UsageX2 != 4 || !alpha.Certified || alpha.Manager == nil || alpha.Manager.ID != 1 {
			t.Errorf("Alpha's line: %+v", alpha)
		}
		if beta.Certified || beta.Tier != "silver" || gamma.Performance != "" || gamma.SoldCredit != 0 || gamma.Tier != "partner" ||
			gamma.Consultant == nil || gamma.Manager != nil {
			t.Errorf("Beta's line %+v, Gamma's %+v", beta, gamma)
		}
		// Renewal decisions due are each partner's Alerts count (the
		// refresh renewed those past their deadline).
		for _, l := range page.Lines {
			alerts, err := db.RenewalAlerts(as(programAdmin, l.ID))
			if err != nil {
				t.Fatal(err)
			}
			if l.Pending != alerts {
				t.Errorf("%s: %d decisions due, Alerts says %d", l.Name, l.Pending, alerts)
			}
		}
		if alpha.Pending == 0 {
			t.Errorf("Alpha has no decisions due")
		}

		if err := db.SetPartnerActive(admin, st.BetaID, false); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f    pd.PartnerFilter
			want []string
		}{
			{pd.PartnerFilter{Assigned: "gold"}, []string{"Alpha Agency"}},
			{pd.PartnerFilter{Performance: "partner"}, []string{"Alpha Agency", "Beta Works", "gamma Group"}},
			{pd.PartnerFilter{Performance: "gold"}, nil},
			{pd.PartnerFilter{Certified: "yes"}, []string{"Alpha Agency"}},
			{pd.PartnerFilter{Certified: "no"}, []string{"Beta Works", "gamma Group"}},
			{pd.PartnerFilter{Country: "DE"}, []string{"Beta Works"}},
			{pd.PartnerFilter{Team: "MAYA"}, []string{"Alpha Agency"}},
			{pd.PartnerFilter{Team: "colin@vendor"}, []string{"Alpha Agency", "gamma Group"}},
			{pd.PartnerFilter{Team: "rita"}, nil}, // a renewal manager, on no team
			{pd.PartnerFilter{Query: "p-bet"}, []string{"Beta Works"}},
			{pd.PartnerFilter{Query: "GAMMA"}, []string{"gamma Group"}},
			{pd.PartnerFilter{Status: "deactivated"}, []string{"Beta Works"}},
			{pd.PartnerFilter{Status: "active", Certified: "no"}, []string{"gamma Group"}},
			{pd.PartnerFilter{Sort: "pending", Performance: "partner", Desc: true, Limit: 2}, []string{"Alpha Agency", "Beta Works"}},
		} {
			p, err := db.ListPartners(admin, c.f)
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			total := 3
			if c.f.Limit == 0 {
				total = len(c.want)
			}
			if got := partnerNames(p); !slices.Equal(got, c.want) || p.Total != total {
				t.Errorf("%+v: %v of %d, want %v", c.f, got, p.Total, c.want)
			}
		}
		if p, _ := db.ListPartners(admin, pd.PartnerFilter{Status: "deactivated"}); len(p.Lines) != 1 || p.Lines[0].Active() {
			t.Errorf("Beta is not marked deactivated: %+v", p.Lines)
		}

		// Every sort, both ways: the list is in the order of its column,
		// ties by name.
		pol, err := db.TierPolicy(admin)
		if err != nil {
			t.Fatal(err)
		}
		key := func(sort string, l pd.PartnerLine) int64 {
			b := func(v bool) int64 {
				if v {
					return 1
				}
				return 0
			}
			switch sort {
			case "assigned":
				return int64(pol.Tier(l.Tier).Rank)
			case "performance":
				return int64(pol.Tier(l.Performance).Rank)
			case "sold":
				return l.SoldCredit
			case "managed":
				return l.ManagedMRR
			case "usage":
				return int64(l.UsageX2)
			case "certified":
				return b(l.Certified)
			case "pending":
				return int64(l.Pending)
			}
			return 0
		}
		text := func(sort string, l pd.PartnerLine) string {
			switch sort {
			case "country":
				return l.Country
			case "team": // the manager, then the consultant
				var m, c string
				if l.Manager != nil {
					m = l.Manager.Name
				}
				if l.Consultant != nil {
					c = l.Consultant.Name
				}
				return strings.ToLower(m + " " + c)
			}
			return ""
		}
		for _, sort := range pd.PartnerSorts {
			for _, desc := range []bool{false, true} {
				p, err := db.ListPartners(admin, pd.PartnerFilter{Sort: sort, Desc: desc})
				if err != nil {
					t.Fatal(err)
				}
				ordered := slices.IsSortedFunc(p.Lines, func(a, b pd.PartnerLine) int {
					c := cmp.Or(cmp.Compare(key(sort, a), key(sort, b)), cmp.Compare(text(sort, a), text(sort, b)))
					if sort == "name" {
						c = cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
					}
					if desc {
						c = -c
					}
					if c == 0 && sort != "name" {
						c = cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
					}
					return c
				})
				if !ordered || len(p.Lines) != 3 {
					t.Errorf("sort %s desc %v: %v", sort, desc, partnerNames(p))
				}
			}
		}
		if p, _ := db.ListPartners(admin, pd.PartnerFilter{Sort: "name", Desc: true}); partnerNames(p)[0] != "gamma Group" {
			t.Errorf("by name, descending: %v", partnerNames(p))
		}

		// Pages, and a page past the end, which still counts.
		for _, c := range []struct {
			offset int
			want   []string
		}{{1, []string{"Beta Works"}}, {5, nil}} {
			for _, sort := range []string{"name", "sold"} {
				p, err := db.ListPartners(admin, pd.PartnerFilter{Offset: c.offset, Limit: 1, Sort: sort})
				if err != nil {
					t.Fatal(err)
				}
				if got := partnerNames(p); p.Total != 3 || (c.want != nil && len(got) != 1) || c.want == nil && len(got) != 0 {
					t.Errorf("offset %d by %s: %v of %d", c.offset, sort, got, p.Total)
				}
			}
		}
		// One page costs the same statements, whatever its size.
		cost := func(limit int) int64 {
			q0 := db.Queries()
			if _, err := db.ListPartners(admin, pd.PartnerFilter{Limit: limit, Sort: "pending"}); err != nil {
				t.Fatal(err)
			}
			return db.Queries() - q0
		}
		if one, all := cost(1), cost(500); one != all || all > 2 {
			t.Errorf("a page of 1 costs %d statements, of 500 %d", one, all)
		}

		// A partner manager sees their partners; a partner's user none.
		if p, err := db.ListPartners(as(manager, 0), pd.PartnerFilter{}); err != nil || !slices.Equal(partnerNames(p), []string{"Alpha Agency"}) {
			t.Errorf("manager's list: %v %v", p, err)
		}
		if _, err := db.ListPartners(as(alphaAdmin, 0), pd.PartnerFilter{}); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin listing partners: %v", err)
		}
		for _, bad := range []pd.PartnerFilter{{Sort: "colour"}, {Certified: "maybe"}, {Country: "France"}, {Status: "gone"}, {Limit: 501}, {Team: strings.Repeat("x", 201)}} {
			if _, err := db.ListPartners(admin, bad); pd.ErrorCode(err) != pd.EInvalid {
				t.Errorf("filter %+v: %v, want invalid", bad, err)
			}
		}
	})
}

// Creating and editing a partner checks it as the API and CSV check a
// partner record, every problem at once; only program admins may.
func TestCreateAndEditPartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		bad := store.PartnerForm{Record: pd.PartnerRecord{ID: "p-new", Name: " ", Country: "France", Website: "javascript:alert(1)",
			CRMLinkTemplate: "crm.example/{domain}"}, ManagerID: 2, ConsultantID: 999}
		_, err := db.CreatePartner(admin, bad)
		be := pd.AsBatchError(err)
		if be == nil {
			t.Fatalf("bad form: %v", err)
		}
		var fields []string
		for _, p := range be.Problems {
			fields = append(fields, p.Field)
		}
		if want := []string{"name", "country", "website", "crm_link_template", "partner_manager", "partner_consultant"}; !slices.Equal(fields, want) {
			t.Errorf("problems of %v, want %v: %+v", fields, want, be.Problems)
		}
		dup := store.PartnerForm{Record: pd.PartnerRecord{ID: "p-alpha", Name: "Another Alpha"}}
		if _, err := db.CreatePartner(admin, dup); pd.AsBatchError(err) == nil || pd.AsBatchError(err).Problems[0].Field != "id" {
			t.Errorf("an id taken: %v", err)
		}
		for _, who := range []*pd.Principal{manager, alphaAdmin} {
			if _, err := db.CreatePartner(as(who, 0), store.PartnerForm{Record: pd.PartnerRecord{ID: "p-x", Name: "X"}}); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%s creating a partner: %v", who.Role, err)
			}
			if err := db.UpdatePartner(as(who, 0), st.AlphaID, store.PartnerForm{Record: pd.PartnerRecord{Name: "X"}}); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%s editing a partner: %v", who.Role, err)
			}
		}

		id, err := db.CreatePartner(admin, store.PartnerForm{Record: pd.PartnerRecord{ID: "p-delta", Name: "Delta Digital", Country: "NL",
			Website: "https://delta.example", CRMLinkTemplate: "https://crm.example/?d={domain}"}, ManagerID: 1})
		if err != nil {
			t.Fatal(err)
		}
		p, a, err := db.AdminPartner(admin, id)
		if err != nil || p.ExternalID != "p-delta" || p.Tier != "partner" || p.Manager == nil || p.Manager.ID != 1 || a != nil || !p.Active() {
			t.Fatalf("created: %+v %+v %v", p, a, err)
		}
		// The id stays whatever the form says; the team may change.
		edit := store.PartnerForm{Record: pd.PartnerRecord{ID: "p-other", Name: "Delta Digital BV", Country: "BE",
			Website: "https://delta.example"}, ConsultantID: 2}
		if err := db.UpdatePartner(admin, id, edit); err != nil {
			t.Fatal(err)
		}
		p, _, _ = db.AdminPartner(admin, id)
		if p.ExternalID != "p-delta" || p.Name != "Delta Digital BV" || p.Country != "BE" || p.CRMLinkTemplate != "" || p.Manager != nil ||
			p.Consultant == nil || p.Consultant.ID != 2 {
			t.Errorf("edited: %+v", p)
		}
		edit.Record.Website = "ftp://delta.example"
		if err := db.UpdatePartner(admin, id, edit); pd.AsBatchError(err) == nil {
			t.Errorf("a bad website: %v", err)
		}
		if err := db.UpdatePartner(admin, 999, edit); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("an unknown partner: %v", err)
		}
		es, _, err := db.ProgramAudit(admin, pd.AuditFilter{Partner: "p-delta"})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].Action != "update_partner" || es[1].Action != "create_partner" || es[0].ActorName != "Ada Admin" ||
			!strings.Contains(es[0].Detail, "name: Delta Digital → Delta Digital BV") || !strings.Contains(es[0].Detail, "country: NL → BE") ||
			!strings.Contains(es[0].Detail, "partner manager: Maya Manager → -") {
			t.Errorf("audit of the partner: %+v", es)
		}
	})
}

// A deactivated partner's users are signed out and cannot sign in, its
// read tokens stop, its data stays; reactivated, they sign in again.
func TestDeactivatedPartnersUsersCannotSignIn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		ctx := context.Background()
		sess, err := db.CreateSession(ctx, alphaAdmin.UserID, time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetPartnerActive(as(manager, 0), st.AlphaID, false); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner manager deactivating: %v", err)
		}
		if err := db.SetPartnerActive(admin, st.AlphaID, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionPrincipal(ctx, sess.Token); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("Alpha's session after deactivation: %v", err)
		}
		if _, err := db.CreateSession(ctx, alphaAdmin.UserID, time.Hour, "", ""); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("signing in to a deactivated partner: %v", err)
		}
		if _, err := db.TokenPrincipal(ctx, st.AlphaToken); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("Alpha's read token: %v", err)
		}
		// Beta's users and the vendor's are not concerned.
		for _, id := range []int64{betaAdmin.UserID, programAdmin.UserID} {
			if _, err := db.CreateSession(ctx, id, time.Hour, "", ""); err != nil {
				t.Errorf("user %d signing in: %v", id, err)
			}
		}
		if page, err := db.ListClients(as(programAdmin, st.AlphaID), pd.ClientFilter{}); err != nil || page.Total != 4 {
			t.Errorf("Alpha's clients while deactivated: %v %v", page, err)
		}
		if err := db.SetPartnerActive(admin, st.AlphaID, false); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("deactivating twice: %v", err)
		}
		if err := db.SetPartnerActive(admin, st.AlphaID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSession(ctx, alphaAdmin.UserID, time.Hour, "", ""); err != nil {
			t.Errorf("signing in after reactivation: %v", err)
		}
		es, _, err := db.ProgramAudit(admin, pd.AuditFilter{Partner: "p-alpha"})
		if err != nil || len(es) < 2 || es[0].Action != "reactivate_partner" || es[1].Action != "deactivate_partner" ||
			!strings.Contains(es[1].Detail, "1 sessions ended") {
			t.Errorf("audit: %+v %v", es, err)
		}
	})
}

// Invitations and a tier set by hand: checked, stored with the reason the
// Tier tab shows, audited; program admins only.
func TestInvitationAndTierSetByHand(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		for _, c := range []struct {
			a    pd.TierAssignment
			code string
		}{
			{pd.TierAssignment{Tier: "platinum", Reason: "  "}, pd.EInvalid},
			{pd.TierAssignment{Tier: "gold", Reason: "Already"}, pd.EInvalid},
			{pd.TierAssignment{Tier: "elite", Reason: "Star"}, pd.EInvalid}, // not invited
			{pd.TierAssignment{Tier: "bronze", Reason: "No such tier"}, pd.EInvalid},
			{pd.TierAssignment{Tier: "platinum", Reason: strings.Repeat("x", pd.MaxTextLen+1)}, pd.EInvalid},
		} {
			if _, _, err := db.CheckTierAssignment(admin, st.AlphaID, c.a); pd.ErrorCode(err) != c.code {
				t.Errorf("checking %q: %v", c.a.Tier, err)
			}
			if err := db.AssignTier(admin, st.AlphaID, c.a); pd.ErrorCode(err) != c.code {
				t.Errorf("assigning %q: %v", c.a.Tier, err)
			}
		}
		for _, who := range []*pd.Principal{manager, alphaAdmin} {
			if err := db.AssignTier(as(who, 0), st.AlphaID, pd.TierAssignment{Tier: "platinum", Reason: "x"}); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%s assigning a tier: %v", who.Role, err)
			}
			if err := db.SetInvited(as(who, 0), st.AlphaID, true); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%s inviting: %v", who.Role, err)
			}
		}
		if err := db.SetInvited(admin, st.AlphaID, false); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("withdrawing no invitation: %v", err)
		}
		if err := db.SetInvited(admin, st.AlphaID, true); err != nil {
			t.Fatal(err)
		}
		if err := db.AssignTier(admin, st.AlphaID, pd.TierAssignment{Tier: "elite", Reason: " Strategic launch partner. "}); err != nil {
			t.Fatal(err)
		}
		tab, err := db.TierTab(as(alphaAdmin, 0), pd.TierQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if r := tab.Report; r.Assigned.Code != "elite" || r.Assignment == nil || r.Assignment.Reason != "Strategic launch partner." ||
			r.Assignment.Before != "gold" || r.Assignment.By != "Ada Admin" || !r.Figures.Invited {
			t.Errorf("Tier tab: %+v %+v", r.Assigned, r.Assignment)
		}
		if err := db.SetInvited(admin, st.AlphaID, false); err != nil {
			t.Fatal(err)
		}
		// Set back by hand: the latest assignment is shown.
		if err := db.AssignTier(admin, st.AlphaID, pd.TierAssignment{Tier: "gold", Reason: "Invitation withdrawn."}); err != nil {
			t.Fatal(err)
		}
		if _, a, _ := db.AdminPartner(admin, st.AlphaID); a == nil || a.Tier != "gold" || a.Reason != "Invitation withdrawn." {
			t.Errorf("after setting it back: %+v", a)
		}
		es, _, err := db.ProgramAudit(admin, pd.AuditFilter{Partner: "p-alpha"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Action+": "+e.Detail)
		}
		want := []string{"assign_tier: Elite → Gold: Invitation withdrawn.", "withdraw_invitation: Alpha Agency: Elite",
			"assign_tier: Gold → Elite: Strategic launch partner.", "invite_partner: Alpha Agency: Elite"}
		if !slices.Equal(got[:min(len(got), 4)], want) {
			t.Errorf("audit: %q, want %q", got, want)
		}
		// The partner's own log has them too, not the program's entries.
		own, _, err := db.AuditLog(as(alphaAdmin, 0), 0, 50)
		if err != nil || len(own) < 4 || own[0].Action != "assign_tier" {
			t.Errorf("Alpha's own log: %+v %v", own, err)
		}
	})
}
