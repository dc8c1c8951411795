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
	"github.com/partnerdesk/partnerdesk/store"
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
		s.log.WarnContext(r.Context(), "not ready", "err", err)
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
	// Notice is what a flow that ends on the sign-in page says: "reset"
	// (the password was changed by a reset link).
	Notice string
	// Problem says why the last attempt failed, for the template's words:
	// "too_long", "wrong", "limited" (for Wait), "busy", "sso_required",
	// "expired" (a second step that ended), "deactivated".
	Problem string
	Wait    time.Duration
	SSO     string // the single sign-on provider's name, if any
}

// WaitMinutes and WaitHours are Wait, rounded up.
func (p *loginPage) WaitMinutes() int { return int(math.Ceil(p.Wait.Minutes())) }
func (p *loginPage) WaitHours() int   { return int(math.Ceil(p.Wait.Hours())) }

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if pd.PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	page := &loginPage{Next: safeNext(r.URL.Query().Get("next")), SSO: s.ssoName()}
	if r.URL.Query().Get("notice") == "reset" {
		page.Notice = "reset"
	}
	s.render(w, r, "login", page)
	return nil
}

// busyRetryAfter is what a sign-in that found no hashing slot is told.
const busyRetryAfter = 2 * time.Second

// login checks a password. The attempt is counted against the sign-in
// limits before the password is hashed, so that concurrent guesses
// cannot all be checked, and the hash runs in one of the hasher's few
// slots, so that a burst of sign-ins cannot take the server's memory.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	// A sign-in writes up to three times (the attempt, its outcome, the
	// session); behind a long import each could wait store.LockWait for
	// the lock. One deadline over them all, with room for the hash, keeps
	// the whole sign-in within that and a hash, then 503.
	ctx, cancel := context.WithTimeout(r.Context(), store.LockWait+hashWait+time.Second)
	defer cancel()
	r = r.WithContext(ctx)
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	pw := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	page := &loginPage{Email: email, Next: next, SSO: s.ssoName()}
	refuse := func(status int, problem string) error {
		w.WriteHeader(status)
		page.Problem = problem
		s.render(w, r, "login", page)
		return nil
	}
	if len(email) > 254 || len(pw) > password.MaxBytes {
		return refuse(http.StatusBadRequest, "too_long")
	}
	if sso, err := s.mustUseSSO(ctx, email); err != nil {
		return err
	} else if sso {
		return refuse(http.StatusForbidden, "sso_required")
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
	if errors.Is(verr, password.ErrBusy) || errors.Is(verr, context.Canceled) || errors.Is(verr, context.DeadlineExceeded) {
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
	if outdated {
		s.upgradeHash(ctx, id, hash, pw)
	}
	if tf, err := s.db.TwoFactorOf(ctx, id); err != nil {
		return err
	} else if tf.Confirmed {
		// Not signed in yet: the attempt is given back without forgetting
		// the failures before it, and each code is an attempt of its own.
		if err := s.db.CancelSignIn(ctx, res); err != nil {
			return err
		}
		return s.startSecondStep(w, r, id, next)
	}
	if err := s.db.SignInSucceeded(ctx, s.limits, res); err != nil {
		return err
	}
	return s.startSession(w, r, id, store.SignInPassword, next)
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
