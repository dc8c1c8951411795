package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/twofactor"
)

// A user's two-factor sign-in, at /account/two-factor: set up (a secret
// made here, shown as a QR code until a code from the app confirms it),
// recovery codes (shown once), and turning it off (with the password or a
// code).

type twoFactorView struct {
	On           bool
	RecoveryLeft int
	// Enrolment is shown while a secret waits for its first code.
	Enrolment *enrolmentView
	// Codes are recovery codes just made: this page is the only one that
	// ever shows them.
	Codes []string
	// Required says the program requires two-factor sign-in of this user.
	Required bool
	// Problem is "wrong", "limited" (for Wait), "busy" or "too_long";
	// Notice "on" or "off".
	Problem, Notice string
	WaitMinutes     int
}

type enrolmentView struct {
	QR     template.URL // a PNG data URI
	Secret string       // in groups of four, for typing into an app
	URL    string       // otpauth://
}

// twoFactorPage renders the page as the user's second factor stands, with
// v's problem, notice or codes.
func (s *Server) twoFactorPage(w http.ResponseWriter, r *http.Request, status int, v *twoFactorView) error {
	ctx := r.Context()
	p := pd.PrincipalFrom(ctx)
	tf, err := s.db.OwnTwoFactor(ctx)
	if err != nil {
		return err
	}
	pol, err := s.db.SignInPolicy(ctx)
	if err != nil {
		return err
	}
	v.On, v.RecoveryLeft = tf.Confirmed, tf.RecoveryCodesLeft
	v.Required = pol.AdminTwoFactor && p.Role == pd.RoleProgramAdmin
	if !tf.Confirmed && tf.Secret != "" {
		secret, err := s.sealer.Open(tf.Secret, p.UserID)
		if err == nil {
			prog, err := s.db.Program(ctx)
			if err != nil {
				return err
			}
			e, err := twofactor.Enrol(prog.Name, p.Email, secret)
			if err != nil {
				return err
			}
			v.Enrolment = &enrolmentView{QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.PNG)),
				Secret: groupsOfFour(secret), URL: e.URL}
		}
		// A secret that no longer opens (another key) is made again by
		// the set-up button.
	}
	return s.renderAdmin(w, r, status, "two_factor", "two_factor", v)
}

func groupsOfFour(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *Server) twoFactorForm(w http.ResponseWriter, r *http.Request) error {
	return s.twoFactorPage(w, r, 0, &twoFactorView{Notice: noticeOf(r, "on", "off")})
}

func noticeOf(r *http.Request, allowed ...string) string {
	n := r.URL.Query().Get("notice")
	for _, a := range allowed {
		if n == a {
			return n
		}
	}
	return ""
}

// setUpTwoFactor makes a new secret, to be confirmed.
func (s *Server) setUpTwoFactor(w http.ResponseWriter, r *http.Request) error {
	p := pd.PrincipalFrom(r.Context())
	if err := s.db.BeginTwoFactor(r.Context(), s.sealer.Seal(twofactor.NewSecret(), p.UserID)); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/two-factor", http.StatusSeeOther)
	return nil
}

// confirmTwoFactor turns two-factor sign-in on with a first code from the
// app, and shows the recovery codes.
func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := pd.PrincipalFrom(ctx)
	tf, err := s.db.OwnTwoFactor(ctx)
	if err != nil {
		return err
	}
	if tf.Confirmed || tf.Secret == "" {
		http.Redirect(w, r, "/account/two-factor", http.StatusSeeOther)
		return nil
	}
	secret, err := s.sealer.Open(tf.Secret, p.UserID)
	if err != nil {
		return fmt.Errorf("confirm two-factor sign-in: %w", err)
	}
	step, ok := twofactor.Match(secret, r.PostFormValue("code"), s.now(), tf.LastStep)
	if !ok {
		return s.twoFactorPage(w, r, http.StatusBadRequest, &twoFactorView{Problem: "wrong"})
	}
	codes, hashes := newRecoveryCodes()
	if err := s.db.ConfirmTwoFactor(ctx, step, hashes); err != nil {
		return err
	}
	return s.twoFactorPage(w, r, 0, &twoFactorView{Notice: "on", Codes: codes})
}

