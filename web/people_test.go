package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

func usersURL(partner int) string { return fmt.Sprintf("/partners/%d/users", partner) }

// userRow is a users page's row of user id.
func userRow(body string, id int64) string {
	return regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-user="%d">.*?</tr>`, id)).FindString(body)
}

// A partner admin invites a colleague; the invitee opens the emailed link,
// sets a password and is signed in; the link cannot be used again; the
// users page and the audit log show it all.
func TestInvitationOverHTTP(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		body := alice.get(usersURL(st.AlphaID))
		if alice.status != http.StatusOK || !strings.Contains(userRow(body, st.AlphaEmployeeID), "Emil Employee") ||
			!strings.Contains(body, `aria-current="page">Users</a>`) {
			t.Fatalf("users page: %d\n%s", alice.status, mainText(body))
		}
		alice.post(usersURL(st.AlphaID), url.Values{"name": {"Nina New"}, "email": {"nina@alpha.test"}, "role": {"partner_admin"}})
		if alice.status != http.StatusSeeOther || alice.location != usersURL(st.AlphaID)+"?notice=invited" {
			t.Fatalf("invite: %d %s", alice.status, alice.location)
		}
		body = alice.get(alice.location)
		if !strings.Contains(body, "Invitation sent") || !strings.Contains(body, "nina@alpha.test") || !strings.Contains(body, "Invited") {
			t.Errorf("after inviting:\n%s", mainText(body))
		}
		ms := st.Emails(t, a.db, "nina@alpha.test")
		if len(ms) != 1 {
			t.Fatalf("%d invitation emails", len(ms))
		}
		link := st.LinkPath(t, ms[0])
		nina := a.anon()
		if body := nina.get(link); nina.status != http.StatusOK || !strings.Contains(body, "Alpha Agency") || !strings.Contains(body, "partner admin") {
			t.Fatalf("invitation page: %d\n%s", nina.status, mainText(body))
		}
		nina.post(link, url.Values{"password": {"nina's long passphrase"}})
		if nina.status != http.StatusSeeOther || nina.location != "/" {
			t.Fatalf("accept: %d %s", nina.status, nina.location)
		}
		nina.get("/")
		if nina.status != http.StatusSeeOther || nina.location != clientsURL(st.AlphaID) {
			t.Errorf("signed in after accepting: %d %s", nina.status, nina.location)
		}
		if body := nina.get(clientsURL(st.AlphaID)); nina.status != http.StatusOK || !strings.Contains(body, "Northwind") {
			t.Errorf("Nina's dashboard: %d", nina.status)
		}
		twice := a.anon()
		twice.get(link)
		twice.post(link, url.Values{"password": {"someone else's passphrase"}})
		if twice.status != http.StatusNotFound || signsIn(t, a, "nina@alpha.test", "someone else's passphrase") {
			t.Errorf("an invitation accepted twice: %d", twice.status)
		}
		body = alice.get(usersURL(st.AlphaID))
		if row := regexp.MustCompile(`(?s)<tr data-user="\d+">\s*<td>Nina New.*?</tr>`).FindString(body); !strings.Contains(row, "Active") || strings.Contains(row, "Never") {
			t.Errorf("Nina's row after accepting:\n%s", row)
		}
		audit := alice.get(fmt.Sprintf("/partners/%d/audit", st.AlphaID))
		for _, want := range []string{"Invited a user", "Accepted an invitation", "Nina New"} {
			if !strings.Contains(audit, want) {
				t.Errorf("the audit log lacks %q", want)
			}
		}
	})
}

// A partner admin changes roles within its partner's, deactivates (the
// user's open session stops at once) and reactivates; it cannot grant a
// vendor role, change itself, or reach another partner's users; an
// employee sees no users page.
func TestPartnerAdminManagesItsOwnPeopleOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice, emil, bob := a.signIn(st.AlphaAdmin), a.signIn(st.AlphaEmployee), a.signIn(st.BetaAdmin)
		emilURL := fmt.Sprintf("%s/%d", usersURL(st.AlphaID), st.AlphaEmployeeID)

		if body := emil.get(usersURL(st.AlphaID)); emil.status != http.StatusForbidden || strings.Contains(body, "admin@alpha.test") {
			t.Errorf("an employee's users page: %d", emil.status)
		}
		if body := emil.get(clientsURL(st.AlphaID)); strings.Contains(body, `/users"`) {
			t.Error("an employee's menu links to the users page")
		}
		for _, c := range []struct {
			name string
			path string
			form url.Values
			code int
		}{
			{"grant program admin", emilURL + "/role", url.Values{"role": {"program_admin"}}, http.StatusBadRequest},
			{"invite a partner manager", usersURL(st.AlphaID), url.Values{"name": {"Eve"}, "email": {"eve@alpha.test"}, "role": {"partner_manager"}}, http.StatusBadRequest},
			{"invite an existing email", usersURL(st.AlphaID), url.Values{"name": {"Bob"}, "email": {st.BetaAdmin}, "role": {"partner_employee"}}, http.StatusConflict},
			{"demote herself", fmt.Sprintf("%s/%d/role", usersURL(st.AlphaID), st.AlphaAdminID), url.Values{"role": {"partner_employee"}}, http.StatusForbidden},
			{"deactivate herself", fmt.Sprintf("%s/%d/deactivate", usersURL(st.AlphaID), st.AlphaAdminID), nil, http.StatusForbidden},
			{"deactivate Bob through Alpha's page", fmt.Sprintf("%s/%d/deactivate", usersURL(st.AlphaID), st.BetaAdminID), nil, http.StatusNotFound},
			{"deactivate a vendor user", fmt.Sprintf("%s/%d/deactivate", usersURL(st.AlphaID), st.ManagerID), nil, http.StatusNotFound},
		} {
			body := alice.post(c.path, c.form)
			if alice.status != c.code {
				t.Errorf("Alice tries to %s: %d, want %d\n%s", c.name, alice.status, c.code, mainText(body))
			}
		}
		if body := alice.post(emilURL+"/role", url.Values{"role": {"program_admin"}}); !strings.Contains(body, "A partner&#39;s user is a partner admin or a partner employee") {
			t.Errorf("the refusal's message:\n%s", mainText(body))
		}
		// Beta's admin, on Beta's page, with Alpha's user: not found.
		bob.post(fmt.Sprintf("%s/%d/deactivate", usersURL(st.BetaID), st.AlphaEmployeeID), nil)
		if bob.status != http.StatusNotFound {
			t.Errorf("Bob deactivates Alpha's employee: %d", bob.status)
		}
		if body := emil.get(clientsURL(st.AlphaID)); emil.status != http.StatusOK || !strings.Contains(body, "Initech") {
			t.Fatalf("Emil after the refusals: %d", emil.status)
		}

		alice.post(emilURL+"/role", url.Values{"role": {"partner_admin"}})
		if alice.status != http.StatusSeeOther {
			t.Fatalf("promote Emil: %d", alice.status)
		}
		if emil.get(usersURL(st.AlphaID)); emil.status != http.StatusOK {
			t.Errorf("Emil, now an admin, opens the users page: %d", emil.status)
		}
		alice.post(emilURL+"/role", url.Values{"role": {"partner_employee"}})
		alice.post(emilURL+"/deactivate", nil)
		if alice.status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", alice.status)
		}
		emil.get(clientsURL(st.AlphaID))
		if emil.status != http.StatusSeeOther || !strings.HasPrefix(emil.location, "/login") {
			t.Errorf("Emil's open session after deactivation: %d %s", emil.status, emil.location)
		}
		if signsIn(t, a, st.AlphaEmployee, st.Password) {
			t.Error("a deactivated user signs in")
		}
		body := alice.get(usersURL(st.AlphaID) + "?notice=deactivated")
		if row := userRow(body, st.AlphaEmployeeID); !strings.Contains(row, "Deactivated") || !strings.Contains(row, "Reactivate") {
			t.Errorf("Emil's row:\n%s", row)
		}
		alice.post(emilURL+"/reactivate", nil)
		if alice.status != http.StatusSeeOther || !signsIn(t, a, st.AlphaEmployee, st.Password) {
			t.Errorf("reactivated Emil cannot sign in: %d", alice.status)
		}
		audit := alice.get(fmt.Sprintf("/partners/%d/audit", st.AlphaID))
		for _, want := range []string{"Changed a user's role", "partner_employee → partner_admin", "Deactivated a user", "Reactivated a user"} {
			if !strings.Contains(audit, want) {
				t.Errorf("the audit log lacks %q", want)
			}
		}
	})
}

