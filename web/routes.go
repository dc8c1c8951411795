package web

import "net/http"

// Access says who may reach a route.
type Access int

const (
	Public  Access = iota // anyone
	Signed                // any signed-in user
	Partner               // the {partner} in the path, as its users or permitted staff
	Staff                 // vendor staff
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

		{"GET", "/admin/partners", Staff, s.partnersPage},
	}
}
