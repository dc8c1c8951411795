package partnerdesk

import (
	"net/mail"
	"strings"
)

// StaffRoles are the vendor staff's roles, in the order a form offers them.
var StaffRoles = []Role{RolePartnerManager, RolePartnerConsultant, RoleRenewalManager, RoleProgramAdmin}

// Limits of a staff profile.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 1000
)

// Validate checks a staff profile before it is saved, and tidies it.
func (s *Staff) Validate() error {
	s.Name, s.Email = strings.TrimSpace(s.Name), strings.ToLower(strings.TrimSpace(s.Email))
	s.Description, s.PhotoURL = strings.TrimSpace(s.Description), strings.TrimSpace(s.PhotoURL)
	if s.Name == "" || len(s.Name) > MaxNameLen {
		return Errorf(EInvalid, "A name is required (at most %d characters).", MaxNameLen)
	}
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || len(s.Email) > 254 {
		return Errorf(EInvalid, "%q is not an email address.", s.Email)
	}
	if len(s.Description) > MaxDescriptionLen {
		return Errorf(EInvalid, "The description is too long (at most %d characters).", MaxDescriptionLen)
	}
	// The same rule as a staff record's photo_url.
	if s.PhotoURL != "" && (!IsImageURL(s.PhotoURL) || len(s.PhotoURL) > MaxTextLen) {
		return Errorf(EInvalid, "The photo URL must start with https:// (or be a path on this site).")
	}
	ok := false
	for _, r := range StaffRoles {
		ok = ok || r == s.Role
	}
	if !ok {
		return Errorf(EInvalid, "Unknown staff role %q.", s.Role)
	}
	return nil
}
