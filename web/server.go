// Package web serves Partnerdesk's pages and API over HTTP: the routes
// table, middleware (sessions, CSRF, security headers), handlers, the
// embedded templates and static files.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/locale"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/oidc"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/twofactor"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the web layer needs from the server's configuration.
type Config struct {
	// SecureCookies forces the Secure flag; it is also set for requests
	// that arrive over TLS (or, with TrustProxy, say so in X-Forwarded-Proto).
	SecureCookies bool
	// TrustProxy takes the client address and scheme from X-Forwarded-For
	// and X-Forwarded-Proto, for a server behind a reverse proxy.
	TrustProxy bool
	// ProxyHops is how many trusted proxies stand in front of the server,
	// each appending to X-Forwarded-For the address it got the request
	// from: the client's address is the ProxyHops-th entry from the right
	// (default 1). Entries further left are the client's own words.
	ProxyHops int
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
	// StripeWebhookSecret is the signing secret of the Stripe webhook
	// endpoint (whsec_…); without it, deliveries are refused.
	StripeWebhookSecret string
	// StripeAPIKey is a restricted, read-only Stripe key (rk_…) with
	// which the webhook reads the discounts an event names by id only;
	// without it, the MRR of such an event is recorded as unconfirmed.
	StripeAPIKey string
	// StripeAPIURL is where Stripe's API is (default Stripe's own; tests
	// point it at stripe-mock).
	StripeAPIURL string
	// Metrics receives the requests' and ingests' figures; nil records
	// nothing.
	Metrics *metrics.Metrics
	// PasswordParams are the argon2id costs of the hashes the server makes
	// (default password.Default); a user's hash made with others is
	// upgraded at their next sign-in.
	PasswordParams password.Params
	// TwoFactorKey seals the users' TOTP secrets in the database (32 bytes
	// or more); without it, a key kept in the database itself does.
	TwoFactorKey []byte
	// OIDC is the single sign-on provider; none when its Issuer is empty.
	OIDC oidc.Config
	// BaseURL is the public address the links in emails point to
	// (default http://localhost:8080).
	BaseURL string
	// MailDelivery says that a worker delivers the outbox through SMTP;
	// without it, email stays in the outbox, where program admins read it.
	MailDelivery bool
}

// DefaultBaseURL is the links' address when Config.BaseURL is unset.
const DefaultBaseURL = "http://localhost:8080"

// resetAnswerTime is the least time a password reset request takes to be
// answered, whether or not its address has an account: the work done for
// an account (a token, an email) then does not show in the timing.
const resetAnswerTime = 300 * time.Millisecond

// Password hashing runs in at most hashSlots computations at once (each
// holds PasswordParams.Memory, 64 MiB by default); a sign-in waits at most
// hashWait for a slot, then is answered 503.
const (
	hashSlots = 2
	hashWait  = 2 * time.Second
)

// Server holds what the handlers share.
type Server struct {
	db      *store.DB
	cfg     Config
	log     *slog.Logger
	now     pd.Clock
	pages   map[string]map[string]*template.Template // by language, then name
	locales *locale.Set
	limits  store.SignInLimits // counted in the database
	// confirmLimits bound the public confirmation page, counted in the
	// database too.
	confirmLimits store.ConfirmationLimits
	public        store.PublicLimits // the directory's, counted in the database
	hashing       *password.Hasher
	mux           *http.ServeMux
	handler       http.Handler // mux behind the cross-origin check
	api           *apiDoc
	csrfKey       []byte // signs the signed-out visitor's CSRF token
	flowKey       []byte // signs the cookies of a sign-in in progress (its second step, single sign-on)
	sealer        *twofactor.Sealer
	sso           *oidc.Provider // nil without single sign-on
	facets        facetCache     // the directory's filter options
	mail          *email.Composer
	// resetLimits bound the password reset requests (in the database);
	// resetFloor is resetAnswerTime.
	resetLimits store.ResetLimits
	resetFloor  time.Duration
}

