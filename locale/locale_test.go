package locale_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"regexp"
	"sort"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/locale"
)

var update = flag.Bool("update", false, "rewrite the language files in their canonical form, adding the English of new keys and dropping unused ones")

func mustLoad(t *testing.T) *locale.Set {
	t.Helper()
	s, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// canonical is a language file as the tests write it: keys sorted, so
// that two branches adding messages merge cleanly.
func canonical(f *locale.File) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(f); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func readFiles(t *testing.T) map[string]*locale.File {
	t.Helper()
	names, _ := os.ReadDir(".")
	files := map[string]*locale.File{}
	for _, n := range names {
		if ext := ".json"; len(n.Name()) > len(ext) && n.Name()[len(n.Name())-len(ext):] == ext {
			f, err := locale.ReadFile(os.DirFS("."), n.Name())
			if err != nil {
				t.Fatal(err)
			}
			files[n.Name()] = f
		}
	}
	return files
}

func TestLanguageFilesAreCanonical(t *testing.T) {
	for name, f := range readFiles(t) {
		data, _ := os.ReadFile(name)
		if !bytes.Equal(data, canonical(f)) {
			t.Errorf("%s is not in canonical form (keys sorted, two-space indent): run go test ./locale -update", name)
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func verbs(m any) []string {
	var s string
	switch m := m.(type) {
	case string:
		s = m
	case map[string]any:
		s, _ = m["other"].(string)
	}
	v := verb.FindAllString(s, -1)
	sort.Strings(v)
	return v
}

// TestEveryLanguageHasEveryMessage: a key missing in one language would
// show English in the middle of another; a translation that drops or adds
// a %d would print garbage.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	files := readFiles(t)
	en := files["en.json"]
	for name, f := range files {
		for key, m := range en.Messages {
			tr, ok := f.Messages[key]
			if !ok {
				t.Errorf("%s: no translation of %q", name, key)
				continue
			}
			if !reflect.DeepEqual(verbs(m), verbs(tr)) {
				t.Errorf("%s: %q: the translation %q has other verbs than the English %q", name, key, tr, m)
			}
		}
		for key := range f.Messages {
			if _, ok := en.Messages[key]; !ok {
				t.Errorf("%s: %q is not an English key", name, key)
			}
		}
		if f.Format.Money == "" || f.Format.Date == "" || len(f.Format.Months) != 12 || len(f.Format.ShortMonths) != 12 ||
			f.Format.Decimal == "" || f.Format.Time == "" || f.Format.MonthDay == "" || f.Format.MonthYear == "" ||
			f.Format.ShortMonth == "" || f.Format.Compact == "" || len(f.Format.CompactUnits) == 0 || f.Format.MoneyCode == "" {
			t.Errorf("%s: incomplete format", name)
		}
	}
	if _, err := locale.Load(); err != nil {
		t.Fatal(err)
	}
}

func TestFormatFollowsTheLanguage(t *testing.T) {
	s := mustLoad(t)
	en, fr := s.Get("en"), s.Get("fr")
	day := pd.NewDate(2026, time.December, 1)
	at := time.Date(2026, time.December, 1, 7, 39, 21, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{en.Money("USD", 54793079), "$547,930.79"},
		{fr.Money("USD", 54793079), "547\u00a0930,79\u00a0$US"},
		{en.Money("EUR", -5), "−€0.05"},
		{fr.Money("EUR", 123456), "1\u00a0234,56\u00a0€"},
		{en.Money("JPY", 1234), "¥1,234"},
		{en.Money("CHF", 1000), "10.00 CHF"},
		{fr.Money("CHF", 1000), "10,00\u00a0CHF"},
		{en.CompactMoney("USD", 100_000_000), "$1M"},
		{fr.CompactMoney("USD", 100_000_000), "1\u00a0M$"},
		{en.CompactMoney("USD", 25_000_000), "$250K"},
		{fr.CompactMoney("USD", 150_000_000), "1,5\u00a0M$"},
		{en.CompactMoney("USD", 0), "$0"},
		{fr.CompactMoney("EUR", 5000), "50\u00a0€"},
		{en.Number(1234567), "1,234,567"},
		{fr.Number(1234567), "1\u00a0234\u00a0567"},
		{en.Date(day), "Dec 1, 2026"},
		{fr.Date(day), "1 déc. 2026"},
		{en.MonthYear(day), "December 2026"},
		{fr.MonthYear(day), "décembre 2026"},
		{fr.ShortMonthYear(day), "déc. 2026"},
		{en.MonthDay(pd.MonthDay{Month: time.January, Day: 15}), "Jan 15"},
		{fr.MonthDay(pd.MonthDay{Month: time.January, Day: 15}), "15 janv."},
		{en.Time(at), "Dec 1, 2026 07:39 UTC"},
		{fr.Time(at), "1 déc. 2026 07:39 UTC"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestPluralsComeFromTheLibrary(t *testing.T) {
	s := mustLoad(t)
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{{"en", 1, "1 day"}, {"en", 2, "2 days"}, {"en", 0, "0 days"}, {"fr", 1, "1 jour"}, {"fr", 2, "2 jours"},
		{"fr", 0, "0 jour"}} { // French counts zero as one
		if got := s.Get(c.lang).T("%d days", c.n); got != c.want {
			t.Errorf("%s %d: got %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	s := mustLoad(t)
	for accept, want := range map[string]string{
		"fr-CA,fr;q=0.9,en;q=0.8": "fr", "de-DE,fr;q=0.5": "fr", "en-GB": "en", "de": "en", "": "en",
		"fr": "fr", "*": "en", "garbage;;q=x": "en",
	} {
		if got := s.Match(accept).Code; got != want {
			t.Errorf("Accept-Language %q: got %s, want %s", accept, got, want)
		}
	}
}

// A message for a page escapes its arguments, not a message passed in
// again as an argument, and leaves apostrophes as written.
func TestHTMLEscapesOnce(t *testing.T) {
	en := mustLoad(t).Get("en")
	inner := en.HTML("%s", "R&D")
	if got := en.HTML("%s: %s", "<b>O'Brien</b>", inner); got != "&lt;b&gt;O'Brien&lt;/b&gt;: R&amp;D" {
		t.Errorf("got %q", got)
	}
}
