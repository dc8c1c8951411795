package web

import (
	"net/http"
	"net/url"
	"regexp"

	pd "github.com/partnerdesk/partnerdesk"
)

// The outbox, for program admins: every email Partnerdesk queued, whether
// a worker delivered it, and each message's text and links. Without SMTP
// (the demo) it is where email is read: a newcomer follows every email
// flow in the browser.

type outboxView struct {
	URL      *url.URL
	Messages []pd.OutboxEmail
	Total    int
	PageNo   int
	Pages    int
	Delivery bool // a worker delivers the outbox through SMTP
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	page, size, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	ms, total, err := s.db.ListOutbox(r.Context(), (page-1)*size, size)
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "outbox", "admin_outbox", &outboxView{URL: r.URL, Messages: ms, Total: total,
		PageNo: page, Pages: (total + size - 1) / size, Delivery: s.cfg.MailDelivery})
}

type outboxMessageView struct {
	Message  *pd.OutboxEmail
	Links    []string
	Delivery bool
}

// link finds the web addresses in a message's text.
var link = regexp.MustCompile(`https?://[^\s<>"]+`)

func (s *Server) outboxMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.db.OutboxEmail(r.Context(), pathID(r, "message"))
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "outbox", "admin_outbox_message", &outboxMessageView{Message: m,
		Links: link.FindAllString(m.Text, -1), Delivery: s.cfg.MailDelivery})
}
