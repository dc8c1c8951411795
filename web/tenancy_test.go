package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// fill puts ids into a route pattern's path values: the partner, and for
// every other value the id of the fixture's entity of that name that
// belongs to the partner. A route with a path value the fixture does not
// know fails the test: add the entity to storetest.AlphaPathIDs.
func fill(t *testing.T, pattern string, partner int, ids map[string]int64) string {
	t.Helper()
	p := strings.ReplaceAll(pattern, "{$}", "")
	return pathParam.ReplaceAllStringFunc(p, func(m string) string {
		name := m[1 : len(m)-1]
		if name == "partner" {
			return fmt.Sprint(partner)
		}
		id, ok := ids[name]
		if !ok {
			t.Fatalf("route %s: no fixture id for {%s}; add one to storetest.AlphaPathIDs", pattern, name)
		}
		return fmt.Sprint(id)
	})
}

// Every route but the public ones sends a signed-out visitor to sign in
// (pages) or answers 401 (API), and never shows data.
func TestEveryRouteRequiresSignIn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		n := 0
		for _, rt := range a.srv.Routes() {
			if rt.Access == web.Public {
				continue
			}
			n++
			u := a.anon()
			path := fill(t, rt.Pattern, st.AlphaID, st.AlphaPathIDs(t, a.db))
			var body string
			if rt.Method == "GET" {
				body = u.get(path)
			} else {
				body = u.post(path, nil)
			}
			if rt.Access == web.API || rt.Access == web.Webhook {
				if u.status != http.StatusUnauthorized || !strings.HasPrefix(body, `{"code":"unauthorized"`) {
					t.Errorf("%s %s signed out: status %d %q, want a JSON 401", rt.Method, path, u.status, body)
				}
			} else if rt.Method == "GET" && u.status != http.StatusSeeOther {
				t.Errorf("%s %s signed out: status %d, want a redirect to sign in", rt.Method, path, u.status)
			} else if rt.Method != "GET" && u.status != http.StatusSeeOther && u.status != http.StatusForbidden {
				t.Errorf("%s %s signed out: status %d", rt.Method, path, u.status)
			}
			if strings.Contains(body, "Northwind") {
				t.Errorf("%s %s signed out shows client data", rt.Method, path)
			}
		}
		if n < 8 {
			t.Fatalf("walked only %d routes", n)
		}
	})
}

// Signed in as Beta, every partner route with Alpha's ids — Alpha's
// partner id, or Beta's partner id with Alpha's client ids — is a 404
// that names none of Alpha's data, and Alpha's data is unchanged.
func TestPartnerSeesNothingOfAnotherPartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		beta := a.signIn(st.BetaAdmin)
		betaAPI := a.bearer(st.BetaToken)
		secrets := []string{"Northwind", "Globex", "Initech", "Umbrella", "Alpha Agency", "northwind.example"}
		alphaIDs := st.AlphaPathIDs(t, a.db)
		walked := 0
		for _, rt := range a.srv.Routes() {
			if rt.Access == web.Public || !pathParam.MatchString(rt.Pattern) {
				continue
			}
			// Alpha's partner id with Alpha's ids; and Beta's own partner id
			// with Alpha's ids for everything else in the path.
			partners := []int{st.AlphaID}
			if strings.Count(rt.Pattern, "{") > strings.Count(rt.Pattern, "{partner}") {
				partners = append(partners, st.BetaID)
			}
			// The API is walked with Beta's read token: reads of Alpha's ids
			// are 404, and any write is 403 (TestReadTokensNeverWrite).
			who := beta
			if rt.Access == web.API {
				if rt.Method != "GET" {
					continue
				}
				who = betaAPI
			}
			for _, partner := range partners {
				walked++
				path := fill(t, rt.Pattern, partner, alphaIDs)
				var body string
				if rt.Method == "GET" {
					body = who.get(path)
				} else {
					body = who.post(path, nil)
				}
				if who.status != http.StatusNotFound {
					t.Errorf("%s %s as Beta: status %d, want 404", rt.Method, path, who.status)
				}
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("%s %s as Beta reveals %q", rt.Method, path, s)
					}
				}
			}
		}
		if walked < 10 {
			t.Fatalf("walked only %d partner routes", walked)
		}
		// Alpha's clients are all still there.
		alpha := a.signIn(st.AlphaAdmin)
		body := alpha.get(clientsURL(st.AlphaID))
		for _, name := range []string{"Northwind Traders", "Globex Corp", "Initech", "Umbrella Co"} {
			if !strings.Contains(body, name) {
				t.Errorf("Alpha lost %s", name)
			}
		}
	})
}

