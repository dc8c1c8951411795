package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// publicPaths are the directory's pages a visitor can reach with the
// fixture's data, filters included.
var publicPaths = []string{"/directory", "/directory?q=alpha", "/directory?service=Implementation&country=France",
	"/directory?industry=Retail&language=French&tier=gold", "/directory/" + st.AlphaSlug, "/sitemap.xml",
	"/directory/" + st.AlphaSlug + "?sent=1"}

// The directory shows only what the profile publishes: none of the
// partner's clients, MRR, users, notes, leads or the address that
// receives its leads, signed out or signed in as anyone.
func TestDirectoryShowsNothingPrivate(t *testing.T) {
	private := []string{"Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", // clients
		"890.00", "89,000", "$", "€", // MRR
		st.AlphaAdmin, st.AlphaEmployee, st.BetaAdmin, st.AdminEmail, "Alice Alpha", "Emil Employee", // users
		"Agreed with their CFO", "Nadia Ng", // a renewal's note, a client's contact
		st.AlphaLeadEmail, "Paula Prospect", "Please call us", // the leads
		"Maya Manager", "crm.example", "p-alpha", "Inbound Marketing"} // the vendor team, CRM, ids, certifications' names
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		for _, u := range []*user{a.anon(), a.signIn(st.AlphaAdmin), a.signIn(st.AdminEmail)} {
			for _, path := range publicPaths {
				body := u.get(path)
				if u.status != http.StatusOK {
					t.Fatalf("GET %s: status %d", path, u.status)
				}
				if !strings.Contains(body, "Alpha Agency") && !strings.Contains(body, st.AlphaSlug) {
					t.Errorf("GET %s does not show Alpha's profile", path)
				}
				// The header names the signed-in visitor to themselves.
				body = header.ReplaceAllString(body, "")
				for _, p := range private {
					if strings.Contains(body, p) {
						t.Errorf("GET %s shows %q", path, p)
					}
				}
			}
		}
	})
}

var header = regexp.MustCompile(`(?s)<header class="top">.*?</header>`)

// The directory page and a profile have their own titles and canonical
// URLs, built on the base URL (whatever Host the request names); the
// sitemap lists the profiles.
func TestDirectoryTitlesCanonicalAndSitemap(t *testing.T) {
	const base = "https://partners.example"
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{BaseURL: base})
		u := a.anon()
		body := u.get("/directory/" + st.AlphaSlug)
		for _, want := range []string{"<title>Alpha Agency, Gold partner of Test Program · Partnerdesk</title>",
			`<link rel="canonical" href="` + base + `/directory/alpha-agency">`, `data-testid="certified"`,
			"We launch marketing teams", "Implementation, Training", "France, Belgium", "French, English"} {
			if !strings.Contains(body, want) {
				t.Errorf("profile page lacks %q", want)
			}
		}
		body = u.get("/directory?service=Training")
		if !strings.Contains(body, "<title>Partner directory of Test Program · Partnerdesk</title>") ||
			!strings.Contains(body, `<link rel="canonical" href="`+base+`/directory">`) {
			t.Errorf("directory page's title or canonical link is wrong:\n%s", body)
		}
		body = u.get("/sitemap.xml")
		if !strings.Contains(u.header.Get("Content-Type"), "application/xml") ||
			!strings.Contains(body, "<loc>"+base+"/directory/alpha-agency</loc>") || strings.Count(body, "<url>") != 2 {
			t.Errorf("sitemap: %s\n%s", u.header.Get("Content-Type"), body)
		}
	})
}

var cardName = regexp.MustCompile(`<h2><a href="/directory/[^"]+">([^<]+)</a></h2>`)

