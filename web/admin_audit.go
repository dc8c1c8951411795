package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's audit log, for program admins: every change, by a
// person, an API token, a webhook, the command line or the daily refresh,
// filtered, searched, paged and exported (store.ProgramAudit). Each
// partner's own log stays on its dashboard (auditPage).

type programAuditView struct {
	URL     *url.URL
	Filter  pd.AuditFilter
	From    string // the dates as entered
	To      string
	Entries []pd.AuditEntry
	Total   int
	PageNo  int
	Pages   int
	Actions []string
	Actors  []string
}

// parseAuditFilter reads the audit log's query string.
func parseAuditFilter(q url.Values) (pd.AuditFilter, int, error) {
	f := pd.AuditFilter{Partner: strings.TrimSpace(q.Get("partner")), Actor: q.Get("actor"), Action: q.Get("action"),
		Query: strings.TrimSpace(q.Get("q"))}
	for _, d := range []struct {
		key string
		dst *pd.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(d.key); v != "" {
			day, err := pd.ParseDate(v)
			if err != nil {
				return f, 0, pd.Errorf(pd.EInvalid, "Dates are YYYY-MM-DD.")
			}
			*d.dst = day
		}
	}
	page, size, err := parsePage(q)
	if err != nil {
		return f, 0, err
	}
	f.Limit, f.Offset = size, (page-1)*size
	return f, page, f.Validate()
}

func (s *Server) programAuditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, pageNo, err := parseAuditFilter(q)
	if err != nil {
		return err
	}
	es, total, err := s.db.ProgramAudit(r.Context(), f)
	if err != nil {
		return err
	}
	actions, err := s.db.AuditActions(r.Context())
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "program-audit", "admin_audit", &programAuditView{URL: r.URL, Filter: f,
		From: q.Get("from"), To: q.Get("to"), Entries: es, Total: total, PageNo: pageNo, Pages: (total + f.Limit - 1) / f.Limit,
		Actions: actions, Actors: pd.AuditActors})
}

// auditCSVURL is the export link of the audit log: its filters, every page.
func auditCSVURL(u *url.URL) template.URL { return exportURL("/admin/audit.csv", u) }

// programAuditCSV exports the audit log with its filters, newest first,
// every entry of it.
func (s *Server) programAuditCSV(w http.ResponseWriter, r *http.Request) error {
	f, _, err := parseAuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, 500
	es, _, err := s.db.ProgramAudit(r.Context(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(w, fmt.Sprintf("audit-%s.csv", pd.DateOf(s.now(), prog.Location())),
		"id", "at", "actor_kind", "actor", "action", "partner_id", "partner", "entity", "entity_id", "detail")
	if err != nil {
		return nil // the client went away
	}
	for len(es) > 0 {
		for _, e := range es {
			if err := out.Row(strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339), e.Actor, csvText(e.ActorName), csvText(e.Action),
				csvText(e.PartnerExternalID), csvText(e.PartnerName), csvText(e.Entity), csvText(e.EntityID), csvText(e.Detail)); err != nil {
				return nil
			}
		}
		if len(es) < f.Limit {
			break
		}
		f.BeforeID = es[len(es)-1].ID
		if es, _, err = s.db.ProgramAudit(r.Context(), f); err != nil {
			// The headers are sent: end the file short and log why.
			s.logError(r, "export audit log", err)
			return nil
		}
	}
	return out.Close()
}
