package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// Assigning a partner's clients to its employees: one form action serves
// the Clients table (several rows at once), the client panel and the
// users page, each of which names where to go back to.

// employees lists the partner's active employees for the assignment
// forms and the employee filter, for those who see other people's
// assignments (partner admins, vendor staff); nil for an employee.
func (s *Server) employees(r *http.Request) ([]pd.User, error) {
	p := pd.PrincipalFrom(r.Context())
	if p == nil || p.Role == pd.RolePartnerEmployee || p.TokenID != 0 {
		return nil, nil
	}
	us, err := s.db.ListUsers(r.Context())
	if err != nil {
		if pd.ErrorCode(err) == pd.EForbidden {
			return nil, nil
		}
		return nil, err
	}
	var es []pd.User
	for _, u := range us {
		if u.Role == pd.RolePartnerEmployee && u.Status != pd.UserDeactivated {
			es = append(es, u)
		}
	}
	return es, nil
}

// assignClients assigns (op=assign) or unassigns (op=unassign) the
// clients of the form (client, repeated, or account: an account id) to
// or from its user, then goes back: to the users page (back=users), to a
// client's panel (back=panel), or to the Clients table, each with the
// list's query (list).
func (s *Server) assignClients(w http.ResponseWriter, r *http.Request) error {
	a := pd.Assignment{Remove: r.PostFormValue("op") == "unassign"}
	a.UserID, _ = strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	for _, v := range r.PostForm["client"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return pd.Errorf(pd.EInvalid, "Unknown client %q.", v)
		}
		a.ClientIDs = append(a.ClientIDs, id)
	}
	if acct := strings.TrimSpace(r.PostFormValue("account")); acct != "" {
		id, err := s.db.ClientByAccount(r.Context(), acct)
		if err != nil {
			return err
		}
		a.ClientIDs = append(a.ClientIDs, id)
	}
	if _, err := s.db.Assign(r.Context(), a); err != nil {
		return err
	}
	notice := "assigned"
	if a.Remove {
		notice = "unassigned"
	}
	partner := pathID(r, "partner")
	switch r.PostFormValue("back") {
	case "users":
		http.Redirect(w, r, fmt.Sprintf("/partners/%d/users?notice=%s", partner, notice), http.StatusSeeOther)
	case "panel":
		q, _ := url.ParseQuery(r.PostFormValue("list"))
		http.Redirect(w, r, withQuery(fmt.Sprintf("/partners/%d/clients/%d", partner, a.ClientIDs[0]), listQuery(q)), http.StatusSeeOther)
	default:
		// The list's query is re-encoded, never echoed: the redirect stays
		// on the Clients table.
		q, _ := url.ParseQuery(r.PostFormValue("list"))
		q.Set("notice", notice)
		http.Redirect(w, r, fmt.Sprintf("/partners/%d/clients?%s", partner, q.Encode()), http.StatusSeeOther)
	}
	return nil
}
