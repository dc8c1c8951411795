package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

type auditView struct {
	URL     *url.URL
	Entries []pd.AuditEntry
	Total   int
	PageNo  int
	Pages   int
}

// auditPage shows a partner's audit log to its admins and vendor staff.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	if pd.PrincipalFrom(r.Context()).Role == pd.RolePartnerEmployee {
		return pd.Errorf(pd.EForbidden, "Only partner admins see the audit log.")
	}
	page, size, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	es, total, err := s.db.AuditLog(r.Context(), (page-1)*size, size)
	if err != nil {
		return err
	}
	v, err := s.dashboard(r, "audit", &auditView{URL: r.URL, Entries: es, Total: total, PageNo: page, Pages: (total + size - 1) / size})
	if err != nil {
		return err
	}
	s.render(w, r, "audit", v)
	return nil
}

// The program's settings, for program admins (store.UpdateProgram applies
// a new default communication owner to the renewals that follow it).

type programFormView struct {
	Settings                  pd.Program
	Horizon, Deadline, Digest string // as entered, kept after a mistake
	Owners                    []string
	Notice                    bool
	Error                     string
	SignIn                    *signInSettingsView    // the sign-in rules' own form (admin_signin.go)
	Directory                 *directorySettingsView // the directory's own form (profile.go)
}

func programFormOf(p pd.Program) *programFormView {
	return &programFormView{Settings: p, Owners: []string{pd.OwnerVendor, pd.OwnerPartner},
		Horizon: strconv.Itoa(p.RenewalHorizonDays), Deadline: strconv.Itoa(p.DecisionDeadlineDays), Digest: strconv.Itoa(p.DigestDays)}
}

func (s *Server) programForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.ProgramSettings(r.Context())
	if err != nil {
		return err
	}
	pv := programFormOf(p)
	pv.Notice = r.URL.Query().Get("notice") == "saved"
	if pv.SignIn, err = s.signInSettings(r, r.URL.Query().Get("notice") == "sign-in"); err != nil {
		return err
	}
	if pv.Directory, err = s.directorySettings(r, r.URL.Query().Get("notice") == "directory"); err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "program", "admin_program", pv)
}

func (s *Server) saveProgram(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.db.ProgramSettings(r.Context())
	if err != nil {
		return err
	}
	p := pd.Program{Name: r.PostFormValue("name"), Currency: r.PostFormValue("currency"), TimeZone: r.PostFormValue("time_zone"),
		RefreshStart: r.PostFormValue("refresh_start"), RefreshEnd: r.PostFormValue("refresh_end"),
		CreditExpiryMonths: cur.CreditExpiryMonths, DefaultCommOwner: r.PostFormValue("default_comm_owner"), DigestDays: cur.DigestDays,
		ConfirmationExpiryDays: cur.ConfirmationExpiryDays, ConfirmationCreditDays: cur.ConfirmationCreditDays}
	var bad formErrors
	for _, f := range []struct {
		name string
		bad  *pd.Error
		dst  *int
	}{{"renewal_horizon_days", pd.Errorf(pd.EInvalid, "The renewal horizon is a whole number of days."), &p.RenewalHorizonDays},
		{"decision_deadline_days", pd.Errorf(pd.EInvalid, "The decision deadline is a whole number of days."), &p.DecisionDeadlineDays},
		{"digest_days", pd.Errorf(pd.EInvalid, "The digest's window is a whole number of days."), &p.DigestDays},
		{"confirmation_expiry_days", pd.Errorf(pd.EInvalid, "A confirmation link's expiry is a whole number of days."), &p.ConfirmationExpiryDays},
		{"confirmation_credit_days", pd.Errorf(pd.EInvalid, "A confirmed link's credit window is a whole number of days."), &p.ConfirmationCreditDays}} {
		if _, sent := r.PostForm[f.name]; !sent && (f.dst == &p.DigestDays || f.dst == &p.ConfirmationExpiryDays || f.dst == &p.ConfirmationCreditDays) {
			continue // a form without the field keeps the setting
		}
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			bad = append(bad, f.bad)
		}
		*f.dst = n
	}
	if len(bad) == 0 {
		err = s.db.UpdateProgram(r.Context(), p)
	} else {
		err = bad
	}
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		pv := programFormOf(p)
		pv.Horizon, pv.Deadline, pv.Error = r.PostFormValue("renewal_horizon_days"), r.PostFormValue("decision_deadline_days"), s.errorText(r, err)
		if _, sent := r.PostForm["digest_days"]; sent {
			pv.Digest = r.PostFormValue("digest_days")
		}
		if pv.SignIn, err = s.signInSettings(r, false); err != nil {
			return err
		}
		if pv.Directory, err = s.directorySettings(r, false); err != nil {
			return err
		}
		return s.renderAdmin(w, r, http.StatusBadRequest, "program", "admin_program", pv)
	}
	http.Redirect(w, r, "/admin/program?notice=saved", http.StatusSeeOther)
	return nil
}
