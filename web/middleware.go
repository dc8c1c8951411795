package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

const sessionCookie = "pd_session"

type csrfKey struct{}

// wrap applies a route's body limit, access rule, the CSRF check and
// error handling.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > rt.MaxBody {
			s.error(w, r, tooLarge(rt.MaxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, rt.MaxBody)
		if rt.Access == API || rt.Access == Webhook || isAPI(r) {
			s.serveMachine(w, r, rt)
			return
		}
		ctx := r.Context()
		var csrf string
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			p, tok, err := s.db.SessionPrincipal(ctx, c.Value)
			switch {
			case err == nil:
				ctx, csrf = pd.WithPrincipal(ctx, p), tok
			case pd.ErrorCode(err) == pd.EUnauthorized:
				s.clearSessionCookie(w, r)
			default:
				s.error(w, r, err)
				return
			}
		}
		if csrf == "" {
			csrf = s.anonymousCSRF(w, r)
		}
		ctx = context.WithValue(ctx, csrfKey{}, csrf)
		r = r.WithContext(ctx)

		if err := s.authorize(rt.Access, r); err != nil {
			s.error(w, r, err)
			return
		}
		if rt.Access != Public && !enrolmentRoute(rt.Pattern) {
			if must, err := s.db.MustEnrolTwoFactor(ctx); err != nil || must {
				s.sendToEnrol(w, r, err)
				return
			}
		}
		if rt.Access == Partner {
			r = r.WithContext(pd.WithViewedPartner(r.Context(), pathID(r, "partner")))
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := readForm(r, rt.MaxBody); err != nil {
				s.error(w, r, err)
				return
			}
			if !validCSRF(r, csrf) {
				s.error(w, r, pd.Errorf(pd.EForbidden, "This form has expired. Go back, reload the page and try again."))
				return
			}
		}
		if err := rt.Handler(w, r); err != nil {
			s.error(w, r, err)
		}
	})
}

// enrolmentRoute reports whether a user who must turn on two-factor
// sign-in may reach pattern meanwhile: its pages, and signing out.
func enrolmentRoute(pattern string) bool {
	return strings.HasPrefix(pattern, "/account/two-factor") || strings.HasPrefix(pattern, "/logout")
}

// sendToEnrol answers a request of a user who must turn on two-factor
// sign-in first (or the error of finding out): a page is sent to set it
// up, a form refused.
func (s *Server) sendToEnrol(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case err != nil:
		s.error(w, r, err)
	case r.Method == http.MethodGet:
		http.Redirect(w, r, "/account/two-factor", http.StatusSeeOther)
	default:
		s.error(w, r, pd.Errorf(pd.EForbidden, "The program requires two-factor sign-in of program admins: turn it on first."))
	}
}

// serveMachine serves the API and webhooks. Cookies never authenticate
// them (and so need no CSRF check): API routes take a bearer token, and
// webhook handlers check their delivery's signature. Pages never read the
// Authorization header, so a token never reaches them.
func (s *Server) serveMachine(w http.ResponseWriter, r *http.Request, rt Route) {
	if rt.Access == API {
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, tok, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
				s.error(w, r, pd.Errorf(pd.EUnauthorized, "Send the API token as Authorization: Bearer <token>."))
				return
			}
			p, err := s.db.TokenPrincipal(r.Context(), strings.TrimSpace(tok))
			if err != nil {
				s.error(w, r, err)
				return
			}
			r = r.WithContext(pd.WithPrincipal(r.Context(), p))
		}
		var err error
		if r, err = s.authorizeToken(r); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if err := rt.Handler(w, r); err != nil {
		s.error(w, r, err)
	}
}

// partnerTokenWrites are the only writes a partner token may make, by
// route pattern: its partner's confirmation links.
var partnerTokenWrites = map[string]bool{"POST /api/v1/partners/{partner}/confirmation-links": true}

// authorizeToken enforces the API's rule: a read or partner token for GET,
// scoped to the {partner} in the path (its id or external id) through the
// store's partner scope; an ingest token for writes, and a partner token
// for the writes of partnerTokenWrites.
func (s *Server) authorizeToken(r *http.Request) (*http.Request, error) {
	p := pd.PrincipalFrom(r.Context())
	switch {
	case p == nil:
		return r, pd.Errorf(pd.EUnauthorized, "Send an API token: Authorization: Bearer <token>.")
	case r.Method == http.MethodGet && !p.Scope.Reads():
		return r, pd.Errorf(pd.EForbidden, "Reading needs a token with the read or partner scope.")
	case r.Method != http.MethodGet && p.Scope != pd.ScopeIngest && !(p.Scope == pd.ScopePartner && partnerTokenWrites[r.Pattern]):
		return r, pd.Errorf(pd.EForbidden, "Writing needs a token with the ingest scope; this one may only read.")
	}
	if !strings.Contains(r.Pattern, "{partner}") {
		return r, nil
	}
	// The path names the partner by its Partnerdesk id or by the external
	// id the vendor's systems (and a read token's form) use.
	id, err := s.db.PartnerRef(r.Context(), r.PathValue("partner"))
	if err != nil {
		return r, err
	}
	return r.WithContext(pd.WithViewedPartner(r.Context(), id)), nil
}

