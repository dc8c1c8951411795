package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/oidc"
	"github.com/partnerdesk/partnerdesk/store"
)

// Single sign-on through the OpenID Connect provider: /oidc/login sends
// the browser to the provider, which sends it back to /oidc/callback. The
// flow's state, nonce and PKCE verifier travel in a signed cookie, so that
// starting a flow stores nothing on the server; a callback is accepted
// only with the cookie its flow set, and for a verified email that is an
// existing user's: single sign-on never creates an account.

const (
	flowCookie = "pd_oidc"
	flowTTL    = 10 * time.Minute
)

// ssoFlow is the flow cookie's content.
type ssoFlow struct {
	oidc.Flow
	Next    string `json:"next"`
	Expires int64  `json:"exp"` // Unix seconds, by the server's clock
}

// ssoRefusal is the page of a single sign-on that did not sign anyone in.
// Reason is "expired" (no flow, or one that ended or is not this
// browser's), "refused" (the provider's answer does not complete the
// flow), "cancelled" (the provider reports an error, such as the user
// declining), "unavailable", "unverified" or "unknown".
type ssoRefusal struct {
	Reason string
	SSO    string
}

func (s *Server) refuseSSO(w http.ResponseWriter, r *http.Request, status int, reason string) error {
	if status != http.StatusServiceUnavailable {
		s.cfg.Metrics.SignIn(metrics.SignInFailure)
	}
	w.WriteHeader(status)
	s.render(w, r, "sso_refused", &ssoRefusal{Reason: reason, SSO: s.ssoName()})
	return nil
}

// callbackURL is where the provider sends the browser back: this server,
// as the browser reached it. The provider accepts only the URLs registered
// with it, so a request naming another host gets nowhere.
func (s *Server) callbackURL(r *http.Request) string {
	scheme := "http"
	if s.overTLS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/oidc/callback"
}

func (s *Server) ssoLogin(w http.ResponseWriter, r *http.Request) error {
	if s.sso == nil {
		return pd.Errorf(pd.ENotFound, "Single sign-on is not configured on this server.")
	}
	next := safeNext(r.URL.Query().Get("next"))
	if pd.PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	f := ssoFlow{Flow: oidc.NewFlow(), Next: next, Expires: s.now().Add(flowTTL).Unix()}
	to, err := s.sso.AuthURL(r.Context(), s.callbackURL(r), f.Flow)
	if err != nil {
		s.log.WarnContext(r.Context(), "single sign-on unavailable", "err", err)
		return s.refuseSSO(w, r, http.StatusServiceUnavailable, "unavailable")
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	s.setFlowCookie(w, r, flowCookie, s.sign(flowCookie, base64.RawURLEncoding.EncodeToString(b)), "/oidc", flowTTL)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// readFlow returns the browser's flow, if it is one this server signed and
// it has not ended.
func (s *Server) readFlow(r *http.Request) (ssoFlow, bool) {
	var f ssoFlow
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return f, false
	}
	v, ok := s.unsign(flowCookie, c.Value)
	if !ok {
		return f, false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || json.Unmarshal(b, &f) != nil {
		return f, false
	}
	return f, f.State != "" && s.now().Unix() < f.Expires
}

func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	if s.sso == nil {
		return pd.Errorf(pd.ENotFound, "Single sign-on is not configured on this server.")
	}
	ctx := r.Context()
	// A flow is completed once, or not at all: its cookie goes whatever
	// the outcome.
	f, ok := s.readFlow(r)
	s.setFlowCookie(w, r, flowCookie, "", "/oidc", -1)
	if !ok {
		return s.refuseSSO(w, r, http.StatusBadRequest, "expired")
	}
	q := r.URL.Query()
	if q.Get("error") != "" {
		return s.refuseSSO(w, r, http.StatusForbidden, "cancelled")
	}
	id, err := s.sso.Finish(ctx, s.callbackURL(r), f.Flow, q.Get("state"), q.Get("code"))
	switch {
	case errors.Is(err, oidc.ErrRefused):
		s.log.InfoContext(ctx, "single sign-on refused", "err", err)
		return s.refuseSSO(w, r, http.StatusBadRequest, "refused")
	case err != nil:
		s.log.WarnContext(ctx, "single sign-on unavailable", "err", err)
		return s.refuseSSO(w, r, http.StatusServiceUnavailable, "unavailable")
	case !id.EmailVerified || id.Email == "":
		return s.refuseSSO(w, r, http.StatusForbidden, "unverified")
	}
	userID, _, err := s.db.Credentials(ctx, strings.ToLower(strings.TrimSpace(id.Email)))
	if pd.ErrorCode(err) == pd.EUnauthorized {
		return s.refuseSSO(w, r, http.StatusForbidden, "unknown")
	} else if err != nil {
		return err
	}
	return s.startSession(w, r, userID, store.SignInSSO, f.Next)
}
