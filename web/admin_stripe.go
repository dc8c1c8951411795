package web

import (
	"fmt"
	"net/http"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Stripe page, for program admins: the deliveries of the Stripe
// webhook that need attention (a partner_id that names no partner,
// discounts that could not be read, metered items, another currency) and
// the lines whose MRR is unconfirmed (docs/stripe.md).

type stripeView struct {
	Deliveries []pd.StripeDelivery
	Lines      []pd.StripeUnconfirmedLine
	APIKey     bool   // the server reads discounts from Stripe's API
	Rates      string // the exchange rates' form: "EUR 1.0825", one a line
	Saved      bool
	Error      string
}

func (s *Server) stripePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderStripe(w, r, 0, nil, "")
}

func (s *Server) renderStripe(w http.ResponseWriter, r *http.Request, code int, rates *string, problem string) error {
	ds, ls, err := s.db.StripeAttention(r.Context())
	if err != nil {
		return err
	}
	v := &stripeView{Deliveries: ds, Lines: ls, APIKey: s.cfg.StripeAPIKey != "", Saved: r.URL.Query().Get("notice") == "rates", Error: problem}
	if rates != nil {
		v.Rates = *rates
	} else {
		rs, err := s.db.CurrencyRates(r.Context())
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&b, "%s %s\n", r.Currency, r.Rate)
		}
		v.Rates = b.String()
	}
	return s.renderAdmin(w, r, code, "stripe", "admin_stripe", v)
}

// saveCurrencyRates replaces the program's exchange rates from the form's
// lines, each a currency code and a rate.
func (s *Server) saveCurrencyRates(w http.ResponseWriter, r *http.Request) error {
	text := r.PostFormValue("rates")
	var rates []pd.CurrencyRate
	var err error
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			err = pd.Errorf(pd.EInvalid, "Each line is a currency code and a rate, such as EUR 1.0825, not %q.", strings.TrimSpace(l))
			break
		}
		rates = append(rates, pd.CurrencyRate{Currency: f[0], Rate: f[1]})
	}
	if err == nil {
		err = s.db.SetCurrencyRates(r.Context(), rates)
	}
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		return s.renderStripe(w, r, http.StatusBadRequest, &text, s.errorText(r, err))
	}
	http.Redirect(w, r, "/admin/stripe?notice=rates#rates", http.StatusSeeOther)
	return nil
}
