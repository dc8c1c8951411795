package web

import (
	"net/http"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Tier tab's API: the main report, and the months of tier credit in
// the shape of "partnerdesk credit replay" (its "partners" entries), so
// that an audit can compare the two.

type apiTierGap struct {
	Tier          string `json:"tier"`
	Name          string `json:"name"`
	SoldCredit    int64  `json:"sold_credit"`
	ManagedMRR    int64  `json:"managed_mrr"`
	Certification bool   `json:"certification"`
	AppUsage      bool   `json:"app_usage"`
	Invitation    bool   `json:"invitation"`
}

type apiCertification struct {
	Name      string  `json:"name"`
	Holder    string  `json:"holder"`
	EarnedOn  pd.Date `json:"earned_on"`
	ExpiresOn pd.Date `json:"expires_on"`
	RevokedOn pd.Date `json:"revoked_on"`
}

type apiTier struct {
	Partner         string             `json:"partner"` // its external id
	Refreshed       bool               `json:"refreshed"`
	TakenAt         *time.Time         `json:"taken_at"`
	AsOf            pd.Date            `json:"as_of"`
	Currency        string             `json:"currency"`
	AssignedTier    string             `json:"assigned_tier"`
	PerformanceTier string             `json:"performance_tier"`
	SoldCredit      int64              `json:"sold_credit"`
	ManagedMRR      int64              `json:"managed_mrr"`
	ManagedClients  int                `json:"managed_clients"`
	AppUsage        float64            `json:"average_app_usage"`
	AppUsageClients int                `json:"app_usage_clients"`
	Certified       bool               `json:"certified"`
	Certifications  []apiCertification `json:"certifications"`
	Next            *apiTierGap        `json:"next_tier"`
	ReviewsBelow    int                `json:"reviews_below"`
	NextReview      pd.Date            `json:"next_review"`
}

func (s *Server) apiTier(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Partner(r.Context())
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	tab, err := s.db.TierTab(r.Context(), pd.TierQuery{})
	if err != nil {
		return err
	}
	rep := tab.Report
	out := apiTier{Partner: p.ExternalID, Refreshed: rep.Refreshed, AsOf: rep.AsOf, Currency: prog.Currency,
		AssignedTier: rep.Assigned.Code, PerformanceTier: rep.Performance.Code, SoldCredit: rep.Figures.SoldCredit,
		ManagedMRR: rep.Figures.ManagedMRR, ManagedClients: rep.ManagedClients, AppUsage: rep.Figures.AppUsage(),
		AppUsageClients: rep.UsageClients, Certified: rep.Figures.Certified, Certifications: []apiCertification{},
		ReviewsBelow: rep.Below, NextReview: rep.NextReview}
	if rep.Refreshed {
		out.TakenAt = &rep.TakenAt
	}
	for _, c := range rep.Certifications {
		out.Certifications = append(out.Certifications, apiCertification{c.Name, c.Holder, c.EarnedOn, c.ExpiresOn, c.RevokedOn})
	}
	if g := rep.Next; g != nil {
		out.Next = &apiTierGap{g.Tier.Code, g.Tier.Name, g.SoldCredit, g.ManagedMRR, g.Certification, g.AppUsage, g.Invitation}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiCreditMonth struct {
	Month       string `json:"month"` // YYYY-MM
	Opening     int64  `json:"opening"`
	New         int64  `json:"new"`
	Upgraded    int64  `json:"upgraded"`
	Decreased   int64  `json:"decreased"`
	ExpiredLost int64  `json:"expired_lost"`
	Closing     int64  `json:"closing"`
}

// apiCredit lists the partner's months from..to (YYYY-MM; by default the
// twelve months to the last refresh's, or before the first refresh to
// today's in the program's time zone), each of them.
func (s *Server) apiCredit(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Partner(r.Context())
	if err != nil {
		return err
	}
	var period pd.Period
	q := r.URL.Query()
	for _, f := range []struct {
		key string
		dst *pd.Date
	}{{"from", &period.From}, {"to", &period.To}} {
		if v := q.Get(f.key); v != "" {
			if *f.dst, err = pd.ParseMonth(v); err != nil {
				return err
			}
		}
	}
	if period.From.IsZero() || period.To.IsZero() {
		tab, err := s.db.TierTab(r.Context(), pd.TierQuery{})
		if err != nil {
			return err
		}
		last := pd.MonthStart(tab.Report.AsOf)
		if !tab.Report.Refreshed { // today's month, where the program is
			prog, err := s.db.Program(r.Context())
			if err != nil {
				return err
			}
			last = pd.MonthStart(pd.DateOf(s.now(), prog.Location()))
		}
		if period.To.IsZero() {
			period.To = last
		}
		if period.From.IsZero() {
			period.From = pd.AddMonths(period.To, -11)
		}
	}
	tab, err := s.db.TierTab(r.Context(), pd.TierQuery{Months: period})
	if err != nil {
		return err
	}
	months := make([]apiCreditMonth, len(tab.Months))
	for i, m := range tab.Months {
		months[i] = apiCreditMonth{m.Month.Format("2006-01"), m.Opening, m.New, m.Upgraded, m.Decreased, m.ExpiredLost, m.Closing}
	}
	var asOf *pd.Date
	if tab.Report.Refreshed {
		asOf = &tab.Report.AsOf
	}
	writeJSON(w, http.StatusOK, map[string]any{"partner": p.ExternalID, "as_of": asOf, "months": months})
	return nil
}
