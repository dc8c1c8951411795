package partnerdesk

import (
	"slices"
	"strings"
)

// SignInPolicy is the program's rules for signing in.
type SignInPolicy struct {
	// AdminTwoFactor requires program admins who sign in with a password
	// to use two-factor sign-in: one without it is sent to turn it on.
	AdminTwoFactor bool
	// SSODomains are the email domains whose users must sign in with
	// single sign-on: password sign-in and password reset refuse them.
	SSODomains []string
}

// MaxSSODomains bounds the list of domains that must use single sign-on.
const MaxSSODomains = 100

// MustUseSSO reports whether email's domain is one that must sign in with
// single sign-on. The domain is compared whole, ignoring case: a listed
// example.com does not cover mail.example.com.
func (p SignInPolicy) MustUseSSO(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	return slices.Contains(p.SSODomains, strings.ToLower(strings.TrimSpace(email[at+1:])))
}

// ParseDomains reads a list of email domains, one per line or separated
// by commas or spaces; a leading "@" is dropped. It returns them
// lower-cased, each once, in the order given.
func ParseDomains(text string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		d := strings.ToLower(strings.TrimPrefix(f, "@"))
		if !isDomain(d) {
			return nil, Errorf(EInvalid, "%q is not an email domain such as example.com.", f)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) > MaxSSODomains {
		return nil, Errorf(EInvalid, "At most %d domains can be listed, not %d.", MaxSSODomains, len(out))
	}
	return out, nil
}

// isDomain accepts a DNS name of at least two labels of letters, digits
// and hyphens (an internationalised one in its xn-- form).
func isDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}
