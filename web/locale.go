package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/locale"
)

// The language of a page: the signed-in user's choice on /account, else
// the lang cookie the header's switch sets, else the browser's
// Accept-Language. Everything a template writes goes through the
// language's functions below, bound when the templates are parsed (once
// per language).

const langCookie = "lang"

// langCookieAge keeps the switch's choice a year (Max-Age, which every
// browser honours without a clock of its own).
const langCookieAge = 365 * 24 * 60 * 60

// localeOf is the language r is answered in.
func (s *Server) localeOf(r *http.Request) *locale.Locale {
	if p := pd.PrincipalFrom(r.Context()); p != nil && p.Language != "" {
		if l := s.locales.Get(p.Language); l != nil {
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l := s.locales.Get(c.Value); l != nil {
			return l
		}
	}
	return s.locales.Match(r.Header.Get("Accept-Language"))
}

// localeFuncs are the template functions that write words, amounts and
// dates in l.
func localeFuncs(l *locale.Locale, all []*locale.Locale) template.FuncMap {
	return template.FuncMap{
		"t":          l.HTML,
		"lang":       func() string { return l.Code },
		"languages":  func() []*locale.Locale { return all },
		"money":      l.Money,
		"compact":    l.CompactMoney,
		"date":       l.Date,
		"number":     l.Number,
		"time":       l.Time,
		"monthYear":  l.MonthYear,
		"shortMonth": l.ShortMonthYear,
		"monthDay":   l.MonthDay,
		"monthAbbr":  l.MonthAbbr,
		// A problem's reason: its message and arguments when it has them.
		"reason": func(format string, args []any, fallback string) template.HTML {
			if format == "" {
				return l.HTML("%s", fallback)
			}
			return l.HTML(format, args...)
		},
		// An int from a template (a count) to a number in words' format.
		"count": func(n int) string { return l.Number(int64(n)) },
	}
}

// setLanguage is the header's language switch: it keeps the choice in the
// lang cookie and, for a signed-in user, as their account's choice, then
// returns to the page it was made on.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	// Anyone may use the switch: it counts against the visitor's address
	// as any public page does.
	if err := s.limitPublic(w, r); err != nil {
		return err
	}
	l := s.locales.Get(r.PostFormValue("lang"))
	if l == nil {
		return pd.Errorf(pd.EInvalid, "Unknown language.")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l.Code, Path: "/", MaxAge: langCookieAge,
		Secure: r.TLS != nil, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if p := pd.PrincipalFrom(r.Context()); p != nil && p.UserID != 0 {
		if err := s.db.SetLanguage(r.Context(), l.Code); err != nil {
			return err
		}
	}
	http.Redirect(w, r, backTo(r), http.StatusSeeOther)
	return nil
}

// backTo is the page the switch was used on, from the Referer (which the
// site's same-origin referrer policy sends): the form itself names no
// page, so that a page whose address holds a secret link does not repeat
// it. Anything but a page of this site is the home page.
func backTo(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return u.RequestURI()
}
