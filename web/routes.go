package web

import (
	"net/http"

	"github.com/partnerdesk/partnerdesk/store"
)

// Access says who may reach a route.
type Access int

const (
	Public  Access = iota // anyone
	Signed                // any signed-in user
	Partner               // the {partner} in the path, as its users or permitted staff
	Staff                 // vendor staff
	API                   // an API token (Authorization: Bearer), never a cookie: read scope for GET, ingest scope for writes
	Webhook               // a signed webhook delivery (the handler checks the signature); no cookie, no CSRF
)

// Route is one line of the routes table. Every route the server answers is
// here, so that tests can walk them all.
type Route struct {
	Method  string
	Pattern string
	Access  Access
	Handler func(http.ResponseWriter, *http.Request) error
}

// Routes lists every registered route (for tests and docs).
func (s *Server) Routes() []Route { return s.routes() }

func (s *Server) routes() []Route {
	return []Route{
		{"GET", "/healthz", Public, s.health},
		{"GET", "/readyz", Public, s.ready},
		{"GET", "/login", Public, s.loginForm},
		{"POST", "/login", Public, s.login},
		{"POST", "/logout", Signed, s.logout},
		{"POST", "/logout/everywhere", Signed, s.logoutEverywhere},
		{"GET", "/{$}", Signed, s.home},

		{"GET", "/partners/{partner}/clients", Partner, s.clientsPage},
		{"GET", "/partners/{partner}/clients/{client}", Partner, s.clientPanel},
		{"GET", "/partners/{partner}/clients/{client}/end-services", Partner, s.endServicesForm},
		{"POST", "/partners/{partner}/clients/{client}/end-services", Partner, s.endServices},
		{"GET", "/partners/{partner}/audit", Partner, s.auditPage},

		// Renewals, the platform engagement index and the Team tab
		// (renewals.go, engagement.go, team.go, admin_staff.go).
		{"GET", "/partners/{partner}/renewals", Partner, s.renewalsPage},
		{"GET", "/partners/{partner}/renewals/{renewal}", Partner, s.renewalPage},
		{"POST", "/partners/{partner}/renewals/{renewal}/decision", Partner, s.renewalDecision},
		{"POST", "/partners/{partner}/renewals/{renewal}/owner", Partner, s.renewalOwner},
		{"POST", "/partners/{partner}/renewals/{renewal}/contact", Partner, s.renewalContact},
		{"GET", "/partners/{partner}/engagement", Partner, s.engagementPage},
		{"GET", "/partners/{partner}/team", Partner, s.teamPage},
		{"GET", "/admin/staff", Staff, s.staffPage},
		{"POST", "/admin/staff", Staff, s.createStaff},
		{"GET", "/admin/staff/{staff}", Staff, s.staffForm},
		{"POST", "/admin/staff/{staff}", Staff, s.saveStaff},
		{"GET", "/admin/partners/{partner}/team", Staff, s.teamForm},
		{"POST", "/admin/partners/{partner}/team", Staff, s.assignTeam},

		{"GET", "/admin/partners", Staff, s.partnersPage},
		{"GET", "/admin/program", Staff, s.programForm},
		{"POST", "/admin/program", Staff, s.saveProgram},

		// The Tier tab, its CSV lists and its API (tier.go, tier_csv.go,
		// tier_api.go): all read the daily refresh's snapshot.
		{"GET", "/partners/{partner}/tier", Partner, s.tierPage},
		{"GET", "/partners/{partner}/tier.csv", Partner, s.tierCSV},
		{"GET", "/api/v1/partners/{partner}/tier", API, s.apiTier},
		{"GET", "/api/v1/partners/{partner}/credit", API, s.apiCredit},

		// Data in and out: the REST API (api.go, described by openapi.json),
		// CSV export and import, API tokens, the Stripe webhook (stripe.go).
		{"GET", "/api/v1/openapi.json", Public, s.openapiDoc},
		{"GET", "/api/v1/partners/{partner}", API, s.apiPartner},
		{"GET", "/api/v1/partners/{partner}/clients", API, s.apiClients},
		{"GET", "/api/v1/partners/{partner}/clients/{client}", API, s.apiClient},
		{"POST", "/api/v1/partners", API, ingestHandler(s, (*store.Ingest).Partners)},
		{"POST", "/api/v1/staff", API, ingestHandler(s, (*store.Ingest).Staff)},
		{"POST", "/api/v1/certifications", API, ingestHandler(s, (*store.Ingest).Certifications)},
		{"POST", "/api/v1/clients", API, ingestHandler(s, (*store.Ingest).Clients)},
		{"POST", "/api/v1/relationships", API, ingestHandler(s, (*store.Ingest).Relationships)},
		{"POST", "/api/v1/subscription-lines", API, ingestHandler(s, (*store.Ingest).SubscriptionLines)},
		{"POST", "/api/v1/billing-events", API, ingestHandler(s, (*store.Ingest).BillingEvents)},
		{"POST", "/api/v1/usage", API, ingestHandler(s, (*store.Ingest).Usage)},
		{"POST", "/api/v1/renewals", API, ingestHandler(s, (*store.Ingest).Renewals)},
		{"POST", "/webhooks/stripe", Webhook, s.stripeWebhook},
		{"GET", "/partners/{partner}/clients.csv", Partner, s.clientsCSV},
		{"GET", "/admin/tokens", Staff, s.tokensPage},
		{"POST", "/admin/tokens", Staff, s.createToken},
		{"POST", "/admin/tokens/{token}/revoke", Staff, s.revokeToken},
		{"GET", "/admin/import", Staff, s.importPage},
		{"POST", "/admin/import", Staff, s.importUpload},
	}
}
