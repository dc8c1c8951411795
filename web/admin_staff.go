package web

import (
	"fmt"
	"net/http"
	"strconv"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program admin's pages for the vendor's staff and each partner's
// team. The store checks the role; these handlers only read forms.

type staffListView struct {
	Staff  []pd.Staff
	Teams  map[int64]int
	Roles  []pd.Role
	Notice string
	New    pd.Staff // the add form, refilled after a mistake
	Error  string
}

// renderAdmin renders one of the program admin's pages (code 0 is 200).
func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, code int, nav, page string, data any) error {
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	if code != 0 {
		w.WriteHeader(code)
	}
	s.render(w, r, page, &view{Program: prog, Nav: nav, Data: data})
	return nil
}

// staffList renders the staff page, with sv's notice or refilled form.
func (s *Server) staffList(w http.ResponseWriter, r *http.Request, code int, sv *staffListView) error {
	var err error
	if sv.Staff, sv.Teams, err = s.db.ListStaff(r.Context()); err != nil {
		return err
	}
	sv.Roles = pd.StaffRoles
	return s.renderAdmin(w, r, code, "staff", "admin_staff", sv)
}

func (s *Server) staffPage(w http.ResponseWriter, r *http.Request) error {
	sv := &staffListView{}
	if n := r.URL.Query().Get("notice"); n == "saved" || n == "created" {
		sv.Notice = n
	}
	return s.staffList(w, r, 0, sv)
}

func staffFromForm(r *http.Request) pd.Staff {
	return pd.Staff{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Role: pd.Role(r.PostFormValue("role")),
		Description: r.PostFormValue("description"), PhotoURL: r.PostFormValue("photo_url")}
}

func (s *Server) createStaff(w http.ResponseWriter, r *http.Request) error {
	st := staffFromForm(r)
	if _, err := s.db.CreateStaff(r.Context(), st); err != nil {
		if pd.ErrorCode(err) != pd.EInvalid && pd.ErrorCode(err) != pd.EConflict {
			return err
		}
		return s.staffList(w, r, status(pd.ErrorCode(err)), &staffListView{New: st, Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, "/admin/staff?notice=created", http.StatusSeeOther)
	return nil
}

type staffFormView struct {
	Staff pd.Staff
	Error string
}

func (s *Server) staffForm(w http.ResponseWriter, r *http.Request) error {
	st, err := s.db.Staff(r.Context(), pathID(r, "staff"))
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "staff", "admin_staff_edit", &staffFormView{Staff: *st})
}

func (s *Server) saveStaff(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "staff")
	cur, err := s.db.Staff(r.Context(), id)
	if err != nil {
		return err
	}
	st := staffFromForm(r)
	st.ID, st.Role = id, cur.Role
	if err := s.db.SaveStaff(r.Context(), st); err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		return s.renderAdmin(w, r, http.StatusBadRequest, "staff", "admin_staff_edit", &staffFormView{Staff: st, Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, "/admin/staff?notice=saved", http.StatusSeeOther)
	return nil
}

type teamFormView struct {
	Partner     *pd.Partner
	Managers    []pd.Staff
	Consultants []pd.Staff
	Notice      bool
}

func (s *Server) teamForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.PartnerTeam(r.Context(), pathID(r, "partner"))
	if err != nil {
		return err
	}
	staff, _, err := s.db.ListStaff(r.Context())
	if err != nil {
		return err
	}
	tv := &teamFormView{Partner: p, Notice: r.URL.Query().Get("notice") == "saved"}
	for _, st := range staff {
		switch st.Role {
		case pd.RolePartnerManager:
			tv.Managers = append(tv.Managers, st)
		case pd.RolePartnerConsultant:
			tv.Consultants = append(tv.Consultants, st)
		}
	}
	return s.renderAdmin(w, r, 0, "partners", "admin_team", tv)
}

func (s *Server) assignTeam(w http.ResponseWriter, r *http.Request) error {
	ids := [2]int64{}
	for i, f := range []string{"manager", "consultant"} {
		if v := r.PostFormValue(f); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return pd.Errorf(pd.EInvalid, "Choose a staff member from the list.")
			}
			ids[i] = n
		}
	}
	partner := pathID(r, "partner")
	if err := s.db.AssignTeam(r.Context(), partner, ids[0], ids[1]); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/partners/%d/team?notice=saved", partner), http.StatusSeeOther)
	return nil
}
