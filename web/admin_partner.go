package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/locale"
	"github.com/partnerdesk/partnerdesk/store"
)

// The program admin's pages about one partner: what it is and what can be
// done to it, its form (new or edit), and the changes, those that cannot
// be taken back asking first on a page of their own (a post without
// confirm=yes changes nothing). The store checks the role and the data.

type partnerAdminView struct {
	Partner    *pd.Partner
	Assignment *pd.TierAssignment
	Policy     pd.TierPolicy
	Notice     string
}

var partnerNotices = map[string]bool{"created": true, "saved": true, "deactivated": true, "reactivated": true,
	"invited": true, "withdrawn": true, "tier": true}

func (s *Server) partnerAdminPage(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.db.AdminPartner(r.Context(), pathID(r, "partner"))
	if err != nil {
		return err
	}
	pol, err := s.db.TierPolicy(r.Context())
	if err != nil {
		return err
	}
	av := &partnerAdminView{Partner: p, Assignment: a, Policy: pol}
	if n := r.URL.Query().Get("notice"); partnerNotices[n] {
		av.Notice = n
	}
	return s.renderAdmin(w, r, 0, "partners", "admin_partner", av)
}

func backToPartner(w http.ResponseWriter, r *http.Request, id int64, notice string) error {
	http.Redirect(w, r, fmt.Sprintf("/admin/partners/%d?notice=%s", id, notice), http.StatusSeeOther)
	return nil
}

// partnerFormView is the partner form, new (Partner nil) or edit, refilled
// after a mistake with each field's problem.
type partnerFormView struct {
	Partner      *pd.Partner
	Form         store.PartnerForm
	Managers     []pd.Staff
	Consultants  []pd.Staff
	Problems     map[string]string // field → what is wrong with it
	ProblemCount int
}

func (s *Server) renderPartnerForm(w http.ResponseWriter, r *http.Request, code int, fv *partnerFormView) error {
	staff, err := s.db.TeamStaff(r.Context())
	if err != nil {
		return err
	}
	for _, st := range staff {
		switch st.Role {
		case pd.RolePartnerManager:
			fv.Managers = append(fv.Managers, st)
		case pd.RolePartnerConsultant:
			fv.Consultants = append(fv.Consultants, st)
		}
	}
	return s.renderAdmin(w, r, code, "partners", "admin_partner_form", fv)
}

func (s *Server) newPartnerForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPartnerForm(w, r, 0, &partnerFormView{})
}

func (s *Server) editPartnerForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.db.AdminPartner(r.Context(), pathID(r, "partner"))
	if err != nil {
		return err
	}
	f := store.PartnerForm{Record: pd.PartnerRecord{ID: p.ExternalID, Name: p.Name, Country: p.Country, Website: p.Website,
		CRMLinkTemplate: p.CRMLinkTemplate}}
	if p.Manager != nil {
		f.ManagerID = p.Manager.ID
	}
	if p.Consultant != nil {
		f.ConsultantID = p.Consultant.ID
	}
	return s.renderPartnerForm(w, r, 0, &partnerFormView{Partner: p, Form: f})
}

// partnerForm reads the form: text as typed but for the spaces around it,
// a country code in capitals.
func partnerForm(r *http.Request) (store.PartnerForm, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := store.PartnerForm{Record: pd.PartnerRecord{ID: v("id"), Name: v("name"), Country: strings.ToUpper(v("country")),
		Website: v("website"), CRMLinkTemplate: v("crm_link_template")}}
	for _, x := range []struct {
		key string
		dst *int64
	}{{"manager", &f.ManagerID}, {"consultant", &f.ConsultantID}} {
		if s := v(x.key); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return f, pd.Errorf(pd.EInvalid, "Choose a staff member from the list.")
			}
			*x.dst = n
		}
	}
	return f, nil
}

// formProblems shows a refused form again with its problems, or returns
// an error that is not about the form.
func (s *Server) formProblems(w http.ResponseWriter, r *http.Request, err error, fv *partnerFormView) error {
	be := pd.AsBatchError(err)
	if be == nil {
		return err
	}
	fv.Problems, fv.ProblemCount = map[string]string{}, be.Count()
	for _, p := range be.Problems {
		if _, seen := fv.Problems[p.Field]; !seen {
			fv.Problems[p.Field] = problemText(s.localeOf(r), p)
		}
	}
	return s.renderPartnerForm(w, r, http.StatusUnprocessableEntity, fv)
}

func (s *Server) createPartner(w http.ResponseWriter, r *http.Request) error {
	f, err := partnerForm(r)
	if err != nil {
		return err
	}
	id, err := s.db.CreatePartner(r.Context(), f)
	if err != nil {
		return s.formProblems(w, r, err, &partnerFormView{Form: f})
	}
	return backToPartner(w, r, id, "created")
}

func (s *Server) savePartner(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "partner")
	p, _, err := s.db.AdminPartner(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := partnerForm(r)
	if err != nil {
		return err
	}
	f.Record.ID = p.ExternalID
	if err := s.db.UpdatePartner(r.Context(), id, f); err != nil {
		return s.formProblems(w, r, err, &partnerFormView{Partner: p, Form: f})
	}
	return backToPartner(w, r, id, "saved")
}

