package web

import (
	"net/http"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's sign-in rules, a form of their own on the program
// settings page: two-factor sign-in required of program admins, and the
// email domains that must use single sign-on.

type signInSettingsView struct {
	AdminTwoFactor bool
	Domains        string // one per line, or as entered after a mistake
	SSO            string // the provider's name; "" when the server has none
	Notice         bool
	Error          string
}

// signInSettings is the sign-in form as saved.
func (s *Server) signInSettings(r *http.Request, saved bool) (*signInSettingsView, error) {
	p, err := s.db.SignInPolicy(r.Context())
	if err != nil {
		return nil, err
	}
	return &signInSettingsView{AdminTwoFactor: p.AdminTwoFactor, Domains: strings.Join(p.SSODomains, "\n"),
		SSO: s.ssoName(), Notice: saved}, nil
}

func (s *Server) saveSignInSettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cur, err := s.db.ProgramSettings(ctx)
	if err != nil {
		return err
	}
	pol := pd.SignInPolicy{AdminTwoFactor: r.PostFormValue("admin_two_factor") != ""}
	pol.SSODomains, err = pd.ParseDomains(r.PostFormValue("sso_domains"))
	if err == nil && len(pol.SSODomains) > 0 && s.sso == nil {
		err = pd.Errorf(pd.EInvalid, "This server offers no single sign-on (see --oidc-issuer), so no domain can be required to use it.")
	}
	if err == nil {
		err = s.db.UpdateSignInPolicy(ctx, pol)
	}
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		pv := programFormOf(cur)
		pv.SignIn = &signInSettingsView{AdminTwoFactor: pol.AdminTwoFactor, Domains: r.PostFormValue("sso_domains"),
			SSO: s.ssoName(), Error: s.errorText(r, err)}
		var derr error
		if pv.Directory, derr = s.directorySettings(r, false); derr != nil {
			return derr
		}
		return s.renderAdmin(w, r, http.StatusBadRequest, "program", "admin_program", pv)
	}
	http.Redirect(w, r, "/admin/program?notice=sign-in#sign-in", http.StatusSeeOther)
	return nil
}
