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
	"github.com/partnerdesk/partnerdesk/password"
)

// Password reset by email. Both pages are public: the request page
// answers the same, in about the same time, whether or not the address
// has an account, and its requests are counted in the database; the
// reset page takes a link's secret, which only the account's mailbox
// received.

type forgotPage struct {
	Email string
	// Problem, for the template's words: "too_long", "limited" (for Wait).
	Problem string
	Wait    time.Duration
	Sent    bool
}

// WaitMinutes is Wait, rounded up.
func (p *forgotPage) WaitMinutes() int { return int(math.Ceil(p.Wait.Minutes())) }

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "password_forgot", &forgotPage{})
	return nil
}

// forgotPassword asks for a reset link. Whatever the address, the answer
// is the same and comes resetFloor after the request at the earliest.
func (s *Server) forgotPassword(w http.ResponseWriter, r *http.Request) error {
	defer evenOut(r.Context(), time.Now(), s.resetFloor)
	addr := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	page := &forgotPage{Email: addr}
	if len(addr) > 254 {
		w.WriteHeader(http.StatusBadRequest)
		page.Problem = "too_long"
		s.render(w, r, "password_forgot", page)
		return nil
	}
	// An address that must sign in with single sign-on has no password
	// to reset: it gets the same answer, and no link.
	if sso, err := s.mustUseSSO(r.Context(), addr); err != nil {
		return err
	} else if sso {
		page.Sent = true
		s.render(w, r, "password_forgot", page)
		return nil
	}
	wait, err := s.db.RequestPasswordReset(r.Context(), s.mail, s.resetLimits, addr, s.clientIP(r))
	if err != nil {
		return err
	}
	if wait > 0 {
		page.Problem, page.Wait = "limited", wait
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		w.WriteHeader(http.StatusTooManyRequests)
		s.render(w, r, "password_forgot", page)
		return nil
	}
	page.Sent = true
	s.render(w, r, "password_forgot", page)
	return nil
}

// evenOut waits until floor has passed since start (or ctx ends).
func evenOut(ctx context.Context, start time.Time, floor time.Duration) {
	t := time.NewTimer(time.Until(start.Add(floor)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

type resetPage struct {
	Token string
	Email string
	// Problem, for the template's words: "gone" (used, expired or never
	// was), "busy"; Error is the password policy's message.
	Problem string
	Error   string
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	u, err := s.db.ResetLink(r.Context(), token)
	if pd.ErrorCode(err) == pd.ENotFound {
		w.WriteHeader(http.StatusNotFound)
		s.render(w, r, "password_reset", &resetPage{Problem: "gone"})
		return nil
	} else if err != nil {
		return err
	}
	s.render(w, r, "password_reset", &resetPage{Token: token, Email: u.Email})
	return nil
}

// resetPassword sets the new password of a reset link's user: the link is
// checked before the password is hashed (a hash costs a slot), and used up
// as the password is stored, once only. Every session of the user ends,
// this browser's too: it signs in again with the new password.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	pw := r.PostFormValue("password")
	refuse := func(status int, page *resetPage) error {
		w.WriteHeader(status)
		s.render(w, r, "password_reset", page)
		return nil
	}
	u, err := s.db.ResetLink(r.Context(), token)
	if pd.ErrorCode(err) == pd.ENotFound {
		return refuse(http.StatusNotFound, &resetPage{Problem: "gone"})
	} else if err != nil {
		return err
	}
	page := &resetPage{Token: token, Email: u.Email}
	hash, err := s.hashing.New(r.Context(), pw)
	switch {
	case errors.Is(err, password.ErrBusy):
		w.Header().Set("Retry-After", fmt.Sprint(int(busyRetryAfter.Seconds())))
		page.Problem = "busy"
		return refuse(http.StatusServiceUnavailable, page)
	case pd.ErrorCode(err) == pd.EInvalid:
		page.Error = s.errorText(r, err)
		return refuse(http.StatusBadRequest, page)
	case err != nil:
		return err
	}
	if err := s.db.ResetPassword(r.Context(), token, hash); pd.ErrorCode(err) == pd.ENotFound {
		return refuse(http.StatusNotFound, &resetPage{Problem: "gone"})
	} else if err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login?notice=reset", http.StatusSeeOther)
	return nil
}
