package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/store"
)

// The REST API under /api/v1: ingest endpoints (POST, an ingest token) take
// {"records": [...]} and answer what the batch did; read endpoints (GET, a
// read token) answer the token's partner's data. The routes are in
// routes.go, described in openapi.json.

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) openapiDoc(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiJSON)
	return nil
}

type ingestResult struct {
	pd.IngestResult
	DryRun bool `json:"dry_run,omitempty"`
}

// ingestHandler serves a POST of records of one kind, all or nothing, with
// ?dry_run=true to check without writing.
// countIngest records a batch through door in the metrics: its records if
// applied, its problems if rejected.
func (s *Server) countIngest(door string, records int, dry bool, err error) {
	problems := 0
	if be := pd.AsBatchError(err); be != nil {
		problems = max(1, len(be.Problems))
	} else if err != nil {
		return
	}
	s.cfg.Metrics.Ingest(door, records, problems, dry)
}

func ingestHandler[T any](s *Server, write func(in *store.Ingest, recs []T, base int) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		dry := false
		switch r.URL.Query().Get("dry_run") {
		case "true":
			dry = true
		case "", "false":
		default:
			return pd.Errorf(pd.EInvalid, "dry_run must be true or false.")
		}
		var body struct {
			Records []T `json:"records"`
		}
		if err := s.decodeBody(r, &body); err != nil {
			return err
		}
		res, err := s.db.Ingest(r.Context(), dry, func(in *store.Ingest) error { return write(in, body.Records, 0) })
		s.countIngest(metrics.DoorAPI, len(body.Records), dry, err)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ingestResult{res, dry})
		return nil
	}
}

type apiStaff struct {
	Name        string `json:"name"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	Description string `json:"description"`
}

func staffJSON(st *pd.Staff) *apiStaff {
	if st == nil {
		return nil
	}
	return &apiStaff{st.Name, st.Email, string(st.Role), st.Description}
}

func (s *Server) apiPartner(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Partner(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": p.ID, "external_id": p.ExternalID, "name": p.Name,
		"country": p.Country, "website": p.Website, "tier": p.Tier,
		"partner_manager": staffJSON(p.Manager), "partner_consultant": staffJSON(p.Consultant)})
	return nil
}

type apiClient struct {
	ID           int64    `json:"id"`
	AccountID    string   `json:"account_id"`
	Name         string   `json:"name"`
	Domain       string   `json:"domain"`
	Country      string   `json:"country"`
	AccountURL   string   `json:"account_url"`
	MRR          int64    `json:"mrr"`
	Products     []string `json:"products"`
	Relationship string   `json:"relationship"`
	Since        pd.Date  `json:"since"`
	Engagement   int      `json:"engagement"`
	Bucket       string   `json:"bucket"`
}

func clientJSON(c pd.Client) apiClient {
	codes := []string{}
	for _, p := range c.Products() {
		codes = append(codes, p.Code)
	}
	return apiClient{c.ID, c.AccountID, c.Name, c.Domain, c.Country, c.AccountURL, c.MRR, codes,
		string(c.Relationship), c.Since, c.Engagement, c.Bucket()}
}

// apiClients lists the partner's clients with the Clients table's filters;
// the API names the relationship filter in full.
func (s *Server) apiClients(w http.ResponseWriter, r *http.Request) error {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		switch k {
		case "relationship":
			q["rel"] = v
		case "q", "product", "usage", "sort", "dir", "page", "size":
			q[k] = v
		default:
			return pd.Errorf(pd.EInvalid, "Unknown query parameter %q.", k)
		}
	}
	f, page, err := parseClientFilter(q)
	if err != nil {
		return err
	}
	cp, err := s.db.ListClients(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Clients  []apiClient `json:"clients"`
		Total    int         `json:"total"`
		TotalMRR int64       `json:"total_mrr"`
		Page     int         `json:"page"`
		Size     int         `json:"size"`
	}{Clients: []apiClient{}, Total: cp.Total, TotalMRR: cp.TotalMRR, Page: page, Size: f.Limit}
	for _, c := range cp.Clients {
		out.Clients = append(out.Clients, clientJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiLine struct {
	ID               string  `json:"id"`
	Product          string  `json:"product"`
	Quantity         int     `json:"quantity"`
	Contacts         int64   `json:"contacts"`
	EmailSendLimit   int64   `json:"email_send_limit"`
	MRR              int64   `json:"mrr"`
	BillingPeriod    string  `json:"billing_period"`
	CommitmentMonths int     `json:"commitment_months"`
	RenewalDate      *string `json:"renewal_date"`
	AutoRenew        bool    `json:"auto_renew"`
	Status           string  `json:"status"`
}

func (s *Server) apiClient(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "client")
	if id == 0 {
		return pd.Errorf(pd.ENotFound, "Client not found.")
	}
	d, err := s.db.Client(r.Context(), id)
	if err != nil {
		return err
	}
	out := struct {
		apiClient
		Lines       []apiLine      `json:"lines"`
		Usage       map[string]any `json:"usage"`
		NextRenewal map[string]any `json:"next_renewal"`
	}{apiClient: clientJSON(d.Client), Lines: []apiLine{}}
	for _, l := range d.Lines {
		var renews *string
		if !l.RenewalDate.IsZero() {
			v := l.RenewalDate.String()
			renews = &v
		}
		out.Lines = append(out.Lines, apiLine{l.ExternalID, l.Product.Code, l.Quantity, l.Contacts, l.EmailSendLimit, l.MRR,
			l.BillingPeriod, l.CommitmentMonths, renews, l.AutoRenew, l.Status})
	}
	if u := d.Usage; u != nil {
		out.Usage = map[string]any{"day": u.Day, "tools": pd.ToolCodes(u.Tools), "active_users": u.ActiveUsers, "seats": u.Seats}
	}
	if n := d.Renewal; n != nil {
		var owner any // the owning partner, when a partner owns it
		if n.Owner == pd.OwnerPartner {
			owner = n.OwnerPartnerID
		}
		out.NextRenewal = map[string]any{"renewal_date": n.RenewalDate, "deadline": n.Deadline, "contract_type": n.ContractType,
			"comm_owner": n.Owner, "comm_partner_id": owner, "status": n.Status, "current_mrr": n.CurrentMRR, "proposed_mrr": n.ProposedMRR}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
