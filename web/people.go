package web

import (
	"context"
	"fmt"
	"net/http"

	pd "github.com/partnerdesk/partnerdesk"
)

// The users pages: a partner's (/partners/{partner}/users, for its admins
// and program admins; the partner's vendor team reads it) and the
// vendor's staff users (/admin/users, for program admins). One set of
// handlers serves both: the store reads whose users they are from the
// context, and refuses what the principal may not do.

type peopleView struct {
	Base   string // the page's path, which its forms post under
	Users  []pd.User
	Roles  []pd.Role // the roles of the page's users
	Manage bool      // the principal may invite and change them
	Me     int64
	Notice string
	Form   pd.Invitation // the invite form, refilled after a mistake
	Error  string
	// A partner's page: the clients assigned to each user, and whether
	// the principal assigns them (a partner admin).
	Partner  int64
	Assigned map[int64][]pd.AssignedClient
	Assign   bool
}

// peopleBase is the users page the request is about.
func peopleBase(r *http.Request) string {
	if r.PathValue("partner") != "" {
		return fmt.Sprintf("/partners/%d/users", pathID(r, "partner"))
	}
	return "/admin/users"
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	pv := &peopleView{}
	switch n := r.URL.Query().Get("notice"); n {
	case "invited", "resent", "role", "deactivated", "reactivated", "assigned", "unassigned":
		pv.Notice = n
	}
	return s.renderUsers(w, r, 0, pv)
}

// renderUsers renders a users page with pv's notice or refilled form
// (code 0 is 200).
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, code int, pv *peopleView) error {
	us, err := s.db.ListUsers(r.Context())
	if err != nil {
		return err
	}
	p := pd.PrincipalFrom(r.Context())
	pv.Users, pv.Base, pv.Me = us, peopleBase(r), p.UserID
	pv.Manage = p.Role == pd.RolePartnerAdmin || p.Role == pd.RoleProgramAdmin
	pv.Roles = pd.StaffRoles
	if r.PathValue("partner") == "" {
		return s.renderAdmin(w, r, code, "users", "people", pv)
	}
	pv.Roles = pd.PartnerRoles
	as, err := s.db.Assignments(r.Context())
	if err != nil {
		return err
	}
	pv.Assigned = map[int64][]pd.AssignedClient{}
	for _, a := range as {
		pv.Assigned[a.UserID] = append(pv.Assigned[a.UserID], a)
	}
	pv.Partner, pv.Assign = pathID(r, "partner"), p.Role == pd.RolePartnerAdmin
	v, err := s.dashboard(r, "users", pv)
	if err != nil {
		return err
	}
	v.ReadOnly = !pv.Manage
	if code != 0 {
		w.WriteHeader(code)
	}
	s.render(w, r, "people", v)
	return nil
}

func (s *Server) inviteUser(w http.ResponseWriter, r *http.Request) error {
	inv := pd.Invitation{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: pd.Role(r.PostFormValue("role"))}
	if _, err := s.db.InviteUser(r.Context(), s.mail, inv); err != nil {
		if c := pd.ErrorCode(err); c != pd.EInvalid && c != pd.EConflict {
			return err
		}
		return s.renderUsers(w, r, status(pd.ErrorCode(err)), &peopleView{Form: inv, Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, peopleBase(r)+"?notice=invited", http.StatusSeeOther)
	return nil
}

// userAction applies change to the {user} of the path and goes back to
// the users page with notice; a refusal the user can act on is shown on
// the page.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, notice string, change func(ctx context.Context, id int64) error) error {
	if err := change(r.Context(), pathID(r, "user")); err != nil {
		if c := pd.ErrorCode(err); c != pd.EInvalid && c != pd.EConflict {
			return err
		}
		return s.renderUsers(w, r, status(pd.ErrorCode(err)), &peopleView{Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, peopleBase(r)+"?notice="+notice, http.StatusSeeOther)
	return nil
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "resent", func(ctx context.Context, id int64) error {
		return s.db.ResendInvitation(ctx, s.mail, id)
	})
}

func (s *Server) setUserRole(w http.ResponseWriter, r *http.Request) error {
	role := pd.Role(r.PostFormValue("role"))
	return s.userAction(w, r, "role", func(ctx context.Context, id int64) error {
		return s.db.SetUserRole(ctx, id, role)
	})
}

func (s *Server) deactivateUser(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "deactivated", s.db.DeactivateUser)
}

func (s *Server) reactivateUser(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, "reactivated", s.db.ReactivateUser)
}
