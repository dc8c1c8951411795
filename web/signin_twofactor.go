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
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/twofactor"
)

// The second step of sign-in, for a user with two-factor sign-in on: the
// password was right, and a code from their app (or a recovery code)
// completes the sign-in. Between the two, the browser holds a signed,
// short-lived token of the pending sign-in, not a session: it opens no
// page, and works for one completed sign-in.

const (
	pendingCookie = "pd_pending"
	pendingTTL    = 5 * time.Minute
	// maxCodeLen bounds what is read of a code: a recovery code with its
	// dashes and a few spaces.
	maxCodeLen = 64
)

// startSecondStep records the pending sign-in of userID and asks for a code.
func (s *Server) startSecondStep(w http.ResponseWriter, r *http.Request, userID int64, next string) error {
	tok, err := s.db.StartPendingSignIn(r.Context(), userID, next, pendingTTL)
	if err != nil {
		return err
	}
	s.setFlowCookie(w, r, pendingCookie, s.sign(pendingCookie, tok), "/login", pendingTTL)
	http.Redirect(w, r, "/login/two-factor", http.StatusSeeOther)
	return nil
}

// pendingSignIn reads the browser's pending sign-in: its token and what it
// waits for; EUnauthorized when there is none, or it has ended.
func (s *Server) pendingSignIn(r *http.Request) (string, store.PendingSignIn, error) {
	c, err := r.Cookie(pendingCookie)
	if err != nil {
		return "", store.PendingSignIn{}, pd.Errorf(pd.EUnauthorized, "No sign-in is waiting for a code.")
	}
	tok, ok := s.unsign(pendingCookie, c.Value)
	if !ok {
		return "", store.PendingSignIn{}, pd.Errorf(pd.EUnauthorized, "No sign-in is waiting for a code.")
	}
	ps, err := s.db.PendingSignInOf(r.Context(), tok)
	return tok, ps, err
}

// expiredSecondStep sends the visitor back to the password, saying why.
func (s *Server) expiredSecondStep(w http.ResponseWriter, r *http.Request, err error) error {
	if pd.ErrorCode(err) != pd.EUnauthorized {
		return err
	}
	s.setFlowCookie(w, r, pendingCookie, "", "/login", -1)
	w.WriteHeader(http.StatusUnauthorized)
	s.render(w, r, "login", &loginPage{Next: "/", SSO: s.ssoName(), Problem: "expired"})
	return nil
}

func (s *Server) secondStepForm(w http.ResponseWriter, r *http.Request) error {
	if pd.PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if _, _, err := s.pendingSignIn(r); err != nil {
		return s.expiredSecondStep(w, r, err)
	}
	s.render(w, r, "login_code", &loginPage{})
	return nil
}

// secondStep checks a code. Each is counted against the sign-in limits
// like a password, before it is checked; a right one gives its attempt
// back. The pending sign-in ends with the first right code, and a code
// works once (a TOTP code's step is remembered, a recovery code spent).
func (s *Server) secondStep(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	tok, ps, err := s.pendingSignIn(r)
	if err != nil {
		return s.expiredSecondStep(w, r, err)
	}
	page := &loginPage{}
	refuse := func(status int, problem string) error {
		w.WriteHeader(status)
		page.Problem = problem
		s.render(w, r, "login_code", page)
		return nil
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if len(code) > maxCodeLen {
		return refuse(http.StatusBadRequest, "too_long")
	}
	res, err := s.db.ReserveSignIn(ctx, s.limits, ps.Email, s.clientIP(r))
	if err != nil {
		return err
	}
	if res.RetryAfter > 0 {
		page.Wait = res.RetryAfter
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(res.RetryAfter.Seconds()))))
		s.cfg.Metrics.SignIn(metrics.SignInLimited)
		return refuse(http.StatusTooManyRequests, "limited")
	}
	f, ok, err := s.secondFactor(ctx, ps.UserID, code)
	if err == nil && ok {
		ok, err = s.db.FinishPendingSignIn(ctx, tok, ps.UserID, f)
	}
	if err != nil {
		return err
	}
	if !ok {
		s.cfg.Metrics.SignIn(metrics.SignInFailure)
		return refuse(http.StatusUnauthorized, "wrong")
	}
	if err := s.db.SignInSucceeded(ctx, s.limits, res); err != nil {
		return err
	}
	s.setFlowCookie(w, r, pendingCookie, "", "/login", -1)
	return s.startSession(w, r, ps.UserID, store.SignInTwoFactor, ps.Next)
}

// secondFactor reads code as userID's second factor, to be spent: a TOTP
// code that matches a step not used yet, or a recovery code (whether it is
// one of the user's is known when it is spent). It reports false for a
// code that cannot be right.
func (s *Server) secondFactor(ctx context.Context, userID int64, code string) (store.SecondFactor, bool, error) {
	tf, err := s.db.TwoFactorOf(ctx, userID)
	if err != nil || !tf.Confirmed || code == "" {
		return store.SecondFactor{}, false, err
	}
	if !twofactor.IsCode(code) {
		return store.SecondFactor{RecoveryHash: twofactor.HashRecoveryCode(code)}, true, nil
	}
	secret, err := s.sealer.Open(tf.Secret, userID)
	if err != nil {
		// A changed --two-factor-key, or a damaged row: the user's app
		// codes cannot work, their recovery codes still do.
		why := "damaged"
		if errors.Is(err, twofactor.ErrOtherKey) {
			why = "sealed under another key"
		}
		s.log.WarnContext(ctx, "two-factor secret cannot be opened", "user", userID, "why", why)
		return store.SecondFactor{}, false, nil
	}
	step, ok := twofactor.Match(secret, code, s.now(), tf.LastStep)
	return store.SecondFactor{Step: step}, ok, nil
}