// The data layer scopes by the signed-in partner even when a handler asks
// for another partner's dashboard.
func TestStoreScopesByThePrincipalNotTheRequest(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		beta := &pd.Principal{UserID: 4, Role: pd.RolePartnerAdmin, PartnerID: st.BetaID}
		bctx := pd.WithViewedPartner(pd.WithPrincipal(ctx(), beta), st.AlphaID)
		page, err := db.ListClients(bctx, pd.ClientFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Clients {
			if c.ID < 200 {
				t.Errorf("Beta's query returned Alpha's client %s", c.Name)
			}
		}
		if page.Total != 2 {
			t.Errorf("Beta sees %d clients, want 2", page.Total)
		}
		if _, err := db.Client(bctx, st.Northwind); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("Beta reading Northwind: %v, want not found", err)
		}
		if err := db.EndServices(bctx, st.Northwind); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("Beta ending Northwind: %v, want not found", err)
		}
		if _, err := db.ListClients(ctx(), pd.ClientFilter{}); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("no principal: %v, want unauthorized", err)
		}
		// A partner manager sees only the partners assigned to them.
		mgr := pd.WithPrincipal(ctx(), &pd.Principal{UserID: 5, Role: pd.RolePartnerManager, StaffID: 1})
		if _, err := db.ListClients(pd.WithViewedPartner(mgr, st.BetaID), pd.ClientFilter{}); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("manager of Alpha reading Beta: %v, want not found", err)
		}
		if p, err := db.ListClients(pd.WithViewedPartner(mgr, st.AlphaID), pd.ClientFilter{}); err != nil || p.Total != 4 {
			t.Errorf("manager of Alpha reading Alpha: %v %v", p, err)
		}
	})
}

func TestMalformedIDsAreNotFound(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alpha := a.signIn(st.AlphaAdmin)
		for _, p := range []string{"/partners/abc/clients", "/partners/-1/clients", "/partners/1/clients/xyz",
			"/partners/99999999999999999999/clients", "/partners/1/clients/" + url.PathEscape("1 OR 1=1")} {
			alpha.get(p)
			if alpha.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, alpha.status)
			}
		}
	})
}

// A read token writes nothing: every API write answers 403, whatever its
// body, and an ingest token reads nothing.
func TestReadTokensNeverWrite(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		reader, ingester := a.bearer(st.BetaToken), a.bearer(st.IngestToken)
		writes, reads := 0, 0
		for _, rt := range a.srv.Routes() {
			if rt.Access != web.API {
				continue
			}
			path := fill(t, rt.Pattern, st.BetaID, st.AlphaPathIDs(t, a.db))
			if rt.Method == "GET" {
				reads++
				ingester.get(path)
				if ingester.status != http.StatusForbidden {
					t.Errorf("GET %s with an ingest token: status %d, want 403", path, ingester.status)
				}
				continue
			}
			writes++
			reader.postJSON(path, `{"records":[]}`)
			if reader.status != http.StatusForbidden {
				t.Errorf("%s %s with a read token: status %d, want 403", rt.Method, path, reader.status)
			}
		}
		if writes < 9 || reads < 3 {
			t.Fatalf("walked %d writes and %d reads", writes, reads)
		}
	})
}

// Cookies never authenticate the API: a signed-in program admin's session
// (with its CSRF token) is a 401 on every API route.
func TestCookiesNeverAuthenticateTheAPI(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		for _, rt := range a.srv.Routes() {
			if rt.Access != web.API && rt.Access != web.Webhook {
				continue
			}
			path := fill(t, rt.Pattern, st.AlphaID, st.AlphaPathIDs(t, a.db))
			if rt.Method == "GET" {
				admin.get(path)
			} else {
				admin.postJSON(path, `{"records":[]}`)
			}
			if admin.status != http.StatusUnauthorized {
				t.Errorf("%s %s with a session cookie: status %d, want 401", rt.Method, path, admin.status)
			}
		}
	})
}