func cards(body string) []string {
	var out []string
	for _, m := range cardName.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// addProfiles publishes n more partners' profiles: partner i is in the
// "partner" tier, named "Agency NN", serving Spain, and offers Training
// when i is even.
func addProfiles(t testing.TB, db *store.DB, n int) {
	t.Helper()
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		for i := range n {
			id := 1000 + i
			name := fmt.Sprintf("Agency %02d", i)
			b.Insert("partners", []string{"id", "external_id", "name", "tier_code", "created_at"}, id, fmt.Sprint("p-", id), name, "partner", st.Now)
			services := "|Implementation|"
			if i%2 == 0 {
				services = "|Training|"
			}
			b.Insert("directory_profiles", []string{"partner_id", "state", "slug", "description", "services", "industries",
				"countries", "languages", "search", "updated_at"},
				id, pd.ProfilePublished, pd.Slug(name), "Consulting.", services, "|Manufacturing|", "|Spain|", "|Spanish|",
				strings.ToLower(name+"\nConsulting."), st.Now)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Search and filters narrow the directory; it is sorted by tier, highest
// first, then by name, and paginated.
func TestDirectorySearchFiltersAndPages(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		addProfiles(t, a.db, 25)
		beta := a.signIn(st.BetaAdmin)
		beta.post(fmt.Sprintf("/partners/%d/profile", st.BetaID), url.Values{"description": {"Berlin's CRM builders."},
			"service": {"Custom development"}, "industries": {"Retail\nAutomotive"}, "countries": {"Germany"}, "languages": {"German, English"}})
		if beta.status != http.StatusSeeOther {
			t.Fatalf("Beta saves its profile: status %d", beta.status)
		}
		u := a.anon()
		first := cards(u.get("/directory"))
		if len(first) != 20 || first[0] != "Alpha Agency" || first[1] != "Beta Works" || first[2] != "Agency 00" {
			t.Fatalf("first page: %q", first)
		}
		second := cards(u.get("/directory?page=2"))
		if len(second) != 7 || second[6] != "Agency 24" {
			t.Fatalf("second page: %q", second)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"q=berlin", []string{"Beta Works"}},
			{"q=ALPHA", []string{"Alpha Agency"}},
			{"q=marketing+teams", []string{"Alpha Agency"}},
			{"service=Custom+development", []string{"Beta Works"}},
			{"industry=Retail", []string{"Alpha Agency", "Beta Works"}},
			{"industry=Retail&country=Germany", []string{"Beta Works"}},
			{"language=English", []string{"Alpha Agency", "Beta Works"}},
			{"tier=silver", []string{"Beta Works"}},
			{"tier=partner&service=Training&q=agency+1", []string{"Agency 10", "Agency 12", "Agency 14", "Agency 16", "Agency 18"}},
			{"country=Spa", nil}, // whole entries only
			{"q=100%25", nil},
		} {
			got := cards(u.get("/directory?" + c.query))
			if u.status != http.StatusOK || strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s: status %d, %q, want %q", c.query, u.status, got, c.want)
			}
		}
		if u.get("/directory?q=" + strings.Repeat("x", 201)); u.status != http.StatusBadRequest {
			t.Errorf("a too long search: status %d", u.status)
		}
	})
}

// stripRequestID removes what differs between two answers of the same
// page: the request's id.
var requestIDText = regexp.MustCompile(`<code>[^<]*</code>`)

