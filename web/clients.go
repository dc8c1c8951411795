package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"

	pd "github.com/partnerdesk/partnerdesk"
)

// clientsView is the Clients tab.
type clientsView struct {
	URL    *url.URL
	Filter pd.ClientFilter
	Page   *pd.ClientPage
	// Alerts are the renewal decisions due that the user may take;
	// AgencyAlerts, shown beside them to an employee, all its agency's.
	Alerts, AgencyAlerts int
	AlertsURL            string
	Employee             bool
	PageNo               int
	Pages                int
	Notice               string
	Panel                *panelView
	Tools                []pd.Tool
	Buckets              []string
	// CertEnding is the partner's last valid certification when it
	// expires soon: an alert beside the renewals'.
	CertEnding *pd.Certification
	// Employees are the partner's, for the employee filter and the
	// assignment form (partner admins and vendor staff only).
	Employees []pd.User
}

// ClientURL is a client's panel over this list, keeping its filters.
func (v *clientsView) ClientURL(id int64) string {
	return withQuery(fmt.Sprintf("%s/%d", v.URL.Path, id), listQuery(v.URL.Query()))
}

// EndServicesURL asks to end a client's services; coming back (cancel, or
// the list after it) keeps the list's filters.
func (v *clientsView) EndServicesURL(id int64) string {
	return withQuery(fmt.Sprintf("%s/%d/end-services", v.URL.Path, id), listQuery(v.URL.Query()))
}

// listQuery is what of a Clients list's query its links carry to the
// panel, End services and back: filters, sort and page, without a
// one-off notice or the panel's tab.
func listQuery(q url.Values) url.Values {
	q = maps.Clone(q)
	q.Del("notice")
	q.Del("tab")
	return q
}

// withQuery is path with q, if q has anything.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// panelView is the client panel.
type panelView struct {
	Client  *pd.ClientDetail
	Tab     string
	CRMLink string
	Base    string     // the panel's URL without a query
	List    url.Values // the list's query, which the panel's links keep
	Close   string     // the list's URL, with its filters
	// Employees are the partner's, for the assignment form.
	Employees []pd.User
}

// TabURL is one of the panel's tabs, keeping the list's filters.
func (p *panelView) TabURL(tab string) string {
	q := maps.Clone(p.List)
	if q == nil {
		q = url.Values{}
	}
	q.Set("tab", tab)
	return withQuery(p.Base, q)
}

var panelTabs = map[string]bool{"details": true, "renewals": true, "usage": true, "engagement": true}

// parseClientFilter reads the Clients tab's query string; malformed values
// are a 400 with a message, never a silent default.
func parseClientFilter(q url.Values) (pd.ClientFilter, int, error) {
	f := pd.ClientFilter{Query: q.Get("q"), Product: q.Get("product"), Bucket: q.Get("usage"),
		Relationship: pd.Relationship(q.Get("rel")), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc",
		AssignedToMe: q.Get("mine") == "1", RenewalDue: q.Get("renewal") == "due"}
	if e := q.Get("employee"); e != "" {
		id, err := strconv.ParseInt(e, 10, 64)
		if err != nil || id <= 0 {
			return f, 0, pd.Errorf(pd.EInvalid, "Unknown employee %q.", e)
		}
		f.Employee = id
	}
	if d := q.Get("dir"); d != "" && d != "asc" && d != "desc" {
		return f, 0, pd.Errorf(pd.EInvalid, "Sort direction must be asc or desc.")
	}
	if f.Sort == "" {
		f.Sort, f.Desc = "mrr", true
	}
	page, size, err := parsePage(q)
	if err != nil {
		return f, 0, err
	}
	f.Limit = size
	f.Offset = (page - 1) * f.Limit
	return f, page, f.Validate()
}

// dashboard loads what every tab of a partner's dashboard shows around it.
func (s *Server) dashboard(r *http.Request, nav string, data any) (*view, error) {
	partner, err := s.db.Partner(r.Context())
	if err != nil {
		return nil, err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return nil, err
	}
	p := pd.PrincipalFrom(r.Context())
	return &view{Partner: partner, Program: prog, ReadOnly: !p.Role.IsPartner(), Nav: nav, Data: data}, nil
}