// partnerConfirmView asks before a change that cannot be taken back.
type partnerConfirmView struct {
	Partner *pd.Partner
	Action  string // deactivate, withdraw or tier
	// For tier: the change and its reason.
	Before, After pd.Tier
	Reason        string
}

func (s *Server) confirmPartner(w http.ResponseWriter, r *http.Request, cv *partnerConfirmView) error {
	return s.renderAdmin(w, r, 0, "partners", "admin_partner_confirm", cv)
}

// deactivatePartner signs the partner's users out and keeps them out,
// once confirmed.
func (s *Server) deactivatePartner(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "partner")
	if r.PostFormValue("confirm") != "yes" {
		p, _, err := s.db.AdminPartner(r.Context(), id)
		if err != nil {
			return err
		}
		if !p.Active() {
			return pd.Errorf(pd.EConflict, "%s is deactivated already.", p.Name)
		}
		return s.confirmPartner(w, r, &partnerConfirmView{Partner: p, Action: "deactivate"})
	}
	if err := s.db.SetPartnerActive(r.Context(), id, false); err != nil {
		return err
	}
	return backToPartner(w, r, id, "deactivated")
}

func (s *Server) reactivatePartner(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "partner")
	if err := s.db.SetPartnerActive(r.Context(), id, true); err != nil {
		return err
	}
	return backToPartner(w, r, id, "reactivated")
}

// setInvitation invites the partner to the invitation-only tiers
// (invite=yes) or withdraws the invitation (invite=no), which asks first.
func (s *Server) setInvitation(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "partner")
	invite := r.PostFormValue("invite")
	switch {
	case invite == "yes":
		if err := s.db.SetInvited(r.Context(), id, true); err != nil {
			return err
		}
		return backToPartner(w, r, id, "invited")
	case invite != "no":
		return pd.Errorf(pd.EInvalid, "Invite is yes or no.")
	case r.PostFormValue("confirm") != "yes":
		p, _, err := s.db.AdminPartner(r.Context(), id)
		if err != nil {
			return err
		}
		if !p.Invited {
			return pd.Errorf(pd.EConflict, "%s has no invitation to withdraw.", p.Name)
		}
		return s.confirmPartner(w, r, &partnerConfirmView{Partner: p, Action: "withdraw"})
	}
	if err := s.db.SetInvited(r.Context(), id, false); err != nil {
		return err
	}
	return backToPartner(w, r, id, "withdrawn")
}

type tierFormView struct {
	Partner *pd.Partner
	Policy  pd.TierPolicy
	Tier    string
	Reason  string
	Error   string
}

func (s *Server) renderTierForm(w http.ResponseWriter, r *http.Request, code int, tv *tierFormView) error {
	var err error
	if tv.Partner == nil {
		if tv.Partner, _, err = s.db.AdminPartner(r.Context(), pathID(r, "partner")); err != nil {
			return err
		}
	}
	if tv.Policy, err = s.db.TierPolicy(r.Context()); err != nil {
		return err
	}
	if tv.Tier == "" {
		tv.Tier = tv.Partner.Tier
	}
	return s.renderAdmin(w, r, code, "partners", "admin_partner_tier", tv)
}

func (s *Server) partnerTierForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderTierForm(w, r, 0, &tierFormView{})
}

// assignTier sets the assigned tier by hand once confirmed; the first
// post checks the change and asks.
func (s *Server) assignTier(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "partner")
	a := pd.TierAssignment{Tier: r.PostFormValue("tier"), Reason: r.PostFormValue("reason")}
	before, after, err := s.db.CheckTierAssignment(r.Context(), id, a)
	if err == nil && r.PostFormValue("confirm") == "yes" {
		err = s.db.AssignTier(r.Context(), id, a)
		if err == nil {
			return backToPartner(w, r, id, "tier")
		}
	}
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		return s.renderTierForm(w, r, http.StatusBadRequest, &tierFormView{Tier: a.Tier, Reason: a.Reason, Error: s.errorText(r, err)})
	}
	p, _, err := s.db.AdminPartner(r.Context(), id)
	if err != nil {
		return err
	}
	_ = a.CheckReason() // the reason as it will be stored
	return s.confirmPartner(w, r, &partnerConfirmView{Partner: p, Action: "tier", Before: before, After: after, Reason: a.Reason})
}

// fieldProblems maps each field of fe to its first problem, in l.
func fieldProblems(l *locale.Locale, fe pd.FieldErrors) map[string]string {
	m := make(map[string]string, len(fe))
	for _, p := range fe {
		if _, ok := m[p.Field]; !ok {
			m[p.Field] = problemText(l, p)
		}
	}
	return m
}

// problemText is p's reason in l.
func problemText(l *locale.Locale, p pd.Problem) string {
	args := p.MessageArgs()
	if p.Format == "" {
		return p.Reason
	}
	if p.Format == "%s" && len(args) == 1 {
		if m, ok := args[0].(string); ok {
			return l.T(m) // a message passed whole is its own key
		}
	}
	return l.T(p.Format, args...)
}
