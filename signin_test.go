package partnerdesk_test

import (
	"slices"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
)

func TestParseDomains(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"Example.com\n@corp.example.org, example.com", []string{"example.com", "corp.example.org"}, true},
		{"xn--bcher-kva.example; a-b.example", []string{"xn--bcher-kva.example", "a-b.example"}, true},
		{"localhost", nil, false},
		{"exa mple.com", nil, false}, // two names, "exa" is not a domain
		{"-bad.example", nil, false},
		{"bad_.example", nil, false},
		{"user@example.com", nil, false},
	} {
		got, err := pd.ParseDomains(c.text)
		if (err == nil) != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("%q: %q %v", c.text, got, err)
		}
	}
}

func TestMustUseSSOComparesTheWholeDomain(t *testing.T) {
	p := pd.SignInPolicy{SSODomains: []string{"corp.example"}}
	for email, want := range map[string]bool{
		"ada@corp.example":      true,
		"Ada@CORP.Example":      true,
		"ada@mail.corp.example": false,
		"ada@notcorp.example":   false,
		"corp.example":          false,
	} {
		if got := p.MustUseSSO(email); got != want {
			t.Errorf("%s: %v, want %v", email, got, want)
		}
	}
}
