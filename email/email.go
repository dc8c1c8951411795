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
	stdhtml "html"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/locale"
)

//go:embed templates/*
var templateFS embed.FS

// kinds are the messages there are templates for.
var kinds = []string{pd.EmailReset, pd.EmailInvitation, pd.EmailDigest, pd.EmailLead, pd.EmailLink}

// Composer renders the emails, with links on a public base URL, each in
// its recipient's language (their account's choice, else the default).
type Composer struct {
	base    *url.URL
	locales *locale.Set
	text    map[string]map[string]*texttemplate.Template // by language, then kind
	html    map[string]map[string]*htmltemplate.Template
	local   string // the Message-ID's right-hand side: the base URL's host
}

var _ pd.Mailer = (*Composer)(nil)

// funcs are l's functions for the text part (html false) or the HTML part.
func funcs(l *locale.Locale, html bool, include func(string, any) (string, error)) map[string]any {
	t := func(key string, args ...any) any { return l.T(key, args...) }
	if html {
		t = func(key string, args ...any) any { return l.HTML(key, args...) }
	}
	return map[string]any{"t": t, "lang": func() string { return l.Code }, "date": l.Date, "time": l.Time, "include": include}
}

// NewComposer parses the templates once per language, for links on
// baseURL (an http or https URL: the address people open Partnerdesk at).
func NewComposer(baseURL string) (*Composer, error) {
	base, err := ParseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	locales, err := locale.Load()
	if err != nil {
		return nil, err
	}
	c := &Composer{base: base, locales: locales, text: map[string]map[string]*texttemplate.Template{},
		html: map[string]map[string]*htmltemplate.Template{}, local: base.Hostname()}
	for _, l := range locales.All() {
		c.text[l.Code], c.html[l.Code] = map[string]*texttemplate.Template{}, map[string]*htmltemplate.Template{}
		for _, k := range kinds {
			// include writes a label template as text, for a message's argument.
			var tt *texttemplate.Template
			var ht *htmltemplate.Template
			textInclude := func(name string, data any) (string, error) {
				var b strings.Builder
				err := tt.ExecuteTemplate(&b, name, data)
				return b.String(), err
			}
			htmlInclude := func(name string, data any) (string, error) {
				var b strings.Builder
				err := ht.ExecuteTemplate(&b, name, data)
				return stdhtml.UnescapeString(b.String()), err
			}
			tt, err = texttemplate.New(k).Funcs(funcs(l, false, textInclude)).ParseFS(templateFS, "templates/_labels.tmpl", "templates/"+k+".txt")
			if err != nil {
				return nil, fmt.Errorf("parse email template %s: %w", k, err)
			}
			ht, err = htmltemplate.New(k).Funcs(funcs(l, true, htmlInclude)).ParseFS(templateFS, "templates/_layout.html", "templates/_labels.tmpl",
				"templates/"+k+".txt", "templates/"+k+".html")
			if err != nil {
				return nil, fmt.Errorf("parse email template %s: %w", k, err)
			}
			c.text[l.Code][k], c.html[l.Code][k] = tt, ht
		}
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
	lang := locale.Default
	if l := c.locales.Get(to.Language); l != nil {
		lang = l.Code
	}
	var subject, text, html bytes.Buffer
	if err := c.text[lang][kind].ExecuteTemplate(&subject, "subject", data); err != nil {
		return m, fmt.Errorf("render %s email: %w", kind, err)
	}
	if err := c.text[lang][kind].ExecuteTemplate(&text, "text", data); err != nil {
		return m, fmt.Errorf("render %s email: %w", kind, err)
	}
	if err := c.html[lang][kind].ExecuteTemplate(&html, "layout", data); err != nil {
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
	return c.render(pd.EmailLink, pd.User{Email: n.To, Name: n.ToName, Language: n.Language}, struct {
		pd.LinkNotice
		Link string
	}{n, c.URL("/confirm/" + url.PathEscape(token))})
}