func (s *Server) clientsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.clientsView(r)
	if err != nil {
		return err
	}
	switch n := r.URL.Query().Get("notice"); n {
	case "ended", "assigned", "unassigned":
		v.Data.(*clientsView).Notice = n
	}
	s.render(w, r, "clients", v)
	return nil
}

func (s *Server) clientsView(r *http.Request) (*view, error) {
	f, pageNo, err := parseClientFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	cv := &clientsView{URL: r.URL, Filter: f, PageNo: pageNo, Buckets: pd.Buckets}
	v, err := s.dashboard(r, "clients", cv)
	if err != nil {
		return nil, err
	}
	if cv.Page, err = s.db.ListClients(r.Context(), f); err != nil {
		return nil, err
	}
	if cv.Alerts, cv.AgencyAlerts, err = s.db.RenewalAlertCounts(r.Context()); err != nil {
		return nil, err
	}
	p := pd.PrincipalFrom(r.Context())
	cv.AlertsURL, cv.Employee = alertsURL(r.PathValue("partner"), p), p.Role == pd.RolePartnerEmployee
	if cv.CertEnding, err = s.db.CertificationEnding(r.Context()); err != nil {
		return nil, err
	}
	if cv.Employees, err = s.employees(r); err != nil {
		return nil, err
	}
	cv.Pages = (cv.Page.Total + f.Limit - 1) / f.Limit
	return v, nil
}

// clientPanel shows the client panel over the Clients tab. A request from
// the page's script (X-Partial: panel) gets the panel alone.
func (s *Server) clientPanel(w http.ResponseWriter, r *http.Request) error {
	tab := r.URL.Query().Get("tab")
	if tab == "" {
		tab = "details"
	}
	if !panelTabs[tab] {
		return pd.Errorf(pd.EInvalid, "Unknown tab %q.", tab)
	}
	clientID := pathID(r, "client")
	if clientID == 0 {
		return pd.Errorf(pd.ENotFound, "Client not found.")
	}
	q := listQuery(r.URL.Query())
	list := url.URL{Path: fmt.Sprintf("/partners/%s/clients", r.PathValue("partner")), RawQuery: q.Encode()}
	pv := &panelView{Tab: tab, Base: r.URL.Path, List: q, Close: list.String()}
	var err error
	if pv.Employees, err = s.employees(r); err != nil {
		return err
	}

	if r.Header.Get("X-Partial") == "panel" {
		detail, err := s.db.Client(r.Context(), clientID)
		if err != nil {
			return err
		}
		v, err := s.dashboard(r, "clients", nil)
		if err != nil {
			return err
		}
		pv.Client, pv.CRMLink = detail, v.Partner.CRMLink(detail.Client)
		v.Data = pv
		s.render(w, r, "panel", v)
		return nil
	}
	detail, err := s.db.Client(r.Context(), clientID)
	if err != nil {
		return err
	}
	r2 := *r
	r2.URL = &list
	v, err := s.clientsView(&r2)
	if err != nil {
		return err
	}
	pv.Client, pv.CRMLink = detail, v.Partner.CRMLink(detail.Client)
	v.Data.(*clientsView).Panel = pv
	s.render(w, r, "clients", v)
	return nil
}

type endServicesView struct {
	Client *pd.ClientDetail
	Back   string
}

// endServicesForm asks for confirmation (the page's script asks in a
// dialog instead and posts directly).
func (s *Server) endServicesForm(w http.ResponseWriter, r *http.Request) error {
	detail, err := s.db.Client(r.Context(), pathID(r, "client"))
	if err != nil {
		return err
	}
	v, err := s.dashboard(r, "clients", &endServicesView{Client: detail,
		Back: withQuery(fmt.Sprintf("/partners/%s/clients", r.PathValue("partner")), listQuery(r.URL.Query()))})
	if err != nil {
		return err
	}
	s.render(w, r, "end_services", v)
	return nil
}

func (s *Server) endServices(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.EndServices(r.Context(), pathID(r, "client")); err != nil {
		return err
	}
	q := listQuery(r.URL.Query())
	q.Set("notice", "ended")
	http.Redirect(w, r, withQuery(fmt.Sprintf("/partners/%s/clients", r.PathValue("partner")), q), http.StatusSeeOther)
	return nil
}
