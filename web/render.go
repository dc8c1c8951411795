package web

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/locale"
)

// view is what every page template receives.
type view struct {
	Principal *pd.Principal
	CSRF      string
	Partner   *pd.Partner // on a partner's dashboard
	Program   pd.Program
	ReadOnly  bool   // vendor staff looking at a partner's dashboard
	Nav       string // the menu entry to highlight
	Data      any
	Lang      *locale.Locale // the language the page is in
}

// parseTemplates parses each page with the shared layout and partials,
// once per language: the language's functions are bound at parse time.
func parseTemplates(locales *locale.Set) (map[string]map[string]*template.Template, error) {
	shared, err := fs.Glob(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	all, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	sets := map[string]map[string]*template.Template{}
	for _, l := range locales.All() {
		pages := map[string]*template.Template{}
		lf := localeFuncs(l, locales.All())
		for _, f := range all {
			name := strings.TrimSuffix(path.Base(f), ".html")
			if strings.HasPrefix(name, "_") {
				continue
			}
			var t *template.Template
			// include writes a label template (a relationship, a status)
			// as text, for a message to take as an argument.
			include := func(name string, data any) (string, error) {
				var b strings.Builder
				err := t.ExecuteTemplate(&b, name, data)
				return html.UnescapeString(strings.TrimSpace(b.String())), err
			}
			t, err = template.New(name).Funcs(funcs).Funcs(lf).Funcs(template.FuncMap{"include": include}).
				ParseFS(templateFS, append([]string{f}, shared...)...)
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", name, err)
			}
			pages[name] = t
		}
		sets[l.Code] = pages
	}
	return sets, nil
}

// render writes a page, buffering it so that a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	v, ok := data.(*view)
	if !ok {
		v = &view{Data: data}
	}
	v.Principal = pd.PrincipalFrom(r.Context())
	v.CSRF = csrfToken(r.Context())
	if v.Program.Currency == "" {
		v.Program.Currency = "USD"
	}
	v.Lang = s.localeOf(r)
	page := s.pages[v.Lang.Code][name]
	var buf bytes.Buffer
	root := "layout"
	if page.Lookup("fragment") != nil {
		root = "fragment"
	}
	if err := page.ExecuteTemplate(&buf, root, v); err != nil {
		s.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		if name != "error" {
			w.WriteHeader(http.StatusInternalServerError)
			s.render(w, r, "error", &errorPage{Status: http.StatusInternalServerError, RequestID: requestIDOf(r.Context())})
			return
		}
		http.Error(w, "Internal error (request "+requestIDOf(r.Context())+").", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

var funcs = template.FuncMap{
	"percent": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return 100 * a / b
	},
	"hub":   pd.HubName,
	"query": setQuery,
	"add":   func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i + 1
		}
		return s
	},
	"lower":          strings.ToLower,
	"int64":          func(n int) int64 { return int64(n) },
	"hubs":           func() []string { return pd.Hubs },
	"products":       func() []pd.Product { return pd.Products },
	"linkStatuses":   func() []pd.LinkStatus { return pd.LinkStatuses },
	"relationships":  func() []pd.Relationship { return pd.Relationships },
	"tools":          pd.ToolsIn,
	"dict":           dict,
	"sortDir":        sortDir,
	"panelOf":        panelOf,
	"clientsCSV":     clientsCSVURL,
	"partnersCSV":    partnersCSVURL,
	"auditCSV":       auditCSVURL,
	"certAlertDays":  func() int { return pd.CertificationAlertDays },
	"bookDays":       func() int { return pd.BookDeadlineDays },
	"nearPercent":    func() int { return pd.NearPercent },
	"activityWindow": func() int { return pd.ActivityWindowDays },
}

// dict builds a map from key/value pairs, to pass several values to a
// template.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// sortDir is the direction a column header's link asks for: the other one
// for the current column, otherwise largest first for figures.
func sortDir(current, desc bool, col string) string {
	if current {
		if desc {
			return "asc"
		}
		return "desc"
	}
	switch col {
	case "mrr", "usage", "sold", "managed", "pending", "certified", "assigned", "performance":
		return "desc"
	}
	return "asc"
}

// panelOf finds the client panel in a page's data.
func panelOf(v *view) *panelView {
	switch d := v.Data.(type) {
	case *panelView:
		return d
	case *clientsView:
		return d.Panel
	}
	return nil
}

// setQuery returns u's query with key=value pairs set ("" deletes a key),
// for sort links and pagination that keep the current filters. A notice
// ("Services ended.") is said once: the links drop it.
func setQuery(u *url.URL, kv ...any) string {
	q := u.Query()
	q.Del("notice")
	for i := 0; i+1 < len(kv); i += 2 {
		k := fmt.Sprint(kv[i])
		v := fmt.Sprint(kv[i+1])
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

var randRead = rand.Read

func newToken() string {
	b := make([]byte, 32)
	if _, err := randRead(b); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%x", b)
}
