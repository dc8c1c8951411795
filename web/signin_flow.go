package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/twofactor"
)

// What sign-in's steps share: the signed cookies that carry a sign-in in
// progress from one request to the next, the session that ends it, and the
// program's rule of who must use single sign-on.

// newSealer seals TOTP secrets under the operator's key, or else under one
// made once and kept in the database, which every server sharing it uses.
func newSealer(db *store.DB, key []byte) (*twofactor.Sealer, error) {
	if len(key) == 0 {
		var err error
		if key, err = db.ServerSecret(context.Background(), "two_factor"); err != nil {
			return nil, err
		}
	}
	return twofactor.NewSealer(key)
}

// sign returns v with its HMAC-SHA256 under the flow key, for the cookie
// named purpose: a value signed for one cookie is refused in another.
func (s *Server) sign(purpose, v string) string {
	return v + "." + s.mac(purpose, v)
}

func (s *Server) mac(purpose, v string) string {
	m := hmac.New(sha256.New, s.flowKey)
	m.Write([]byte(purpose + ":" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// unsign returns the value that sign signed for purpose, or false.
func (s *Server) unsign(purpose, signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '.')
	if i <= 0 {
		return "", false
	}
	v := signed[:i]
	return v, hmac.Equal([]byte(signed[i+1:]), []byte(s.mac(purpose, v)))
}

// setFlowCookie sets (or, with maxAge < 0, clears) a cookie of a sign-in
// in progress, for the paths under path only.
func (s *Server) setFlowCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge time.Duration) {
	age := int(maxAge / time.Second)
	if maxAge < 0 {
		age = -1
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: age})
}

// startSession signs userID in (by method) and sends them to next.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64, method, next string) error {
	sess, err := s.db.CreateSessionVia(r.Context(), userID, method, s.cfg.SessionTTL, s.clientIP(r), r.UserAgent())
	if pd.ErrorCode(err) == pd.EForbidden {
		// The user's partner is deactivated: the password (or code, or
		// provider) was right, but nobody of that partner signs in.
		s.cfg.Metrics.SignIn(metrics.SignInFailure)
		w.WriteHeader(http.StatusForbidden)
		s.render(w, r, "login", &loginPage{Problem: "deactivated", SSO: s.ssoName()})
		return nil
	} else if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL / time.Second)})
	s.cfg.Metrics.SignIn(metrics.SignInSuccess)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

// mustUseSSO reports whether email must sign in with single sign-on: its
// domain is one the program lists, and this server offers single sign-on
// (without it, the list is not enforced, so that an operator who turns it
// off does not lock those users out). Password sign-in and password reset
// refuse such an email.
func (s *Server) mustUseSSO(ctx context.Context, email string) (bool, error) {
	if s.sso == nil {
		return false, nil
	}
	p, err := s.db.SignInPolicy(ctx)
	if err != nil {
		return false, err
	}
	return p.MustUseSSO(email), nil
}

// ssoName is the single sign-on provider's name for the sign-in page, ""
// without one.
func (s *Server) ssoName() string {
	if s.sso == nil {
		return ""
	}
	return s.sso.Name()
}
