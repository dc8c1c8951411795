package web

import "net/http"

// access says who may reach a route.
type access int

const (
	public  access = iota // anyone
	signed                // any signed-in user
	partner               // the {partner} in the path, as its users or permitted staff
	staff                 // vendor staff
)

// route is one line of the routes table. Every route the server answers is
// here, so that tests can walk them all.
type route struct {
	Method  string
	Pattern string
	Access  access
	Handler func(http.ResponseWriter, *http.Request) error
}

// Routes lists every registered route (for tests and docs).
func (s *Server) Routes() []route { return s.routes() }

func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", public, s.health},
		{"GET", "/login", public, s.loginForm},
		{"POST", "/login", public, s.login},
		{"POST", "/logout", signed, s.logout},
		{"POST", "/logout/everywhere", signed, s.logoutEverywhere},
		{"GET", "/{$}", signed, s.home},

		{"GET", "/partners/{partner}/clients", partner, s.clientsPage},
		{"GET", "/partners/{partner}/clients/{client}", partner, s.clientPanel},
		{"GET", "/partners/{partner}/clients/{client}/end-services", partner, s.endServicesForm},
		{"POST", "/partners/{partner}/clients/{client}/end-services", partner, s.endServices},
		{"GET", "/partners/{partner}/audit", partner, s.auditPage},

		{"GET", "/admin/partners", staff, s.partnersPage},
	}
}
