package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/password"
)

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintln(w, "ok")
	return nil
}

type loginPage struct {
	Email string
	Next  string
	// Problem says why the last attempt failed, for the template's words:
	// "too_long", "wrong", "limited" (for Wait), "busy".
	Problem string
	Wait    time.Duration
}

// WaitMinutes and WaitHours are Wait, rounded up.
func (p *loginPage) WaitMinutes() int { return int(math.Ceil(p.Wait.Minutes())) }
func (p *loginPage) WaitHours() int   { return int(math.Ceil(p.Wait.Hours())) }

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if pd.PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, "login", &loginPage{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// busyRetryAfter is what a sign-in that found no hashing slot is told.
const busyRetryAfter = 2 * time.Second

// login checks a password. The attempt is counted against the sign-in
// limits before the password is hashed, so that concurrent guesses
// cannot all be checked, and the hash runs in one of the hasher's few
// slots, so that a burst of sign-ins cannot take the server's memory.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	pw := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	page := &loginPage{Email: email, Next: next}
	refuse := func(status int, problem string) error {
		w.WriteHeader(status)
		page.Problem = problem
		s.render(w, r, "login", page)
		return nil
	}
	if len(email) > 254 || len(pw) > password.MaxBytes {
		return refuse(http.StatusBadRequest, "too_long")
	}
	ip := s.clientIP(r)
	res, err := s.db.ReserveSignIn(ctx, s.limits, email, ip)
	if err != nil {
		return err
	}
	if res.RetryAfter > 0 {
		page.Wait = res.RetryAfter
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(res.RetryAfter.Seconds()))))
		s.cfg.Metrics.SignIn(metrics.SignInLimited)
		return refuse(http.StatusTooManyRequests, "limited")
	}
	id, hash, err := s.db.Credentials(ctx, email)
	if err != nil && pd.ErrorCode(err) != pd.EUnauthorized {
		return errors.Join(err, s.db.CancelSignIn(context.WithoutCancel(ctx), res))
	}
	ok, outdated, verr := s.hashing.Verify(ctx, pw, hash) // hash is "" for an unknown email
	if errors.Is(verr, password.ErrBusy) || errors.Is(verr, context.Canceled) {
		// No slot came free (or the client left while waiting): the
		// password was not checked, and the attempt does not count.
		if err := s.db.CancelSignIn(context.WithoutCancel(ctx), res); err != nil {
			return err
		}
		w.Header().Set("Retry-After", fmt.Sprint(int(busyRetryAfter.Seconds())))
		s.cfg.Metrics.SignIn(metrics.SignInBusy)
		return refuse(http.StatusServiceUnavailable, "busy")
	}
	if err != nil || verr != nil || !ok {
		s.cfg.Metrics.SignIn(metrics.SignInFailure)
		return refuse(http.StatusUnauthorized, "wrong")
	}
	if err := s.db.SignInSucceeded(ctx, s.limits, res); err != nil {
		return err
	}
	if outdated {
		s.upgradeHash(ctx, id, hash, pw)
	}
	sess, err := s.db.CreateSession(ctx, id, s.cfg.SessionTTL, ip, r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL / time.Second)})
	s.cfg.Metrics.SignIn(metrics.SignInSuccess)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// upgradeHash replaces a hash made with other parameters than the
// hasher's by a new one of the password that just matched it. It never
// fails the sign-in: the next one tries again.
func (s *Server) upgradeHash(ctx context.Context, userID int64, old, pw string) {
	h, err := s.hashing.Hash(ctx, pw)
	if err == nil {
		err = s.db.UpgradePasswordHash(ctx, userID, old, h)
	}
	if err != nil {
		s.log.Warn("upgrade password hash", "user", userID, "err", err)
	}
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

// home sends each user to where their work starts: partner users to their
// dashboard, partner managers and consultants to their book, other staff
// to the partners.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := pd.PrincipalFrom(r.Context())
	switch {
	case p.Role.IsPartner():
		http.Redirect(w, r, fmt.Sprintf("/partners/%d/clients", p.PartnerID), http.StatusSeeOther)
	case p.Role == pd.RolePartnerManager || p.Role == pd.RolePartnerConsultant:
		http.Redirect(w, r, "/admin/book", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/admin/partners", http.StatusSeeOther)
	}
	return nil
}