// With approval required, an edit waits in the queue, unseen, and its
// slug answers exactly as an unknown one; approved, it is published;
// withdrawn, it is gone at once, from the list, the page, the sitemap and
// the contact form.
func TestDirectoryApprovalQueueAndWithdrawal(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/program")
		admin.post("/admin/program/directory", url.Values{"approval": {"on"}, "services": {strings.Join(st.DirectoryServices, "\n")}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("turn approval on: status %d", admin.status)
		}
		beta := a.signIn(st.BetaAdmin)
		profile := fmt.Sprintf("/partners/%d/profile", st.BetaID)
		beta.post(profile, url.Values{"description": {"Berlin's CRM builders."}})
		if body := beta.get(beta.location); !strings.Contains(body, "Waiting for approval") {
			t.Fatalf("Beta's profile page after saving:\n%s", body)
		}
		u := a.anon()
		notFound := func(path string) string {
			t.Helper()
			body := u.get(path)
			if u.status != http.StatusNotFound {
				t.Fatalf("GET %s: status %d, want 404", path, u.status)
			}
			return requestIDText.ReplaceAllString(body, "")
		}
		if pending, unknown := notFound("/directory/beta-works"), notFound("/directory/no-such-partner"); pending != unknown {
			t.Errorf("a pending profile's page differs from an unknown one's:\n%s\n---\n%s", pending, unknown)
		}
		if body := u.get("/directory"); strings.Contains(body, "Beta Works") {
			t.Error("the directory lists a pending profile")
		}
		// Beta's own partner manager is nobody: a manager sees only its
		// partners' profiles in the queue.
		manager := a.signIn(st.ManagerEmail)
		if body := manager.get("/admin/directory"); strings.Contains(body, "Beta Works") {
			t.Error("Alpha's partner manager sees Beta's pending profile")
		}
		if manager.post(fmt.Sprintf("/admin/directory/%d", st.BetaID), url.Values{"decision": {"approve"}}); manager.status != http.StatusNotFound {
			t.Errorf("Alpha's partner manager approves Beta's profile: status %d", manager.status)
		}
		if body := admin.get("/admin/directory"); !strings.Contains(body, "Berlin&#39;s CRM builders.") {
			t.Fatalf("the queue lacks Beta's profile:\n%s", body)
		}
		admin.post(fmt.Sprintf("/admin/directory/%d", st.BetaID), url.Values{"decision": {"approve"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("approve: status %d", admin.status)
		}
		if body := u.get("/directory/beta-works"); u.status != http.StatusOK || !strings.Contains(body, "Berlin&#39;s CRM builders.") {
			t.Fatalf("approved profile: status %d", u.status)
		}
		// A later edit waits while the approved profile stays shown.
		beta.post(profile, url.Values{"description": {"Now in Munich too."}})
		if body := u.get("/directory/beta-works"); !strings.Contains(body, "Berlin&#39;s") || strings.Contains(body, "Munich") {
			t.Error("a pending edit replaced the published profile before approval")
		}
		admin.post(fmt.Sprintf("/admin/directory/%d", st.BetaID), url.Values{"decision": {"reject"}})
		if body := u.get("/directory/beta-works"); !strings.Contains(body, "Berlin&#39;s") {
			t.Error("a refused edit took the published profile away")
		}
		// Withdrawn by the vendor, and by the partner itself.
		admin.post(fmt.Sprintf("/admin/directory/%d", st.BetaID), url.Values{"decision": {"withdraw"}})
		alpha := a.signIn(st.AlphaAdmin)
		alpha.post(fmt.Sprintf("/partners/%d/profile/withdraw", st.AlphaID), nil)
		if alpha.status != http.StatusSeeOther {
			t.Fatalf("Alpha withdraws: status %d", alpha.status)
		}
		for _, slug := range []string{"beta-works", st.AlphaSlug} {
			notFound("/directory/" + slug)
			u.post("/directory/"+slug+"/contact", url.Values{"name": {"A"}, "email": {"a@b.example"}, "message": {"Hi"}})
			if u.status != http.StatusNotFound {
				t.Errorf("contact a withdrawn partner: status %d", u.status)
			}
		}
		for _, path := range []string{"/directory", "/sitemap.xml"} {
			if body := u.get(path); strings.Contains(body, "Beta Works") || strings.Contains(body, "Alpha Agency") || strings.Contains(body, "beta-works") {
				t.Errorf("%s shows a withdrawn partner", path)
			}
		}
		audit := alpha.get(fmt.Sprintf("/partners/%d/audit", st.AlphaID))
		if !strings.Contains(audit, "profile_withdrawn") {
			t.Error("Alpha's audit log lacks the withdrawal")
		}
	})
}

// The profile form checks its fields: services from the program's list,
// an http(s) website, an https logo, an email for leads; an employee
// cannot edit.
func TestProfileFormChecks(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alpha := a.signIn(st.AlphaAdmin)
		path := fmt.Sprintf("/partners/%d/profile", st.AlphaID)
		for _, form := range []url.Values{
			{"service": {"Astrology"}},
			{"website": {"javascript:alert(1)"}},
			{"logo_url": {"http://alpha.example/logo.png"}},
			{"logo_url": {"/static/logo.png"}},
			{"lead_email": {"Alpha <leads@alpha.test>"}},
			{"description": {strings.Repeat("é", pd.MaxProfileDescriptionLen+1)}},
			{"industries": {strings.Repeat("x", pd.MaxProfileItemLen+1)}},
			{"industries": {"Retail|Software"}},
		} {
			alpha.post(path, form)
			if alpha.status != http.StatusBadRequest {
				t.Errorf("%v: status %d, want 400", form, alpha.status)
			}
		}
		if body := a.anon().get("/directory/" + st.AlphaSlug); !strings.Contains(body, "We launch marketing teams") {
			t.Error("a refused edit changed the profile")
		}
		empl := a.signIn(st.AlphaEmployee)
		empl.post(path, url.Values{"description": {"Hijacked"}})
		if empl.status != http.StatusForbidden {
			t.Errorf("an employee edits the profile: status %d", empl.status)
		}
	})
}

// A deactivated partner disappears from the directory with the next
// request: the list, its page (the same 404 as an unknown slug), the
// sitemap and its contact form; reactivated, it is back.
func TestDeactivatedPartnerLeavesTheDirectory(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		u := a.anon()
		u.get("/directory/" + st.AlphaSlug)
		admin.post(fmt.Sprintf("/admin/partners/%d/deactivate", st.AlphaID), url.Values{"confirm": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("deactivate Alpha: status %d", admin.status)
		}
		for _, path := range []string{"/directory", "/directory?q=alpha", "/sitemap.xml"} {
			if body := u.get(path); strings.Contains(body, "Alpha Agency") || strings.Contains(body, st.AlphaSlug) {
				t.Errorf("%s shows a deactivated partner", path)
			}
		}
		gone := requestIDText.ReplaceAllString(u.get("/directory/"+st.AlphaSlug), "")
		unknown := requestIDText.ReplaceAllString(u.get("/directory/no-such-partner"), "")
		if u.status != http.StatusNotFound || gone != unknown {
			t.Errorf("a deactivated partner's page differs from an unknown one's:\n%s\n---\n%s", gone, unknown)
		}
		if u.post(contactPath, leadForm("Hello")); u.status != http.StatusNotFound {
			t.Errorf("contact a deactivated partner: status %d", u.status)
		}
		admin.post(fmt.Sprintf("/admin/partners/%d/reactivate", st.AlphaID), url.Values{"confirm": {"yes"}})
		if body := u.get("/directory"); !strings.Contains(body, "Alpha Agency") {
			t.Errorf("reactivated Alpha is not back (reactivate: %d)", admin.status)
		}
	})
}
