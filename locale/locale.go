// Package locale holds Partnerdesk's languages: one embedded JSON file per
// language (its messages, keyed by their English text, and how it writes
// numbers, money and dates), the printer that looks a message up and
// chooses its plural form (golang.org/x/text), and the one place amounts
// and dates are formatted. Adding a language is adding a file.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed *.json
var files embed.FS

// Default is the language of anyone who asks for none of the others.
const Default = "en"

// File is a language file as written on disk.
type File struct {
	Code     string         `json:"code"` // a BCP 47 tag, such as "fr"
	Name     string         `json:"name"` // the language's own name, such as "Français"
	Format   Format         `json:"format"`
	Messages map[string]any `json:"messages"` // a string, or plural forms: {"arg": 1, "one": …, "other": …}
}

// Locale is one language, ready to print.
type Locale struct {
	Code   string
	Name   string
	Tag    language.Tag
	format Format
	p      *message.Printer
	keys   map[string]bool
}

// Set is every language there is a file for.
type Set struct {
	list    []*Locale // Default first, then by code
	byCode  map[string]*Locale
	matcher language.Matcher
}

// Load reads the embedded language files.
func Load() (*Set, error) { return LoadFS(files) }

// LoadFS reads every *.json language file in fsys.
func LoadFS(fsys fs.FS) (*Set, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	s := &Set{byCode: map[string]*Locale{}}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, n := range names {
		f, err := ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		if f.Code != strings.TrimSuffix(path.Base(n), ".json") {
			return nil, fmt.Errorf("language file %s: its code is %q", n, f.Code)
		}
		tag, err := language.Parse(f.Code)
		if err != nil {
			return nil, fmt.Errorf("language file %s: %w", n, err)
		}
		for key, m := range f.Messages {
			if err := set(b, tag, key, m); err != nil {
				return nil, fmt.Errorf("language file %s: message %q: %w", n, key, err)
			}
		}
		l := &Locale{Code: f.Code, Name: f.Name, Tag: tag, format: f.Format, keys: map[string]bool{}}
		for k := range f.Messages {
			l.keys[k] = true
		}
		s.list = append(s.list, l)
		s.byCode[l.Code] = l
	}
	if s.byCode[Default] == nil {
		return nil, fmt.Errorf("no %s.json language file", Default)
	}
	sort.SliceStable(s.list, func(i, j int) bool {
		return s.list[i].Code == Default || (s.list[j].Code != Default && s.list[i].Code < s.list[j].Code)
	})
	tags := make([]language.Tag, len(s.list))
	for i, l := range s.list {
		tags[i] = l.Tag
		l.p = message.NewPrinter(l.Tag, message.Catalog(b))
	}
	s.matcher = language.NewMatcher(tags)
	return s, nil
}

// ReadFile reads one language file.
func ReadFile(fsys fs.FS, name string) (*File, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("language file %s: %w", name, err)
	}
	return &f, nil
}

// pluralForms are the plural categories a message may give, as CLDR names them.
var pluralForms = map[string]plural.Form{"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other}

// set adds one message to the catalog: a string, or plural forms chosen
// by the library from the argument "arg" (the first by default).
func set(b *catalog.Builder, tag language.Tag, key string, m any) error {
	switch m := m.(type) {
	case string:
		return b.SetString(tag, key, m)
	case map[string]any:
		arg := 1
		var cases []any
		forms := make([]string, 0, len(m))
		for k := range m {
			forms = append(forms, k)
		}
		sort.Strings(forms) // "other" must come last
		sort.SliceStable(forms, func(i, j int) bool { return forms[j] == "other" && forms[i] != "other" })
		for _, k := range forms {
			v := m[k]
			if k == "arg" {
				n, ok := v.(float64)
				if !ok || n < 1 {
					return fmt.Errorf("arg must be an argument's number, from 1")
				}
				arg = int(n)
				continue
			}
			form, ok := pluralForms[k]
			s, isString := v.(string)
			if !ok || !isString {
				return fmt.Errorf("plural form %q: want zero, one, two, few, many or other, with a string", k)
			}
			cases = append(cases, form, s)
		}
		if _, ok := m["other"]; !ok {
			return fmt.Errorf("plural forms need an \"other\"")
		}
		return b.Set(tag, key, plural.Selectf(arg, "", cases...))
	}
	return fmt.Errorf("want a string or plural forms")
}

// All is every language, the default first.
func (s *Set) All() []*Locale { return s.list }

// Get is the language of code, or nil.
func (s *Set) Get(code string) *Locale { return s.byCode[code] }

// Match is the language that best fits an Accept-Language header (or a
// stored choice); the default when none does.
func (s *Set) Match(accept string) *Locale {
	if l := s.byCode[accept]; l != nil {
		return l
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return s.byCode[Default]
	}
	_, i, conf := s.matcher.Match(tags...)
	if conf == language.No {
		return s.byCode[Default]
	}
	return s.list[i]
}

// T is a message in this language: key looked up in the catalog (its
// English text when the language lacks it), formatted with args.
func (l *Locale) T(key string, args ...any) string { return l.p.Sprintf(key, args...) }

// Has reports whether this language's file has key.
func (l *Locale) Has(key string) bool { return l.keys[key] }