func newRecoveryCodes() (codes, hashes []string) {
	codes = twofactor.NewRecoveryCodes()
	for _, c := range codes {
		hashes = append(hashes, twofactor.HashRecoveryCode(c))
	}
	return codes, hashes
}

// replaceRecoveryCodes makes new recovery codes, for a code.
func (s *Server) replaceRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.proveSignIn(w, r, false); err != nil || !ok {
		return err
	}
	codes, hashes := newRecoveryCodes()
	if err := s.db.ReplaceRecoveryCodes(r.Context(), hashes); err != nil {
		return err
	}
	return s.twoFactorPage(w, r, 0, &twoFactorView{Codes: codes})
}

// disableTwoFactor turns two-factor sign-in off, for the password or a code.
func (s *Server) disableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.proveSignIn(w, r, true); err != nil || !ok {
		return err
	}
	if err := s.db.DisableTwoFactor(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/two-factor?notice=off", http.StatusSeeOther)
	return nil
}

// proveSignIn checks that the signed-in user can sign in now: the form's
// code (TOTP or recovery, then spent), or with withPassword its password.
// Each try counts against the sign-in limits, as at sign-in, so that a
// taken session cannot guess the password or codes faster. On false it has
// answered with the page and its problem.
func (s *Server) proveSignIn(w http.ResponseWriter, r *http.Request, withPassword bool) (bool, error) {
	ctx := r.Context()
	p := pd.PrincipalFrom(ctx)
	refuse := func(status int, v *twoFactorView) (bool, error) {
		return false, s.twoFactorPage(w, r, status, v)
	}
	pw, code := r.PostFormValue("password"), strings.TrimSpace(r.PostFormValue("code"))
	if len(pw) > password.MaxBytes || len(code) > maxCodeLen {
		return refuse(http.StatusBadRequest, &twoFactorView{Problem: "too_long"})
	}
	if !withPassword {
		pw = ""
	}
	res, err := s.db.ReserveSignIn(ctx, s.limits, p.Email, s.clientIP(r))
	if err != nil {
		return false, err
	}
	if res.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(res.RetryAfter.Seconds()))))
		return refuse(http.StatusTooManyRequests, &twoFactorView{Problem: "limited", WaitMinutes: int(math.Ceil(res.RetryAfter.Minutes()))})
	}
	var ok bool
	if pw != "" {
		_, hash, err := s.db.Credentials(ctx, p.Email)
		if err != nil && pd.ErrorCode(err) != pd.EUnauthorized {
			return false, errors.Join(err, s.db.CancelSignIn(ctx, res))
		}
		var verr error
		ok, _, verr = s.hashing.Verify(ctx, pw, hash)
		if errors.Is(verr, password.ErrBusy) || errors.Is(verr, context.Canceled) {
			if err := s.db.CancelSignIn(ctx, res); err != nil {
				return false, err
			}
			w.Header().Set("Retry-After", fmt.Sprint(int(busyRetryAfter.Seconds())))
			return refuse(http.StatusServiceUnavailable, &twoFactorView{Problem: "busy"})
		}
		ok = ok && verr == nil && err == nil
	} else {
		var f store.SecondFactor
		if f, ok, err = s.secondFactor(ctx, p.UserID, code); err == nil && ok {
			ok, err = s.db.SpendSecondFactor(ctx, f)
		}
		if err != nil {
			return false, err
		}
	}
	if !ok {
		return refuse(http.StatusUnauthorized, &twoFactorView{Problem: "wrong"})
	}
	return true, s.db.CancelSignIn(ctx, res)
}
