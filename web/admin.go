package web

import (
	"net/http"
	"net/url"

	pd "github.com/partnerdesk/partnerdesk"
)

type partnersView struct {
	URL      *url.URL
	Query    string
	Partners []pd.Partner
	Total    int
	PageNo   int
	Pages    int
}

// partnersPage lists the partners a vendor staff member may open.
func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size, err := parsePage(q)
	if err != nil {
		return err
	}
	ps, total, err := s.db.ListPartners(r.Context(), pd.PartnerFilter{Query: q.Get("q"), Offset: (page - 1) * size, Limit: size})
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, "partners", &view{Program: prog, Nav: "partners", Data: &partnersView{URL: r.URL, Query: q.Get("q"),
		Partners: ps, Total: total, PageNo: page, Pages: (total + size - 1) / size}})
	return nil
}

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
