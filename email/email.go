// Package email renders Partnerdesk's emails and delivers the outbox. The
// Composer renders each kind of message from its templates (plain text
// and HTML, with the links on the server's public address); Build makes
// the MIME message (mime.go); SMTP is the client that sends it (smtp.go);
// the Worker claims the queued messages and delivers them with retries
// (worker.go). The store queues what the Composer renders, in the
// transaction of the change the message tells about.
package email

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

//go:embed templates/*
var templateFS embed.FS

// kinds are the messages there are templates for.
var kinds = []string{pd.EmailReset, pd.EmailInvitation, pd.EmailDigest, pd.EmailLead, pd.EmailLink}

// Composer renders the emails, with links on a public base URL.
type Composer struct {
	base  *url.URL
	text  map[string]*texttemplate.Template
	html  map[string]*htmltemplate.Template
	local string // the Message-ID's right-hand side: the base URL's host
}

var _ pd.Mailer = (*Composer)(nil)

var funcs = map[string]any{
	"date": func(d pd.Date) string { return d.Format("Jan 2, 2006") },
	"time": func(t time.Time) string { return t.UTC().Format("Jan 2, 2006 15:04 UTC") },
}

// NewComposer parses the templates once, for links on baseURL (an http
// or https URL: the address people open Partnerdesk at).
func NewComposer(baseURL string) (*Composer, error) {
	base, err := ParseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Composer{base: base, text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{},
		local: base.Hostname()}
	for _, k := range kinds {
		tt, err := texttemplate.New(k).Funcs(funcs).ParseFS(templateFS, "templates/_labels.tmpl", "templates/"+k+".txt")
		if err != nil {
			return nil, fmt.Errorf("parse email template %s: %w", k, err)
		}
		ht, err := htmltemplate.New(k).Funcs(funcs).ParseFS(templateFS, "templates/_layout.html", "templates/_labels.tmpl",
			"templates/"+k+".txt", "templates/"+k+".html")
		if err != nil {
			return nil, fmt.Errorf("parse email template %s: %w", k, err)
		}
		c.text[k], c.html[k] = tt, ht
	}
	return c, nil
}

// ParseBaseURL checks a public base URL: http or https, a host, no query
// or fragment. The path, if any, is kept without its trailing slash.
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL %q: want http(s)://HOST[:PORT][/PATH], the address people open Partnerdesk at", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// URL is path on the base URL.
func (c *Composer) URL(path string) string {
	u := *c.base
	u.Path += path
	return u.String()
}

// render fills m's subject and both bodies from kind's templates.
func (c *Composer) render(kind string, to pd.User, data any) (pd.Email, error) {
	m := pd.Email{Kind: kind, To: to.Email, ToName: to.Name, MessageID: c.messageID()}
	var subject, text, html bytes.Buffer
	if err := c.text[kind].ExecuteTemplate(&subject, "subject", data); err != nil {
		return m, fmt.Errorf("render %s email: %w", kind, err)
	}
	if err := c.text[kind].ExecuteTemplate(&text, "text", data); err != nil {
		return m, fmt.Errorf("render %s email: %w", kind, err)
	}
	if err := c.html[kind].ExecuteTemplate(&html, "layout", data); err != nil {
		return m, fmt.Errorf("render %s email: %w", kind, err)
	}
	m.Subject, m.Text, m.HTML = oneLine(subject.String()), text.String(), html.String()
	return m, nil
}

// oneLine turns a subject's line breaks and other control characters
// (from a name, say) into spaces: a header holds one line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || r == ' ' }), " ")
}

func (c *Composer) messageID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b) + "@" + c.local
}

// Reset renders a password reset email with its link.
func (c *Composer) Reset(n pd.ResetNotice, token string) (pd.Email, error) {
	return c.render(pd.EmailReset, n.User, struct {
		pd.ResetNotice
		Link string
	}{n, c.URL("/password/reset/" + url.PathEscape(token))})
}

// Invitation renders an invitation with its link.
func (c *Composer) Invitation(n pd.InvitationNotice, token string) (pd.Email, error) {
	return c.render(pd.EmailInvitation, n.User, struct {
		pd.InvitationNotice
		Link string
	}{n, c.URL("/invite/" + url.PathEscape(token))})
}

// digestItem is a digest's line, with its renewal page's link.
type digestItem struct {
	pd.DigestItem
	Link     string
	DaysLeft int
}

// Digest renders a daily digest; it names the account page, where digests
// are turned off, in List-Unsubscribe.
func (c *Composer) Digest(d pd.Digest) (pd.Email, error) {
	data := struct {
		pd.Digest
		Items       []digestItem
		AccountLink string
	}{Digest: d, AccountLink: c.URL("/account")}
	for _, it := range d.Items {
		data.Items = append(data.Items, digestItem{DigestItem: it, DaysLeft: d.Day.DaysUntil(it.Deadline),
			Link: c.URL(fmt.Sprintf("/partners/%d/renewals/%d", d.PartnerID, it.RenewalID))})
	}
	m, err := c.render(pd.EmailDigest, d.User, data)
	m.ListUnsubscribe = data.AccountLink
	return m, err
}

// Lead renders a lead for the partner, with a link to its Leads page.
func (c *Composer) Lead(n pd.LeadNotice) (pd.Email, error) {
	return c.render(pd.EmailLead, pd.User{Email: n.To, Name: n.Partner}, struct {
		pd.LeadNotice
		Link string
	}{n, c.URL(fmt.Sprintf("/partners/%d/leads", n.Lead.PartnerID))})
}

// ConfirmationLink renders a confirmation link for the client's contact,
// with the public page's link.
func (c *Composer) ConfirmationLink(n pd.LinkNotice, token string) (pd.Email, error) {
	return c.render(pd.EmailLink, pd.User{Email: n.To, Name: n.ToName}, struct {
		pd.LinkNotice
		Link string
	}{n, c.URL("/confirm/" + url.PathEscape(token))})
}
