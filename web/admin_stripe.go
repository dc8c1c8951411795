package web

import (
	"net/http"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Stripe page, for program admins: the deliveries of the Stripe
// webhook that need attention (a partner_id that names no partner,
// discounts that could not be read, metered items, another currency) and
// the lines whose MRR is unconfirmed (docs/stripe.md).

type stripeView struct {
	Deliveries []pd.StripeDelivery
	Lines      []pd.StripeUnconfirmedLine
	APIKey     bool // the server reads discounts from Stripe's API
}

func (s *Server) stripePage(w http.ResponseWriter, r *http.Request) error {
	ds, ls, err := s.db.StripeAttention(r.Context())
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "stripe", "admin_stripe", &stripeView{Deliveries: ds, Lines: ls, APIKey: s.cfg.StripeAPIKey != ""})
}