// A client two partners share (Stark: sold by Alpha, managed by Beta).
// Signed in as Beta, every partner page and API read with Stark's ids
// answers (the client is Beta's too) without naming Alpha's users or
// showing Alpha's note, and every write on a renewal Alpha owns is refused
// and changes nothing; Beta's Renewals page offers no Decide on them.
func TestSharedClientShowsAPartnerOnlyWhatIsItsOwn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		st.LoadShared(t, a.db)
		beta := a.signIn(st.BetaAdmin)
		betaAPI := a.bearer(st.BetaToken)
		secrets := []string{st.AlphaNote, "Alice Alpha", "Emil Employee", st.AlphaAdmin, st.AlphaEmployee}
		// A body each write would accept, so that a refusal is the owner's.
		forms := map[string]url.Values{
			"decision": {"decision": {"renewed"}, "confirm": {"yes"}},
			"owner":    {"owner": {"vendor"}},
			"contact":  {"contact": {fmt.Sprint(st.StarkContact)}},
		}
		reads, writes := 0, 0
		for _, rt := range a.srv.Routes() {
			if rt.Access != web.Partner && rt.Access != web.API || !strings.Contains(rt.Pattern, "{partner}") {
				continue
			}
			if rt.Method != "GET" {
				action := rt.Pattern[strings.LastIndex(rt.Pattern, "/")+1:]
				if !strings.Contains(rt.Pattern, "{renewal}") {
					continue // Beta's own relationship with Stark (ending it): Beta's to change
				}
				form, ok := forms[action]
				if !ok {
					t.Fatalf("%s %s: no valid form for this write; add one", rt.Method, rt.Pattern)
				}
				writes++
				ids := st.SharedPathIDs()
				ids["renewal"] = st.StarkRenewal // pending: only its owner stops Beta
				path := fill(t, rt.Pattern, st.BetaID, ids)
				beta.post(path, url.Values(maps.Clone(form)))
				if beta.status != http.StatusForbidden {
					t.Errorf("%s %s as Beta on Alpha's renewal: status %d, want 403", rt.Method, path, beta.status)
				}
				continue
			}
			who := beta
			if rt.Access == web.API {
				who = betaAPI
			}
			for _, renewal := range []int64{st.StarkOverage, st.StarkRenewal} {
				ids := st.SharedPathIDs()
				ids["renewal"] = renewal
				path := fill(t, rt.Pattern, st.BetaID, ids)
				reads++
				body := who.get(path)
				// Stark's pages answer; a list may have nothing to show yet
				// (tier credit before the first refresh).
				shown := strings.Contains(rt.Pattern, "{client}") || strings.Contains(rt.Pattern, "{renewal}")
				if who.status != http.StatusOK && (shown || who.status != http.StatusNotFound) {
					t.Errorf("GET %s as Beta: status %d, want 200", path, who.status)
				}
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("GET %s as Beta reveals %q", path, s)
					}
				}
			}
		}
		if reads < 20 || writes < 3 {
			t.Fatalf("walked %d reads and %d writes", reads, writes)
		}
		// Alpha's renewals are as they were, and Alpha still sees its note.
		for _, id := range []int64{st.StarkRenewal, st.StarkOverage} {
			d, err := a.db.Renewal(pd.WithPrincipal(ctx(), &pd.Principal{UserID: 2, Role: pd.RolePartnerAdmin, PartnerID: st.AlphaID}), id)
			if err != nil {
				t.Fatal(err)
			}
			if !d.OwnedBy(st.AlphaID) || d.ClientOwner != pd.OwnerDefault || id == st.StarkRenewal && (d.Status != pd.RenewalPending || len(d.History) != 0) {
				t.Errorf("renewal %d after Beta's walk: %s owned by %s, setting %s, history %+v", id, d.Status, d.OwnerPartner, d.ClientOwner, d.History)
			}
		}
		alpha := a.signIn(st.AlphaAdmin)
		if body := alpha.get(fmt.Sprintf("%s/%d", renewalsURL(st.AlphaID), st.StarkOverage)); !strings.Contains(body, st.AlphaNote) ||
			!strings.Contains(body, "Alice Alpha") {
			t.Error("Alpha no longer sees its own note")
		}
		list := beta.get(renewalsURL(st.BetaID) + "?q=stark")
		for id, want := range map[int64]string{st.StarkRenewal: "View", st.StarkOverage: "View", st.StarkUpgrade: "Decide"} {
			row := regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-renewal="%d">.*?</tr>`, id)).FindString(list)
			if !strings.Contains(row, ">"+want+"<") {
				t.Errorf("Beta's row of renewal %d does not offer %s:\n%s", id, want, row)
			}
		}
	})
}

// A renewal manager sees, read-only, the dashboards of the partners whose
// clients' renewals they manage, and no other: the partners list holds
// those, and a partner leaves it with its last such client.
func TestRenewalManagerSeesThePartnersOfTheirRenewals(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.post("/admin/partners", url.Values{"id": {"p-gamma"}, "name": {"Gamma Group"}, "country": {"FR"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("create a partner without renewals: %d", admin.status)
		}
		hash, err := password.Hash(st.Password, st.PasswordParams)
		if err != nil {
			t.Fatal(err)
		}
		// Rita Renewals (staff 3) manages renewals of Alpha's clients and of
		// Beta's Hooli.
		if _, err := a.db.CreateUser(ctx(), store.NewUser{Email: "rita@vendor.test", Name: "Rita Renewals", PasswordHash: hash,
			Role: pd.RoleRenewalManager, StaffID: 3}); err != nil {
			t.Fatal(err)
		}
		rita := a.signIn("rita@vendor.test")
		if got := rowsOf(rita.get("/admin/partners")); rita.status != http.StatusOK || strings.Join(got, ",") != "1,2" {
			t.Errorf("Rita's partners list: %d %v, want 1,2", rita.status, got)
		}
		body := rita.get(renewalsURL(st.AlphaID))
		if rita.status != http.StatusOK || !strings.Contains(body, "It is read-only.") || strings.Contains(body, ">Decide<") {
			t.Errorf("Rita on Alpha's renewals: %d, read-only %v", rita.status, strings.Contains(body, "It is read-only."))
		}
		rita.get(clientsURL(st.AlphaID) + fmt.Sprintf("/%d?tab=renewals", st.Northwind))
		if rita.status != http.StatusOK {
			t.Errorf("Rita on Northwind's panel: %d", rita.status)
		}
		for _, path := range []string{clientsURL(3), renewalsURL(3), "/partners/3/tier"} {
			if rita.get(path); rita.status != http.StatusNotFound {
				t.Errorf("Rita on %s: %d, want 404", path, rita.status)
			}
		}
		if body := rita.get("/partners/1/users"); rita.status != http.StatusForbidden || strings.Contains(rita.get(renewalsURL(st.AlphaID)), `href="/partners/1/users"`) {
			t.Errorf("Rita on Alpha's users: %d, or a link to them (%.80s)", rita.status, body)
		}
		rita.post(renewalsURL(st.AlphaID)+"/1/decision", url.Values{"decision": {"renewed"}, "confirm": {"yes"}})
		if rita.status != http.StatusForbidden {
			t.Errorf("Rita deciding for Alpha: %d, want 403", rita.status)
		}
		// Beta ends Hooli's services: Rita has no renewal of Beta's any more.
		beta := a.signIn(st.BetaAdmin)
		beta.post(fmt.Sprintf("%s/%d/end-services", clientsURL(st.BetaID), st.Hooli), nil)
		if beta.status != http.StatusSeeOther {
			t.Fatalf("Beta ends Hooli's services: %d", beta.status)
		}
		if rita.get(clientsURL(st.BetaID)); rita.status != http.StatusNotFound {
			t.Errorf("Rita on Beta after Hooli left: %d, want 404", rita.status)
		}
		if got := rowsOf(rita.get("/admin/partners")); strings.Join(got, ",") != "1" {
			t.Errorf("Rita's partners after Hooli left: %v, want 1", got)
		}
	})
}