// A program admin manages the vendor's staff users at /admin/users and
// invites a partner's admin from the partner's users page; a partner
// manager reads its partners' users, and changes nothing.
func TestProgramAdminManagesVendorUsersAndPartnersAdmins(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		ada, maya := a.signIn(st.AdminEmail), a.signIn(st.ManagerEmail)
		body := ada.get("/admin/users")
		if ada.status != http.StatusOK || !strings.Contains(body, "Maya Manager") || strings.Contains(body, "Alice Alpha") ||
			!strings.Contains(body, `<option value="renewal_manager"`) || strings.Contains(body, `<option value="partner_admin"`) {
			t.Fatalf("vendor users: %d\n%s", ada.status, mainText(body))
		}
		ada.post("/admin/users", url.Values{"name": {"Rita Renewals"}, "email": {"rita@vendor.test"}, "role": {"renewal_manager"}})
		if ada.status != http.StatusSeeOther || len(st.Emails(t, a.db, "rita@vendor.test")) != 1 {
			t.Errorf("invite a renewal manager: %d", ada.status)
		}
		ada.post("/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@vendor.test"}, "role": {"partner_admin"}})
		if ada.status != http.StatusBadRequest {
			t.Errorf("a partner role on the vendor's page: %d", ada.status)
		}
		// A partner's first admin, from its users page (the partners list
		// links to it).
		if body := ada.get("/admin/partners"); !strings.Contains(body, fmt.Sprintf(`href="%s"`, usersURL(st.BetaID))) {
			t.Error("the partners list has no link to a partner's users")
		}
		if body := ada.get(usersURL(st.BetaID)); ada.status != http.StatusOK || strings.Contains(body, "read-only") || !strings.Contains(body, "Invite someone") {
			t.Errorf("Beta's users page for a program admin: %d", ada.status)
		}
		ada.post(usersURL(st.BetaID), url.Values{"name": {"Bea Second"}, "email": {"bea@beta.test"}, "role": {"partner_admin"}})
		if ada.status != http.StatusSeeOther {
			t.Fatalf("Ada invites Beta's admin: %d", ada.status)
		}
		us, err := a.db.ListUsers(pd.WithViewedPartner(st.Admin(), st.BetaID))
		if err != nil || len(us) != 2 || us[0].Email != "bea@beta.test" || us[0].Role != pd.RolePartnerAdmin {
			t.Errorf("Beta's users: %+v %v", us, err)
		}
		// Maya reads Alpha's users; she invites nobody.
		if body := maya.get(usersURL(st.AlphaID)); maya.status != http.StatusOK || !strings.Contains(body, "Emil Employee") || strings.Contains(body, "Invite someone") {
			t.Errorf("Alpha's users for its partner manager: %d", maya.status)
		}
		maya.post(usersURL(st.AlphaID), url.Values{"name": {"X"}, "email": {"x@alpha.test"}, "role": {"partner_employee"}})
		if maya.status != http.StatusForbidden {
			t.Errorf("Maya invites: %d", maya.status)
		}
		if maya.get("/admin/users"); maya.status != http.StatusForbidden {
			t.Errorf("Maya on the vendor's users: %d", maya.status)
		}
		if maya.get(usersURL(st.BetaID)); maya.status != http.StatusNotFound {
			t.Errorf("Maya on Beta's users: %d", maya.status)
		}
	})
}
