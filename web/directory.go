package web

import (
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The public partner directory: its list, the profiles, their contact
// form and the sitemap. Anyone reaches them, signed in or not: every
// request is counted per address in the database first, and an unknown
// slug and one not published get the same 404 as any unknown page.

type directoryView struct {
	URL       *url.URL
	Canonical string
	Filter    pd.DirectoryFilter
	Facets    pd.DirectoryFacets
	Profiles  []pd.Profile
	Total     int
	PageNo    int
	Pages     int
}

// directoryPageSize is the number of cards on a directory page.
const directoryPageSize = 20

// limitPublic counts a public page read from the visitor's address, and
// refuses it (429) over the limit.
func (s *Server) limitPublic(w http.ResponseWriter, r *http.Request) error {
	wait, err := s.db.CountDirectoryRead(r.Context(), s.public, s.clientIP(r))
	if err != nil {
		return err
	}
	return tooMany(w, wait)
}

func tooMany(w http.ResponseWriter, wait time.Duration) error {
	if wait <= 0 {
		return nil
	}
	w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	return pd.Errorf(pd.ETooMany, "Too many requests from your address. Please wait a few minutes and try again.")
}

// baseURL is the site's public address (--base-url, the emails' too):
// canonical links and the sitemap are built on it, never on the
// request's Host, which the client chooses.
func (s *Server) baseURL() string { return s.mail.URL("") }

func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitPublic(w, r); err != nil {
		return err
	}
	q := r.URL.Query()
	page, _, err := parsePage(url.Values{"page": q["page"]})
	if err != nil {
		return err
	}
	f := pd.DirectoryFilter{Query: q.Get("q"), Service: q.Get("service"), Industry: q.Get("industry"),
		Country: q.Get("country"), Language: q.Get("language"), Tier: q.Get("tier"),
		Offset: (page - 1) * directoryPageSize, Limit: directoryPageSize}
	ps, total, err := s.db.Directory(r.Context(), f)
	if err != nil {
		return err
	}
	facets, err := s.directoryFacets(r)
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	// Every filtered list is the directory itself to a search engine.
	canonical := s.baseURL() + "/directory"
	if page > 1 && f == (pd.DirectoryFilter{Offset: f.Offset, Limit: f.Limit}) {
		canonical += fmt.Sprintf("?page=%d", page)
	}
	s.render(w, r, "directory", &view{Program: prog, Data: &directoryView{URL: r.URL, Canonical: canonical, Filter: f,
		Facets: facets, Profiles: ps, Total: total, PageNo: page, Pages: (total + directoryPageSize - 1) / directoryPageSize}})
	return nil
}

type profileView struct {
	Canonical string
	Profile   *pd.Profile
	Lead      pd.Lead // as entered, kept after a mistake
	Sent      bool
	Error     string
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitPublic(w, r); err != nil {
		return err
	}
	return s.renderProfile(w, r, 0, &profileView{Sent: r.URL.Query().Get("sent") == "1"})
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, code int, pv *profileView) error {
	slug := r.PathValue("slug")
	p, err := s.db.PublishedProfile(r.Context(), slug)
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	pv.Profile, pv.Canonical = p, s.baseURL()+"/directory/"+url.PathEscape(p.Slug)
	if code != 0 {
		w.WriteHeader(code)
	}
	s.render(w, r, "directory_profile", &view{Program: prog, Data: pv})
	return nil
}

// leadHoneypot names the contact form's field that people never see and
// bots fill in.
const leadHoneypot = "website"

// sendLead takes the contact form of a profile. Every form is counted per
// address first, whatever it holds; one with the hidden field filled in is
// answered as if sent, and nothing of it is kept.
func (s *Server) sendLead(w http.ResponseWriter, r *http.Request) error {
	wait, err := s.db.CountLead(r.Context(), s.public, s.clientIP(r))
	if err != nil {
		return err
	}
	if err := tooMany(w, wait); err != nil {
		return err
	}
	slug := r.PathValue("slug")
	sent := "/directory/" + url.PathEscape(slug) + "?sent=1#contact"
	if r.PostFormValue(leadHoneypot) != "" {
		http.Redirect(w, r, sent, http.StatusSeeOther)
		return nil
	}
	l := pd.Lead{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Company: r.PostFormValue("company"),
		Message: r.PostFormValue("message")}
	if err := s.db.CreateLead(r.Context(), s.mail, slug, l); err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		return s.renderProfile(w, r, http.StatusBadRequest, &profileView{Lead: l, Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, sent, http.StatusSeeOther)
	return nil
}

// sitemap lists the directory and every published profile, for search
// engines.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitPublic(w, r); err != nil {
		return err
	}
	es, err := s.db.Sitemap(r.Context())
	if err != nil {
		return err
	}
	type loc struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
	base := s.baseURL()
	urls := []loc{{Loc: base + "/directory"}}
	for _, e := range es {
		urls = append(urls, loc{Loc: base + "/directory/" + url.PathEscape(e.Slug), LastMod: e.UpdatedAt.UTC().Format(time.DateOnly)})
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []loc    `xml:"url"`
	}{URLs: urls}); err != nil {
		return fmt.Errorf("write sitemap: %w", err)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, err = w.Write([]byte(b.String()))
	return err
}

// facetCache keeps the directory's filter options for facetTTL: reading
// them means reading every published profile, too much for each request
// when there are thousands. They only list values, never a partner, so
// a withdrawn partner's values lingering for facetTTL show nobody.
type facetCache struct {
	mu     sync.Mutex
	until  time.Time
	facets pd.DirectoryFacets
}

const facetTTL = 30 * time.Second

func (s *Server) directoryFacets(r *http.Request) (pd.DirectoryFacets, error) {
	c := &s.facets
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := s.now(); now.Before(c.until) {
		return c.facets, nil
	}
	f, err := s.db.DirectoryFacets(r.Context())
	if err != nil {
		return f, err
	}
	c.facets, c.until = f, s.now().Add(facetTTL)
	return f, nil
}
