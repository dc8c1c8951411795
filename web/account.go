package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/password"
)

// The account page: any signed-in user's name, password, digest emails
// and sessions. Two-factor sign-in has a page of its own, linked from it.

type accountView struct {
	Account *pd.Account
	Notice  string
	// Form names the form a refusal came from ("name", "password");
	// Problem says why, for the template's words ("wrong", "limited",
	// "busy"), or Error does, in the store's or the policy's words.
	Form, Problem, Error string
	Name                 string // as entered, kept after a mistake
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	av := &accountView{}
	switch n := r.URL.Query().Get("notice"); n {
	case "name", "password", "digest_on", "digest_off", "revoked", "revoked_others", "language":
		av.Notice = n
	}
	return s.renderAccount(w, r, 0, av)
}

// renderAccount renders the account page with av's notice or refusal
// (code 0 is 200).
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, code int, av *accountView) error {
	a, err := s.db.Account(r.Context())
	if err != nil {
		return err
	}
	av.Account = a
	if av.Name == "" {
		av.Name = a.Name
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	if code != 0 {
		w.WriteHeader(code)
	}
	s.render(w, r, "account", &view{Program: prog, Nav: "account", Data: av})
	return nil
}

func (s *Server) saveAccountName(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	if err := s.db.SetAccountName(r.Context(), name); pd.ErrorCode(err) == pd.EInvalid {
		return s.renderAccount(w, r, http.StatusBadRequest, &accountView{Form: "name", Error: s.errorText(r, err), Name: name})
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=name", http.StatusSeeOther)
	return nil
}

// changePassword checks the current password like a sign-in (counted
// against the same limits, so that a stolen session cannot guess it
// faster) before it sets the new one; the user's other sessions end.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := pd.PrincipalFrom(ctx)
	current, next := r.PostFormValue("current_password"), r.PostFormValue("password")
	refuse := func(code int, problem, msg string) error {
		return s.renderAccount(w, r, code, &accountView{Form: "password", Problem: problem, Error: msg})
	}
	if len(current) > password.MaxBytes {
		return refuse(http.StatusBadRequest, "wrong", "")
	}
	res, err := s.db.ReserveSignIn(ctx, s.limits, p.Email, s.clientIP(r))
	if err != nil {
		return err
	}
	if res.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(res.RetryAfter.Seconds()))))
		s.cfg.Metrics.SignIn(metrics.SignInLimited)
		return refuse(http.StatusTooManyRequests, "limited", "")
	}
	old, err := s.db.PasswordHash(ctx)
	if err != nil {
		return errors.Join(err, s.db.CancelSignIn(context.WithoutCancel(ctx), res))
	}
	ok, _, err := s.hashing.Verify(ctx, current, old)
	if errors.Is(err, password.ErrBusy) || errors.Is(err, context.Canceled) {
		if err := s.db.CancelSignIn(context.WithoutCancel(ctx), res); err != nil {
			return err
		}
		w.Header().Set("Retry-After", fmt.Sprint(int(busyRetryAfter.Seconds())))
		return refuse(http.StatusServiceUnavailable, "busy", "")
	}
	if err != nil || !ok {
		s.cfg.Metrics.SignIn(metrics.SignInFailure)
		return refuse(http.StatusBadRequest, "wrong", "")
	}
	if err := s.db.SignInSucceeded(ctx, s.limits, res); err != nil {
		return err
	}
	hash, err := s.hashing.New(ctx, next)
	switch {
	case errors.Is(err, password.ErrBusy):
		w.Header().Set("Retry-After", fmt.Sprint(int(busyRetryAfter.Seconds())))
		return refuse(http.StatusServiceUnavailable, "busy", "")
	case pd.ErrorCode(err) == pd.EInvalid:
		return refuse(http.StatusBadRequest, "", s.errorText(r, err))
	case err != nil:
		return err
	}
	if err := s.db.ChangePassword(ctx, old, hash); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=password", http.StatusSeeOther)
	return nil
}

func (s *Server) setDigestEmails(w http.ResponseWriter, r *http.Request) error {
	on := r.PostFormValue("digest") == "on"
	if err := s.db.SetDigestEmails(r.Context(), on); err != nil {
		return err
	}
	notice := "digest_off"
	if on {
		notice = "digest_on"
	}
	http.Redirect(w, r, "/account?notice="+notice, http.StatusSeeOther)
	return nil
}

// revokeSession ends one of the user's sessions; ending the current one
// signs out.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PostFormValue("session"), 10, 64)
	if err != nil || id <= 0 {
		return pd.Errorf(pd.EInvalid, "Choose a session from the list.")
	}
	if err := s.db.RevokeSession(r.Context(), id); err != nil {
		return err
	}
	if id == pd.PrincipalFrom(r.Context()).SessionID {
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account?notice=revoked", http.StatusSeeOther)
	return nil
}

func (s *Server) revokeOtherSessions(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.db.RevokeOtherSessions(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=revoked_others", http.StatusSeeOther)
	return nil
}

// saveAccountLanguage keeps the user's language ("" follows the browser),
// and the lang cookie with it, so that signing out keeps the language.
func (s *Server) saveAccountLanguage(w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("language")
	if code != "" && s.locales.Get(code) == nil {
		return pd.Errorf(pd.EInvalid, "Unknown language.")
	}
	if err := s.db.SetLanguage(r.Context(), code); err != nil {
		return err
	}
	c := &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: langCookieAge,
		Secure: r.TLS != nil, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if code == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, "/account?notice=language", http.StatusSeeOther)
	return nil
}
