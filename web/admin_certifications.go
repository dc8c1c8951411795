package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's Certifications page: every certification vendor staff may
// see, filtered; program admins add, edit and revoke them. The store
// checks the roles and audits.

// certForm is the add or edit form, as entered.
type certForm struct {
	Partner, Name, Holder, Earned, Expires string
}

type certsView struct {
	URL     *url.URL
	Filter  pd.CertificationFilter
	Within  string // as entered
	Certs   []pd.Certification
	Total   int
	PageNo  int
	Pages   int
	Today   pd.Date
	CanEdit bool
	New     certForm
	Notice  string
	Error   string
}

// certDays is the default of "expiring within" (the dashboards' alert).
const certDays = pd.CertificationAlertDays

// certification is the form's certification; a date that is not
// YYYY-MM-DD is left out, for the store's check to name.
func (f certForm) certification() pd.Certification {
	c := pd.Certification{Name: f.Name, Holder: f.Holder}
	c.EarnedOn, _ = pd.ParseDate(strings.TrimSpace(f.Earned))
	c.ExpiresOn, _ = pd.ParseDate(strings.TrimSpace(f.Expires))
	return c
}

func certFormOf(r *http.Request) certForm {
	return certForm{Partner: r.PostFormValue("partner"), Name: r.PostFormValue("name"), Holder: r.PostFormValue("holder"),
		Earned: r.PostFormValue("earned_on"), Expires: r.PostFormValue("expires_on")}
}

// certsList renders the list for cv's query, with its notice or the add
// form refilled after a mistake.
func (s *Server) certsList(w http.ResponseWriter, r *http.Request, code int, cv *certsView) error {
	q := r.URL.Query()
	page, size, err := parsePage(q)
	if err != nil {
		return err
	}
	cv.URL, cv.PageNo, cv.Within = r.URL, page, q.Get("within")
	cv.Filter = pd.CertificationFilter{Partner: q.Get("partner"), Status: q.Get("status"), Within: certDays,
		Offset: (page - 1) * size, Limit: size}
	if cv.Within != "" {
		n, err := strconv.Atoi(strings.TrimSpace(cv.Within))
		if err != nil {
			return pd.Errorf(pd.EInvalid, "Expiring within is a whole number of days.")
		}
		cv.Filter.Within = n
	} else {
		cv.Within = strconv.Itoa(certDays)
	}
	if cv.Certs, cv.Total, err = s.db.ListCertifications(r.Context(), cv.Filter); err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	cv.Today = pd.DateOf(s.now(), prog.Location())
	cv.Pages = max(1, (cv.Total+size-1)/size)
	cv.CanEdit = pd.PrincipalFrom(r.Context()).Role == pd.RoleProgramAdmin
	if cv.New.Partner == "" && cv.Error == "" {
		cv.New.Partner = q.Get("partner")
	}
	return s.renderAdmin(w, r, code, "certifications", "admin_certifications", cv)
}

func (s *Server) certificationsPage(w http.ResponseWriter, r *http.Request) error {
	cv := &certsView{}
	if n := r.URL.Query().Get("notice"); n == "added" || n == "saved" || n == "revoked" {
		cv.Notice = n
	}
	return s.certsList(w, r, 0, cv)
}

func (s *Server) createCertification(w http.ResponseWriter, r *http.Request) error {
	f := certFormOf(r)
	if _, err := s.db.CreateCertification(r.Context(), f.Partner, f.certification()); err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		return s.certsList(w, r, http.StatusBadRequest, &certsView{New: f, Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, "/admin/certifications?notice=added&partner="+url.QueryEscape(strings.TrimSpace(f.Partner)), http.StatusSeeOther)
	return nil
}

type certView struct {
	Cert    *pd.Certification
	Form    certForm
	Today   pd.Date
	CanEdit bool
	Error   string
}

// certPage renders a certification's page: its form for program admins.
func (s *Server) certPage(w http.ResponseWriter, r *http.Request, code int, page string, f *certForm, problem string) error {
	c, err := s.db.Certification(r.Context(), pathID(r, "certification"), page == "admin_certification_revoke")
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	cv := &certView{Cert: c, Today: pd.DateOf(s.now(), prog.Location()), Error: problem,
		CanEdit: pd.PrincipalFrom(r.Context()).Role == pd.RoleProgramAdmin,
		Form:    certForm{Name: c.Name, Holder: c.Holder, Earned: c.EarnedOn.String(), Expires: c.ExpiresOn.String()}}
	if f != nil {
		cv.Form = *f
	}
	return s.renderAdmin(w, r, code, "certifications", page, cv)
}

func (s *Server) certificationForm(w http.ResponseWriter, r *http.Request) error {
	return s.certPage(w, r, 0, "admin_certification", nil, "")
}

func (s *Server) saveCertification(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "certification")
	f := certFormOf(r)
	c := f.certification()
	c.ID = id
	if err := s.db.UpdateCertification(r.Context(), c); err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		return s.certPage(w, r, http.StatusBadRequest, "admin_certification", &f, s.errorText(r, err))
	}
	http.Redirect(w, r, "/admin/certifications?notice=saved", http.StatusSeeOther)
	return nil
}

// revokeCertification revokes once confirmed: the page's script asks in a
// dialog and sends confirm=yes; without it, the first post shows a
// confirmation page that changes nothing.
func (s *Server) revokeCertification(w http.ResponseWriter, r *http.Request) error {
	if r.PostFormValue("confirm") != "yes" {
		return s.certPage(w, r, 0, "admin_certification_revoke", nil, "")
	}
	id := pathID(r, "certification")
	if err := s.db.RevokeCertification(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/certifications?notice=revoked&status=%s", pd.CertRevoked), http.StatusSeeOther)
	return nil
}
