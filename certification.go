package partnerdesk

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Certifications (docs/tiers.md): every tier above the entry tier needs a
// valid one. A certification is valid from the day it was earned until the
// day it expires (that day excluded), unless it was revoked: then until the
// day of its revocation.

// CertificationAlertDays is how far ahead a partner is warned that its last
// valid certification expires.
const CertificationAlertDays = 60

// Valid reports whether c counts on day.
func (c Certification) Valid(day Date) bool {
	return !c.EarnedOn.After(day) && c.ExpiresOn.After(day) && (c.RevokedOn.IsZero() || c.RevokedOn.After(day))
}

// Revoked reports whether c was revoked.
func (c Certification) Revoked() bool { return !c.RevokedOn.IsZero() }

// LastValid is the valid certification of certs that expires last, on day.
func LastValid(certs []Certification, day Date) (Certification, bool) {
	var last Certification
	found := false
	for _, c := range certs {
		if c.Valid(day) && (!found || c.ExpiresOn.After(last.ExpiresOn)) {
			last, found = c, true
		}
	}
	return last, found
}

// CertificationEnding is the last valid certification of certs when it
// expires within CertificationAlertDays of day: from its expiry the
// partner holds none, and qualifies for no tier above the entry tier.
func CertificationEnding(certs []Certification, day Date) (Certification, bool) {
	c, ok := LastValid(certs, day)
	if !ok || c.ExpiresOn.After(day.AddDays(CertificationAlertDays)) {
		return Certification{}, false
	}
	return c, true
}

// Validate checks a certification a program admin adds or edits, and
// tidies it.
func (c *Certification) Validate() error {
	c.Name, c.Holder = strings.TrimSpace(c.Name), strings.TrimSpace(c.Holder)
	var bad []string
	if c.Name == "" || utf8.RuneCountInString(c.Name) > MaxNameLen || !utf8.ValidString(c.Name) {
		bad = append(bad, fmt.Sprintf("A certification needs a name of at most %d characters.", MaxNameLen))
	}
	if c.Holder == "" || utf8.RuneCountInString(c.Holder) > MaxNameLen || !utf8.ValidString(c.Holder) {
		bad = append(bad, fmt.Sprintf("Say who holds it: a name of at most %d characters.", MaxNameLen))
	}
	switch {
	case c.EarnedOn.IsZero() || c.ExpiresOn.IsZero():
		bad = append(bad, "Give the dates it was earned and expires on (YYYY-MM-DD).")
	case c.EarnedOn.Time().Before(MinTime) || !c.ExpiresOn.Time().Before(MaxTime):
		bad = append(bad, "The dates are out of range.")
	case !c.ExpiresOn.After(c.EarnedOn):
		bad = append(bad, "It must expire after the day it was earned.")
	}
	if len(bad) > 0 {
		return Errorf(EInvalid, "%s", strings.Join(bad, " "))
	}
	return nil
}

// Certification statuses, for the program's list filter.
const (
	CertValid    = "valid"
	CertExpiring = "expiring" // valid, expiring within the filter's days
	CertExpired  = "expired"
	CertRevoked  = "revoked"
)

// CertificationFilter selects certifications in the program's list.
type CertificationFilter struct {
	Partner string // the partner's name or id, as typed: a part of it
	Status  string // "" for all, or a Cert… status
	Within  int    // days, for CertExpiring
	Offset  int
	Limit   int
}

// Validate checks the filter.
func (f *CertificationFilter) Validate() error {
	f.Partner = strings.TrimSpace(f.Partner)
	switch {
	case len(f.Partner) > MaxQueryLen:
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	case f.Status != "" && f.Status != CertValid && f.Status != CertExpiring && f.Status != CertExpired && f.Status != CertRevoked:
		return Errorf(EInvalid, "Unknown status %q.", f.Status)
	case f.Within < 0 || f.Within > 3660:
		return Errorf(EInvalid, "Expiring within is 0 to 3,660 days.")
	case f.Offset < 0 || f.Limit < 0 || f.Limit > 500:
		return Errorf(EInvalid, "Invalid page.")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	return nil
}
