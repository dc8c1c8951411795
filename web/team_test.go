package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

func TestTeamTab(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		body := emp.get("/partners/1/team")
		if emp.status != http.StatusOK {
			t.Fatalf("status %d", emp.status)
		}
		for _, want := range []string{
			"Partner Manager", "Maya Manager", "Plans your growth with you.", `<span class="avatar initials" aria-hidden="true">MM</span>`,
			"Partner Consultant", "Colin Consultant", "Helps you deliver.",
			`href="mailto:maya@vendor.test?subject=Alpha%20Agency%3a%20partner%20program"`,
			`href="mailto:colin@vendor.test?subject=Alpha%20Agency%3a%20partner%20program"`,
			`<a href="/partners/1/team" aria-current="page">Team</a>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("Alpha's Team tab lacks %q", want)
			}
		}
		if body := emp.get(clientsURL(st.AlphaID)); !strings.Contains(body, `href="/partners/1/team"`) {
			t.Error("the Clients tab has no Team tab beside it")
		}
		beta := a.signIn(st.BetaAdmin)
		body = beta.get("/partners/2/team")
		if !strings.Contains(body, `data-testid="no-partner_manager"`) || !strings.Contains(body, `data-testid="no-partner_consultant"`) ||
			strings.Contains(body, "mailto:") {
			t.Errorf("Beta, without a team, gets no clear note:\n%s", body)
		}
	})
}

func TestProgramAdminAssignsTeamsAndEditsStaff(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		body := admin.get("/admin/staff")
		if admin.status != http.StatusOK || !strings.Contains(body, "Petra Pereira") || !strings.Contains(body, `src="https://photos.example/petra.jpg"`) {
			t.Fatalf("staff page: %d", admin.status)
		}
		// Edit Petra: a bad photo URL is refused with the form kept.
		path := fmt.Sprintf("/admin/staff/%d", st.Petra)
		edit := url.Values{"name": {"Petra Pereira"}, "email": {"petra@vendor.test"}, "description": {"Runs <workshops>."},
			"photo_url": {"javascript:alert(1)"}}
		body = admin.post(path, edit)
		if admin.status != http.StatusBadRequest || !strings.Contains(body, "The photo URL must start with https://") || !strings.Contains(body, "Runs &lt;workshops&gt;.") {
			t.Errorf("bad photo URL: %d", admin.status)
		}
		edit.Set("photo_url", "")
		admin.post(path, edit)
		if admin.status != http.StatusSeeOther {
			t.Fatalf("save staff: %d", admin.status)
		}
		// Add a consultant, then give Beta Maya and Petra.
		admin.post("/admin/staff", url.Values{"name": {"Nina New"}, "email": {"bad"}, "role": {"partner_consultant"}})
		if admin.status != http.StatusBadRequest {
			t.Errorf("a staff member with a bad email: %d", admin.status)
		}
		admin.post("/admin/staff", url.Values{"name": {"Nina New"}, "email": {"nina@vendor.test"}, "role": {"partner_consultant"}})
		if admin.status != http.StatusSeeOther {
			t.Errorf("add staff: %d", admin.status)
		}
		body = admin.get("/admin/partners/2/team")
		if !strings.Contains(body, "Team of Beta Works") || !strings.Contains(body, "Nina New") || !strings.Contains(body, "Maya Manager") {
			t.Fatalf("team form:\n%s", body)
		}
		admin.post("/admin/partners/2/team", url.Values{"manager": {"1"}, "consultant": {fmt.Sprint(st.Petra)}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("assign the team: %d", admin.status)
		}
		admin.post("/admin/partners/2/team", url.Values{"manager": {"2"}}) // Colin is a consultant
		if admin.status != http.StatusBadRequest {
			t.Errorf("a consultant as manager: %d", admin.status)
		}
		beta := a.signIn(st.BetaAdmin)
		body = beta.get("/partners/2/team")
		for _, want := range []string{"Maya Manager", "Petra Pereira", "Runs &lt;workshops&gt;.", `<span class="avatar initials" aria-hidden="true">PP</span>`,
			`href="mailto:petra@vendor.test?subject=Beta%20Works%3a%20partner%20program"`} {
			if !strings.Contains(body, want) {
				t.Errorf("Beta's Team tab lacks %q", want)
			}
		}
		if body := beta.get("/partners/2/audit"); !strings.Contains(body, "Assigned the vendor team") || !strings.Contains(body, "Maya Manager; Petra Pereira") {
			t.Error("Beta's audit log lacks the assignment")
		}

		// Only program admins: a partner manager is refused, partners do not see the pages.
		mgr := a.signIn(st.ManagerEmail)
		for _, p := range []string{"/admin/staff", path, "/admin/partners/1/team"} {
			mgr.get(p)
			if mgr.status != http.StatusForbidden {
				t.Errorf("partner manager GET %s: %d, want 403", p, mgr.status)
			}
		}
		mgr.post("/admin/partners/1/team", url.Values{"manager": {"1"}})
		if mgr.status != http.StatusForbidden {
			t.Errorf("partner manager assigning a team: %d", mgr.status)
		}
		alpha := a.signIn(st.AlphaAdmin)
		alpha.get("/admin/staff")
		if alpha.status != http.StatusNotFound {
			t.Errorf("partner admin on the staff page: %d, want 404", alpha.status)
		}
	})
}
