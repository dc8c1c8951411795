package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
)

// health is the liveness probe: the process serves requests. It asks the
// database nothing, so that a busy database never gets the server killed.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintln(w, "ok")
	return nil
}

// ready is the readiness probe: the database answers and can durably take
// writes (store.Ready). When it cannot, the answer is 503 with the reason
// in plain text, for a load balancer and for the operator.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain")
	if err := s.db.Ready(r.Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(status(pd.ErrorCode(err)))
		fmt.Fprintln(w, pd.ErrorMessage(err))
		return nil
	}
	fmt.Fprintln(w, "ok")
	return nil
}

type loginPage struct {
	Email string
	Next  string
	Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if pd.PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, "login", &loginPage{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// dummyHash is verified against when the email is unknown, so that the
// response time does not tell which accounts exist.
var dummyHash, _ = password.Hash("not a real password", password.Default)

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	pw := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	page := &loginPage{Email: email, Next: next}
	if len(email) > 254 || len(pw) > 1024 {
		w.WriteHeader(http.StatusBadRequest)
		page.Error = "Email or password is too long."
		s.render(w, r, "login", page)
		return nil
	}
	ip := s.clientIP(r)
	if ok, wait := s.limiter.allow(email, ip); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		w.WriteHeader(http.StatusTooManyRequests)
		page.Error = fmt.Sprintf("Too many failed sign-in attempts. Try again in %d minutes.", int(math.Ceil(wait.Minutes())))
		s.render(w, r, "login", page)
		return nil
	}
	id, hash, err := s.db.Credentials(r.Context(), email)
	if err != nil && pd.ErrorCode(err) != pd.EUnauthorized {
		return err
	}
	if err != nil {
		hash = dummyHash
	}
	ok, verr := password.Verify(pw, hash)
	if err != nil || verr != nil || !ok {
		s.limiter.fail(email, ip)
		w.WriteHeader(http.StatusUnauthorized)
		page.Error = "Wrong email or password."
		s.render(w, r, "login", page)
		return nil
	}
	s.limiter.succeed(email)
	sess, err := s.db.CreateSession(r.Context(), id, s.cfg.SessionTTL, ip, r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL / time.Second)})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// logoutEverywhere revokes every session of the user, this one included.
func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.db.DeleteUserSessions(r.Context()); err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// home sends each user to where their work starts.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := pd.PrincipalFrom(r.Context())
	if p.Role.IsPartner() {
		http.Redirect(w, r, fmt.Sprintf("/partners/%d/clients", p.PartnerID), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/admin/partners", http.StatusSeeOther)
	return nil
}
