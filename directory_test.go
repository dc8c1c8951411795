package partnerdesk_test

import (
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
)

func TestSlug(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"Alpha Agency", "alpha-agency"},
		{"  Beta & Co. (Berlin) ", "beta-co-berlin"},
		{"Ünïcode Ltd", "n-code-ltd"},
		{"東京", "partner"},
		{strings.Repeat("ab ", 50), strings.TrimSuffix(strings.Repeat("ab-", 20), "-")},
	} {
		if got := pd.Slug(c.name); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCheckProfile(t *testing.T) {
	services := []string{"Training", "Implementation"}
	for _, c := range []struct {
		name string
		p    pd.Profile
		ok   bool
	}{
		{"complete", pd.Profile{Description: "We help.", Services: []string{"Training"}, Countries: []string{" France ", "France", ""},
			Website: "http://a.example", LogoURL: "https://a.example/l.png", LeadEmail: "leads@a.example"}, true},
		{"unknown service", pd.Profile{Services: []string{"Astrology"}}, false},
		{"javascript website", pd.Profile{Website: "javascript:alert(1)"}, false},
		{"http logo", pd.Profile{LogoURL: "http://a.example/l.png"}, false},
		{"local logo", pd.Profile{LogoURL: "/static/l.png"}, false},
		{"named lead address", pd.Profile{LeadEmail: "A <a@a.example>"}, false},
		{"pipe in a list", pd.Profile{Industries: []string{"a|b"}}, false},
		{"too many entries", pd.Profile{Languages: strings.Fields(strings.Repeat("x ", 21) + "a b c d e f g h i j k l m n o p q r s t u")}, false},
	} {
		err := pd.CheckProfile(&c.p, services)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.ok && strings.Join(c.p.Countries, ",") != "France" {
			t.Errorf("%s: countries %q, want trimmed and unique", c.name, c.p.Countries)
		}
	}
}

func TestCheckLead(t *testing.T) {
	ok := pd.Lead{Name: "Carl", Email: "carl@c.example", Message: "Hello"}
	for _, c := range []struct {
		name string
		edit func(*pd.Lead)
		ok   bool
	}{
		{"complete", func(*pd.Lead) {}, true},
		{"4,000 characters", func(l *pd.Lead) { l.Message = strings.Repeat("é", 4000) }, true},
		{"4,001 characters", func(l *pd.Lead) { l.Message = strings.Repeat("é", 4001) }, false},
		{"long company", func(l *pd.Lead) { l.Company = strings.Repeat("c", 101) }, false},
		{"no name", func(l *pd.Lead) { l.Name = "  " }, false},
		{"bad email", func(l *pd.Lead) { l.Email = "carl" }, false},
		{"invalid UTF-8", func(l *pd.Lead) { l.Message = "\xff" }, false},
	} {
		l := ok
		c.edit(&l)
		if err := pd.CheckLead(&l); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