// New builds the server and parses the templates once.
func New(db *store.DB, cfg Config, log *slog.Logger, now pd.Clock) (*Server, error) {
	if now == nil {
		now = pd.SystemClock
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.ProxyHops < 1 {
		cfg.ProxyHops = 1
	}
	if cfg.PasswordParams == (password.Params{}) {
		cfg.PasswordParams = password.Default
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	mail, err := email.NewComposer(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	locales, err := locale.Load()
	if err != nil {
		return nil, err
	}
	pages, err := parseTemplates(locales)
	if err != nil {
		return nil, err
	}
	api, err := loadAPIDoc()
	if err != nil {
		return nil, err
	}
	// Every server sharing the database must accept the sign-in form
	// that another served, so the key is the database's.
	csrfKey, err := db.ServerSecret(context.Background(), "csrf")
	if err != nil {
		return nil, err
	}
	flowKey, err := db.ServerSecret(context.Background(), "sign_in_flow")
	if err != nil {
		return nil, err
	}
	sealer, err := newSealer(db, cfg.TwoFactorKey)
	if err != nil {
		return nil, err
	}
	// Log lines written with a request's context carry its id.
	log = slog.New(requestIDHandler{log.Handler()})
	s := &Server{db: db, cfg: cfg, log: log, now: now, pages: pages, locales: locales, api: api, csrfKey: csrfKey,
		flowKey: flowKey, sealer: sealer,
		limits: store.DefaultSignInLimits, confirmLimits: store.DefaultConfirmationLimits, public: store.DefaultPublicLimits,
		hashing: password.NewHasher(cfg.PasswordParams, hashSlots, hashWait),
		mail:    mail, resetLimits: store.DefaultResetLimits, resetFloor: resetAnswerTime}
	if cfg.OIDC.Enabled() {
		s.sso = oidc.New(cfg.OIDC)
	}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	// Browsers ask for /favicon.ico whatever a page's <link rel=icon> says.
	s.mux.Handle("GET /favicon.ico", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "favicon.ico")
	}))
	// Defence in depth beside the CSRF token: a browser's state-changing
	// request from another site is refused. The API and webhooks never
	// take a cookie, so such a request carries no one's authority; their
	// callers are servers, whatever Origin they send.
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("/api/")
	cop.AddInsecureBypassPattern("/webhooks/")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, pd.Errorf(pd.EForbidden, "This form was sent from another site, so it was refused."))
	}))
	s.handler = cop.Handler(s.mux)
	return s, nil
}

// The answers' security headers. Everything but the static files may
// hold a tenant's data, so nothing else is stored by a browser or proxy.
const (
	contentSecurityPolicy = "default-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
	// strictTransportSecurity asks browsers to use HTTPS only, for a
	// year, once they reached the server over it. Other hosts of the
	// domain are left alone: they may not serve HTTPS.
	strictTransportSecurity = "max-age=31536000"
)

// ServeHTTP applies the middleware common to every request.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &timingWriter{ResponseWriter: rw, start: time.Now()}
	id := s.requestID(r)
	// The mux sets the matched pattern on this request, which the access
	// log then names.
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	defer func() { s.logRequest(r, w, time.Since(w.start)) }()
	h := w.Header()
	h.Set("X-Request-Id", id)
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if s.overTLS(r) {
		h.Set("Strict-Transport-Security", strictTransportSecurity)
	}
	if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/favicon.ico" {
		h.Set("Cache-Control", "no-store")
	}
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			if !w.done { // else the answer has begun: nothing can replace it
				s.answerError(w, r, errors.New("panic"))
			}
		}
	}()
	if h, pattern := s.mux.Handler(r); pattern == "" {
		if isAPI(r) {
			s.apiNoRoute(w, r, h)
		} else {
			s.pageNoRoute(w, r, h)
		}
		return
	}
	s.handler.ServeHTTP(w, r)
}

// apiNoRoute answers, in JSON, an API request that matches no route: the
// mux's own handler tells a wrong method (405) from an unknown path (404).
func (s *Server) apiNoRoute(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Message: "This endpoint does not take " + r.Method + "."})
		return
	}
	s.error(w, r, pd.Errorf(pd.ENotFound, "No such API endpoint; the endpoints are described at /api/v1/openapi.json."))
}

// pageNoRoute answers a page request that matches no route with the
// site's error page (not the mux's bare text), 404 or 405.
func (s *Server) pageNoRoute(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		w.WriteHeader(http.StatusMethodNotAllowed)
		s.render(w, r, "error", &errorPage{Status: http.StatusMethodNotAllowed, RequestID: requestIDOf(r.Context())})
		return
	}
	s.error(w, r, pd.Errorf(pd.ENotFound, "There is no page at this address."))
}

// statusProbe records a handler's status and headers, discarding its body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }
