package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// Confirmation links: the partner's list and form, and the public page
// where a client confirms or rejects a link without an account.

type linksView struct {
	Links   []pd.ConfirmationLink
	Status  pd.LinkStatus
	Clients []pd.Client
	// Contacts are the listed clients' contacts, by client, whom a new
	// link can be emailed to.
	Contacts map[int64][]pd.Contact
	// Created is the new link's address, shown once; Emailed the new
	// link's, when it was emailed.
	Created string
	Emailed *pd.ConfirmationLink
	Error   string
	Form    pd.NewConfirmationLink
}

func (s *Server) linksPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLinks(w, r, &linksView{Status: pd.LinkStatus(r.URL.Query().Get("status"))}, http.StatusOK)
}

func (s *Server) renderLinks(w http.ResponseWriter, r *http.Request, lv *linksView, code int) error {
	ls, err := s.db.ConfirmationLinks(r.Context(), store.ConfirmationLinkFilter{Status: lv.Status})
	if err != nil {
		return err
	}
	lv.Links = ls
	v, err := s.dashboard(r, "links", lv)
	if err != nil {
		return err
	}
	if !v.ReadOnly {
		page, err := s.db.ListClients(r.Context(), pd.ClientFilter{Sort: "name", Limit: 500})
		if err != nil {
			return err
		}
		lv.Clients = page.Clients
		ids := make([]int64, len(page.Clients))
		for i, c := range page.Clients {
			ids[i] = c.ID
		}
		if lv.Contacts, err = s.db.LinkContacts(r.Context(), ids); err != nil {
			return err
		}
	}
	w.WriteHeader(code)
	s.render(w, r, "confirmation_links", v)
	return nil
}

// linkForm reads the partner's form: a client or a prospect, a quantity
// per product (blank or 0 leaves the product out), the services, the
// expected MRR in the currency's units, the days before it expires, and
// whom to email it to: a client's contact, or an address for a prospect.
func linkForm(r *http.Request) (pd.NewConfirmationLink, error) {
	nl := pd.NewConfirmationLink{ProspectName: r.PostFormValue("prospect_name"), ProspectDomain: r.PostFormValue("prospect_domain"),
		Services: r.PostFormValue("services"), EmailTo: strings.TrimSpace(r.PostFormValue("email_to"))}
	if c := r.PostFormValue("client"); c != "" {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return nl, pd.Errorf(pd.EInvalid, "Choose one of your clients.")
		}
		nl.ClientID = id
	}
	if c := r.PostFormValue("contact"); c != "" {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return nl, pd.Errorf(pd.EInvalid, "Choose one of the client's contacts to email the link to.")
		}
		nl.ContactID = id
	}
	for _, p := range pd.Products {
		q := strings.TrimSpace(r.PostFormValue("qty_" + p.Code))
		if q == "" || q == "0" {
			continue
		}
		n, err := strconv.Atoi(q)
		if err != nil {
			return nl, pd.Errorf(pd.EInvalid, "The quantity of %s is a whole number.", p.Name())
		}
		nl.Products = append(nl.Products, pd.LinkProduct{Code: p.Code, Quantity: n})
	}
	if m := strings.TrimSpace(r.PostFormValue("expected_mrr")); m != "" {
		f, err := strconv.ParseFloat(m, 64)
		if err != nil || f < 0 || f > 1e10 {
			return nl, pd.Errorf(pd.EInvalid, "The expected MRR is an amount such as 1200.50.")
		}
		nl.ExpectedMRR = int64(math.Round(f * 100))
	}
	if d := strings.TrimSpace(r.PostFormValue("expiry_days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return nl, pd.Errorf(pd.EInvalid, "A link expires after a whole number of days.")
		}
		nl.ExpiryDays = n
	}
	return nl, nil
}

func (s *Server) createLink(w http.ResponseWriter, r *http.Request) error {
	nl, err := linkForm(r)
	var l *pd.ConfirmationLink
	var tok string
	if err == nil {
		l, tok, err = s.db.CreateConfirmationLink(r.Context(), s.mail, nl)
	}
	if pd.ErrorCode(err) == pd.EInvalid {
		return s.renderLinks(w, r, &linksView{Error: s.errorText(r, err), Form: nl}, http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	lv := &linksView{Created: s.confirmURL(r, tok)}
	if l.EmailedTo != "" {
		lv.Emailed = l
	}
	return s.renderLinks(w, r, lv, http.StatusCreated)
}

// confirmURL is the public address of the link of tok, on the host the
// partner reached.
func (s *Server) confirmURL(r *http.Request, tok string) string {
	scheme := "http"
	if s.overTLS(r) {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/confirm/%s", scheme, r.Host, tok)
}

func (s *Server) cancelLink(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.CancelConfirmationLink(r.Context(), pathID(r, "link")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/partners/%s/confirmation-links", r.PathValue("partner")), http.StatusSeeOther)
	return nil
}

// confirmView is the public page: the link, or nothing (Gone) for a token
// that opens nothing, whatever the reason.
type confirmView struct {
	Link     *pd.PublicLink
	Answered string // confirmed or rejected, after the client's answer
	Limited  bool
}

// confirmPage shows a link to its client. Every token that opens nothing
// gets the same page with the same status.
func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) error {
	pl, err := s.db.PublicConfirmationLink(r.Context(), s.confirmLimits, r.PathValue("token"), s.clientIP(r))
	return s.renderConfirm(w, r, &confirmView{Link: pl}, err)
}

func (s *Server) answerLink(w http.ResponseWriter, r *http.Request) error {
	answer := r.PostFormValue("answer")
	if answer != "confirm" && answer != "reject" {
		return pd.Errorf(pd.EInvalid, "Choose to confirm or to reject.")
	}
	err := s.db.AnswerConfirmationLink(r.Context(), s.confirmLimits, r.PathValue("token"), s.clientIP(r),
		answer == "confirm", r.PostFormValue("reason"))
	v := &confirmView{Answered: "rejected"}
	if answer == "confirm" {
		v.Answered = "confirmed"
	}
	return s.renderConfirm(w, r, v, err)
}

func (s *Server) renderConfirm(w http.ResponseWriter, r *http.Request, v *confirmView, err error) error {
	code := http.StatusOK
	switch pd.ErrorCode(err) {
	case "":
	case pd.ENotFound:
		v, code = &confirmView{}, http.StatusNotFound
	case pd.ETooMany:
		v, code = &confirmView{Limited: true}, http.StatusTooManyRequests
		var le *store.LimitedError
		if errors.As(err, &le) {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(le.RetryAfter.Seconds()))))
		}
	default:
		return err
	}
	w.WriteHeader(code)
	s.render(w, r, "confirm", v)
	return nil
}
