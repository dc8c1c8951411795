// Package web serves Partnerdesk's pages and API over HTTP: the routes
// table, middleware (sessions, CSRF, security headers), handlers, the
// embedded templates and static files.
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
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
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
}

// Server holds what the handlers share.
type Server struct {
	db      *store.DB
	cfg     Config
	log     *slog.Logger
	now     pd.Clock
	pages   map[string]*template.Template
	limiter *loginLimiter
	mux     *http.ServeMux
}

// New builds the server and parses the templates once.
func New(db *store.DB, cfg Config, log *slog.Logger, now pd.Clock) (*Server, error) {
	if now == nil {
		now = pd.SystemClock
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, cfg: cfg, log: log, now: now, pages: pages, limiter: newLoginLimiter(now)}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	return s, nil
}

// ServeHTTP applies the middleware common to every request.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &timingWriter{ResponseWriter: rw, start: time.Now()}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			http.Error(w, "Internal error.", http.StatusInternalServerError)
		}
	}()
	s.mux.ServeHTTP(w, r)
}
