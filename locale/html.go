package locale

import (
	"html"
	"html/template"
	"strings"
)

// textEscaper escapes a message for HTML text and double-quoted attributes
// (every template quotes its attributes), leaving apostrophes as written.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;")

// HTML is a message for an HTML template, escaped; a message passed as
// another's argument is taken back to text first.
func (l *Locale) HTML(key string, args ...any) template.HTML {
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			args[i] = html.UnescapeString(string(h))
		}
	}
	return template.HTML(textEscaper.Replace(l.T(key, args...)))
}
