package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's partners list (vendor staff: program admins see every
// partner, partner managers and consultants theirs) and its CSV export,
// both with the same filters and sort. The figures come from the daily
// refresh's snapshot (store.ListPartners).

type partnersView struct {
	URL    *url.URL
	Filter pd.PartnerFilter
	Page   *pd.PartnerPage
	PageNo int
	Pages  int
	Policy pd.TierPolicy
	Admin  bool // the signed-in user may change partners
}

// parsePartnerFilter reads the list's query string.
func parsePartnerFilter(q url.Values) (pd.PartnerFilter, int, error) {
	f := pd.PartnerFilter{Query: strings.TrimSpace(q.Get("q")), Assigned: q.Get("tier"), Performance: q.Get("performance"),
		Certified: q.Get("certified"), Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))), Status: q.Get("status"),
		Team: strings.TrimSpace(q.Get("team")), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	if d := q.Get("dir"); d != "" && d != "asc" && d != "desc" {
		return f, 0, pd.Errorf(pd.EInvalid, "Sort direction must be asc or desc.")
	}
	page, size, err := parsePage(q)
	if err != nil {
		return f, 0, err
	}
	f.Limit, f.Offset = size, (page-1)*size
	return f, page, f.Validate()
}

func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request) error {
	f, pageNo, err := parsePartnerFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := s.db.ListPartners(r.Context(), f)
	if err != nil {
		return err
	}
	pol, err := s.db.TierPolicy(r.Context())
	if err != nil {
		return err
	}
	pv := &partnersView{URL: r.URL, Filter: f, Page: page, PageNo: pageNo, Pages: (page.Total + f.Limit - 1) / f.Limit, Policy: pol,
		Admin: pd.PrincipalFrom(r.Context()).Role == pd.RoleProgramAdmin}
	return s.renderAdmin(w, r, 0, "partners", "partners", pv)
}

// partnersCSVURL is the export link of the partners list: its filters and
// sort, every page.
func partnersCSVURL(u *url.URL) template.URL { return exportURL("/admin/partners.csv", u) }

// partnersCSV exports the partners list with its filters and sort, every
// page of it: codes rather than names, and plain numbers.
func (s *Server) partnersCSV(w http.ResponseWriter, r *http.Request) error {
	f, _, err := parsePartnerFilter(r.URL.Query())
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	pol, err := s.db.TierPolicy(r.Context())
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, 500
	page, err := s.db.ListPartners(r.Context(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(w, fmt.Sprintf("partners-%s.csv", pd.DateOf(s.now(), prog.Location())),
		"id", "name", "country", "status", "partner_manager", "partner_consultant", "assigned_tier", "performance_tier",
		"sold_credit", "managed_mrr", "currency", "average_app_usage", "certified", "pending_renewal_decisions", "invited", "figures_as_of")
	if err != nil {
		return nil // the client went away
	}
	asOf := ""
	if !page.AsOf.IsZero() {
		asOf = page.AsOf.String()
	}
	for {
		for _, l := range page.Lines {
			status := "active"
			if !l.Active() {
				status = "deactivated"
			}
			if err := out.Row(csvText(l.ExternalID), csvText(l.Name), csvText(l.Country), status,
				csvText(staffName(l.Manager)), csvText(staffName(l.Consultant)), csvText(l.Tier), csvText(pol.Tier(l.Performance).Code),
				csvMoney(prog.Currency, l.SoldCredit), csvMoney(prog.Currency, l.ManagedMRR), prog.Currency,
				strconv.FormatFloat(l.AppUsage(), 'f', 1, 64), strconv.FormatBool(l.Certified), strconv.Itoa(l.Pending),
				strconv.FormatBool(l.Invited), asOf); err != nil {
				return nil
			}
		}
		f.Offset += f.Limit
		if f.Offset >= page.Total {
			break
		}
		if page, err = s.db.ListPartners(r.Context(), f); err != nil {
			// The headers are sent: end the file short and log why.
			s.logError(r, "export partners", err)
			return nil
		}
	}
	return out.Close()
}

// staffName is a team member's name, "" for none.
func staffName(st *pd.Staff) string {
	if st == nil {
		return ""
	}
	return st.Name
}
