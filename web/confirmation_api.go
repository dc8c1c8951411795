package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// The confirmation links API: a read token lists its partner's links; an
// ingest token (the vendor's systems) creates one for a partner.

type apiLink struct {
	ID             int64            `json:"id"`
	Client         *string          `json:"client"` // the account id; null for a prospect
	ClientName     string           `json:"client_name"`
	ProspectDomain string           `json:"prospect_domain,omitempty"`
	Products       []pd.LinkProduct `json:"products"`
	Services       string           `json:"services"`
	ExpectedMRR    int64            `json:"expected_mrr"`
	Status         pd.LinkStatus    `json:"status"`
	CreatedAt      time.Time        `json:"created_at"`
	ExpiresAt      time.Time        `json:"expires_at"`
	AnsweredAt     *time.Time       `json:"answered_at"`
	Reason         string           `json:"reason,omitempty"`
	CreditFrom     *pd.Date         `json:"credit_from"`
	CreditTo       *pd.Date         `json:"credit_to"`
	EmailedTo      string           `json:"emailed_to,omitempty"`
}

func apiLinkOf(l pd.ConfirmationLink) apiLink {
	out := apiLink{ID: l.ID, ClientName: l.ClientName, ProspectDomain: l.ProspectDomain, Products: l.Products,
		Services: l.Services, ExpectedMRR: l.ExpectedMRR, Status: l.Status, CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt,
		AnsweredAt: l.AnsweredAt, Reason: l.Reason, EmailedTo: l.EmailedTo}
	if l.ClientAccountID != "" {
		out.Client = &l.ClientAccountID
	}
	if !l.CreditFrom.IsZero() {
		out.CreditFrom, out.CreditTo = &l.CreditFrom, &l.CreditTo
	}
	if out.Products == nil {
		out.Products = []pd.LinkProduct{}
	}
	return out
}

func (s *Server) apiLinks(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.db.ConfirmationLinks(r.Context(), store.ConfirmationLinkFilter{Status: pd.LinkStatus(r.URL.Query().Get("status"))})
	if err != nil {
		return err
	}
	out := struct {
		Links []apiLink `json:"links"`
	}{Links: make([]apiLink, 0, len(ls))}
	for _, l := range ls {
		out.Links = append(out.Links, apiLinkOf(l))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiCreateLink(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Client   string `json:"client"`
		Prospect *struct {
			Name   string `json:"name"`
			Domain string `json:"domain"`
		} `json:"prospect"`
		Products    []pd.LinkProduct `json:"products"`
		Services    string           `json:"services"`
		ExpectedMRR int64            `json:"expected_mrr"`
		ExpiryDays  int              `json:"expiry_days"`
		EmailTo     string           `json:"email_to"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(smallBody)
		}
		return pd.Errorf(pd.EInvalid, "The body is not a confirmation link in JSON: %v.", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return pd.Errorf(pd.EInvalid, "The body holds one JSON object.")
	}
	nl := pd.NewConfirmationLink{ClientAccountID: in.Client, Products: in.Products, Services: in.Services,
		ExpectedMRR: in.ExpectedMRR, ExpiryDays: in.ExpiryDays, EmailTo: in.EmailTo}
	if in.Prospect != nil {
		nl.ProspectName, nl.ProspectDomain = in.Prospect.Name, in.Prospect.Domain
	}
	l, tok, err := s.db.CreateConfirmationLink(r.Context(), s.mail, nl)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		Link apiLink `json:"link"`
		URL  string  `json:"url"`
	}{apiLinkOf(*l), s.confirmURL(r, tok)})
	return nil
}
