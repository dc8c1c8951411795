package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
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
	Settings pd.Program
	// Days are the day counts by field name, as entered: kept after a
	// mistake.
	Days   map[string]string
	Owners []string
	Notice bool
	// Problems are the refused form's, by field name, each shown beside
	// its field.
	Problems  map[string]string
	SignIn    *signInSettingsView    // the sign-in rules' own form (admin_signin.go)
	Directory *directorySettingsView // the directory's own form (profile.go)
}

// programDays are the program form's day counts: field name, what it is
// (for a message), and where the setting is.
func programDays(p *pd.Program) []struct {
	name, msg string
	dst       *int
} {
	return []struct {
		name, msg string
		dst       *int
	}{{"renewal_horizon_days", msgHorizonDays, &p.RenewalHorizonDays}, {"decision_deadline_days", msgDeadlineDays, &p.DecisionDeadlineDays},
		{"digest_days", msgDigestDays, &p.DigestDays},
		{"confirmation_expiry_days", msgLinkExpiryDays, &p.ConfirmationExpiryDays},
		{"confirmation_credit_days", msgLinkCreditDays, &p.ConfirmationCreditDays}}
}

// The refusals of a days field that is no number (catalog keys).
const (
	msgHorizonDays    = "The renewal horizon is a whole number of days."
	msgDeadlineDays   = "The decision deadline is a whole number of days."
	msgDigestDays     = "The digest's window is a whole number of days."
	msgLinkExpiryDays = "A confirmation link's expiry is a whole number of days."
	msgLinkCreditDays = "A confirmed link's credit window is a whole number of days."
)

func programFormOf(p pd.Program) *programFormView {
	pv := &programFormView{Settings: p, Owners: []string{pd.OwnerVendor, pd.OwnerPartner}, Days: map[string]string{}}
	for _, f := range programDays(&p) {
		pv.Days[f.name] = strconv.Itoa(*f.dst)
	}
	return pv
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
	var bad pd.FieldErrors
	for _, f := range programDays(&p) {
		if _, sent := r.PostForm[f.name]; !sent && (f.dst == &p.DigestDays || f.dst == &p.ConfirmationExpiryDays || f.dst == &p.ConfirmationCreditDays) {
			continue // a form without the field keeps the setting
		}
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			bad.Add(f.name, "%s", f.msg)
		}
		*f.dst = n
	}
	if len(bad) == 0 {
		err = s.db.UpdateProgram(r.Context(), p)
	} else {
		// Every other field's problem shows at once too; a deadline is
		// not judged against a horizon that is no number.
		seen := bad.ByField()
		for _, pr := range pd.AsFieldErrors(store.CheckProgram(p)) {
			if _, ok := seen[pr.Field]; !ok && (pr.Field != "decision_deadline_days" || seen["renewal_horizon_days"] == "") {
				bad = append(bad, pr)
			}
		}
		err = bad
	}
	if err != nil {
		fe := pd.AsFieldErrors(err)
		if fe == nil {
			return err
		}
		pv := programFormOf(p)
		pv.Problems = fieldProblems(s.localeOf(r), fe)
		for _, f := range programDays(&p) {
			if _, sent := r.PostForm[f.name]; sent {
				pv.Days[f.name] = r.PostFormValue(f.name)
			}
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
