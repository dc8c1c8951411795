package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// renewalsView is the Renewals page.
type renewalsView struct {
	URL       *url.URL
	Filter    pd.RenewalFilter
	Page      *pd.RenewalPage
	PageNo    int
	Pages     int
	AlertsURL string // the list filtered to the alerts
	Deadlines []int  // the "deadline within" choices, in days
	// Filter choices.
	Statuses, OwnerChoices, Contracts, Buckets []string
	// Employee: the Alerts are the user's, beside its agency's all.
	Employee bool

	who       *pd.Principal
	partnerID int64
}

// MayDecide reports whether the signed-in user records r's decision
// today: its agency decides it, and the user may act on the client.
func (v *renewalsView) MayDecide(r pd.Renewal) bool {
	return r.PartnerDecides(v.partnerID, v.Page.Today) && v.who.ActsOn(r.AssignedToMe)
}

// parseRenewalFilter reads the Renewals page's query string; malformed
// values are a 400 with a message, never a silent default.
func parseRenewalFilter(q url.Values) (pd.RenewalFilter, int, error) {
	f := pd.RenewalFilter{Query: q.Get("q"), Status: q.Get("status"), Owner: q.Get("owner"), Type: q.Get("type"),
		Bucket: q.Get("usage"), AssignedToMe: q.Get("mine") == "1", Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	if d := q.Get("dir"); d != "" && d != "asc" && d != "desc" {
		return f, 0, pd.Errorf(pd.EInvalid, "Sort direction must be asc or desc.")
	}
	if v := q.Get("deadline"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, 0, pd.Errorf(pd.EInvalid, "Deadline days must be a whole number.")
		}
		f.DeadlineWithin, f.HasDeadline = n, true
	}
	page, size, err := parsePage(q)
	if err != nil {
		return f, 0, err
	}
	f.Limit, f.Offset = size, (page-1)*size
	return f, page, f.Validate()
}

// alertsURL is the Renewals page filtered to the Alerts' renewals: for an
// employee, those of the clients assigned to it.
func alertsURL(partner string, p *pd.Principal) string {
	f := store.AlertFilter()
	u := fmt.Sprintf("/partners/%s/renewals?status=%s&owner=%s", partner, f.Status, f.Owner)
	if p != nil && p.Role == pd.RolePartnerEmployee {
		u += "&mine=1"
	}
	return u
}

func (s *Server) renewalsPage(w http.ResponseWriter, r *http.Request) error {
	f, pageNo, err := parseRenewalFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p := pd.PrincipalFrom(r.Context())
	rv := &renewalsView{URL: r.URL, Filter: f, PageNo: pageNo, AlertsURL: alertsURL(r.PathValue("partner"), p),
		Deadlines: []int{0, 7, 14, 30, 60}, Statuses: pd.RenewalStatuses, OwnerChoices: pd.Owners, Contracts: pd.Contracts,
		Buckets: pd.Buckets, Employee: p.Role == pd.RolePartnerEmployee, who: p}
	v, err := s.dashboard(r, "renewals", rv)
	if err != nil {
		return err
	}
	rv.partnerID = v.Partner.ID
	if rv.Page, err = s.db.ListRenewals(r.Context(), f); err != nil {
		return err
	}
	rv.Pages = (rv.Page.Total + f.Limit - 1) / f.Limit
	s.render(w, r, "renewals", v)
	return nil
}

// renewalView is the renewal page.
type renewalView struct {
	R      *pd.RenewalDetail
	List   string // the Renewals page
	Panel  string // the client's panel, on its Renewals tab
	Notice string
	CanAct bool // a partner user who may act on this client
	Owners []string
	// On the no-JS confirmation page:
	Decision string
	Note     string
}

var renewalNotices = map[string]bool{"decided": true, "owner": true, "contact": true}

// renewalView loads a renewal and what the signed-in user may do with it.
func (s *Server) renewalView(r *http.Request, nav string) (*view, *renewalView, error) {
	d, err := s.db.Renewal(r.Context(), pathID(r, "renewal"))
	if err != nil {
		return nil, nil, err
	}
	partner := r.PathValue("partner")
	rv := &renewalView{R: d, List: fmt.Sprintf("/partners/%s/renewals", partner),
		Panel:  fmt.Sprintf("/partners/%s/clients/%d?tab=renewals", partner, d.ClientID),
		Owners: []string{pd.OwnerPartner, pd.OwnerVendor, pd.OwnerDefault}}
	p := pd.PrincipalFrom(r.Context())
	rv.CanAct = p.ActsOn(d.AssignedToMe)
	v, err := s.dashboard(r, nav, rv)
	return v, rv, err
}

func (s *Server) renewalPage(w http.ResponseWriter, r *http.Request) error {
	v, rv, err := s.renewalView(r, "renewals")
	if err != nil {
		return err
	}
	if n := r.URL.Query().Get("notice"); renewalNotices[n] {
		rv.Notice = n
	}
	s.render(w, r, "renewal", v)
	return nil
}

// renewalDecision records a decision once confirmed: the page's script
// asks in a dialog and sends confirm=yes; without it, the first post
// shows a confirmation page that changes nothing.
func (s *Server) renewalDecision(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "renewal")
	decision, note := r.PostFormValue("decision"), strings.TrimSpace(r.PostFormValue("note"))
	if r.PostFormValue("confirm") != "yes" {
		if _, err := s.db.CheckDecision(r.Context(), id, decision, note); err != nil {
			return err
		}
		v, rv, err := s.renewalView(r, "renewals")
		if err != nil {
			return err
		}
		rv.Decision, rv.Note = decision, note
		s.render(w, r, "renewal_confirm", v)
		return nil
	}
	if err := s.db.RecordDecision(r.Context(), id, decision, note); err != nil {
		return err
	}
	return s.backToRenewal(w, r, "decided")
}

// renewalOwner sets the communication owner of the renewal's client.
func (s *Server) renewalOwner(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.SetCommOwner(r.Context(), pathID(r, "renewal"), r.PostFormValue("owner")); err != nil {
		return err
	}
	return s.backToRenewal(w, r, "owner")
}

// renewalContact picks the renewal's primary client contact.
func (s *Server) renewalContact(w http.ResponseWriter, r *http.Request) error {
	// A malformed id is no contact of the client's: the store says so,
	// after it has checked the renewal is this partner's.
	contact, _ := strconv.ParseInt(r.PostFormValue("contact"), 10, 64)
	if err := s.db.SetPrimaryContact(r.Context(), pathID(r, "renewal"), contact); err != nil {
		return err
	}
	return s.backToRenewal(w, r, "contact")
}

func (s *Server) backToRenewal(w http.ResponseWriter, r *http.Request, notice string) error {
	http.Redirect(w, r, fmt.Sprintf("/partners/%s/renewals/%d?notice=%s", r.PathValue("partner"), pathID(r, "renewal"), notice),
		http.StatusSeeOther)
	return nil
}