// authorize enforces a route's access rule. Unknown or foreign partners
// are "not found", so that nothing is learnt about them.
func (s *Server) authorize(a Access, r *http.Request) error {
	p := pd.PrincipalFrom(r.Context())
	if a == Public {
		return nil
	}
	if p == nil {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	switch a {
	case Staff:
		if p.Role.IsPartner() || p.TokenID != 0 {
			return pd.Errorf(pd.ENotFound, "Page not found.")
		}
	case Partner:
		id := pathID(r, "partner")
		if id <= 0 {
			return pd.Errorf(pd.ENotFound, "Partner not found.")
		}
		return s.db.CanViewPartner(r.Context(), id)
	}
	return nil
}

// pathID reads a positive integer path value, 0 when malformed.
func pathID(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// readForm parses the form of a page request, within the route's body
// limit, before the CSRF check reads it. A multipart form is held in
// memory with that same limit, so that no part of it is ever written to
// a temporary file: net/http's own clean-up of those files would not see
// the parsed form, which lives on a copy of the request.
func readForm(r *http.Request, limit int64) error {
	if err := r.ParseForm(); err != nil {
		return bodyError(err)
	}
	if err := r.ParseMultipartForm(limit); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return bodyError(err)
	}
	return nil
}

// bodyError is the answer to a request body that could not be read: 413
// when it passed the route's limit.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge(tooBig.Limit)
	}
	return pd.Errorf(pd.EInvalid, "The request body could not be read.")
}

func tooLarge(limit int64) error {
	size := fmt.Sprintf("%d KiB", limit>>10)
	if limit >= 1<<20 {
		size = fmt.Sprintf("%d MiB", limit>>20)
	}
	return pd.Errorf(pd.ETooLarge, "The request body is over the limit of %s.", size)
}

// anonymousCSRF returns the double-submit token of a signed-out visitor
// (the sign-in form), setting its cookie when missing or not one this
// program made.
func (s *Server) anonymousCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie("pd_csrf"); err == nil && s.madeCSRF(c.Value) {
		return c.Value
	}
	tok := s.signCSRF(newToken())
	http.SetCookie(w, &http.Cookie{Name: "pd_csrf", Value: tok, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	return tok
}

// signCSRF makes a signed-out visitor's token: a nonce and its HMAC under
// the key the servers share. A plain double-submit cookie would take any
// value that an attacker planted in the browser and put in a form too,
// signing the victim in to the attacker's account (login CSRF).
func (s *Server) signCSRF(nonce string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("pd_csrf:" + nonce))
	return nonce + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// madeCSRF reports whether tok was made by signCSRF.
func (s *Server) madeCSRF(tok string) bool {
	nonce, _, ok := strings.Cut(tok, ".")
	return ok && nonce != "" && hmac.Equal([]byte(tok), []byte(s.signCSRF(nonce)))
}

// validCSRF checks the form field or X-CSRF-Token header against the token.
func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func csrfToken(ctx context.Context) string {
	t, _ := ctx.Value(csrfKey{}).(string)
	return t
}

// secure reports whether cookies must carry the Secure flag.
func (s *Server) secure(r *http.Request) bool {
	return s.cfg.SecureCookies || s.overTLS(r)
}

// overTLS reports whether the request came over TLS: to this server, or
// (with TrustProxy) to the proxy in front, which says so.
func (s *Server) overTLS(r *http.Request) bool {
	return r.TLS != nil || (s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// clientIP is the address sign-in attempts are counted against. Behind
// trusted proxies it is the address the outermost one got the request
// from: each proxy appends the address it got the request from to
// X-Forwarded-For, so that the ProxyHops-th entry from the right is the
// last a proxy wrote, and the entries left of it are whatever the client
// sent. With fewer entries than hops, the leftmost is taken.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		var hops []string
		for _, h := range r.Header.Values("X-Forwarded-For") { // in order, when a proxy added a header line
			hops = append(hops, strings.Split(h, ",")...)
		}
		if n := len(hops); n > 0 {
			if a, ok := parseAddr(strings.TrimSpace(hops[max(n-s.cfg.ProxyHops, 0)])); ok {
				return a
			}
		}
	}
	if a, ok := parseAddr(r.RemoteAddr); ok {
		return a
	}
	return r.RemoteAddr
}

// parseAddr reads an IP address, with or without a port.
func parseAddr(s string) (string, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().String(), true
	}
	return "", false
}

// isAPI tells JSON clients (the API, webhooks) from browsers.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/webhooks/")
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return u.RequestURI()
}
