package partnerdesk

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// A user's status is read from its row: invited until it sets its first
// password, active, or deactivated (it cannot sign in; its history stays).
const (
	UserInvited     = "invited"
	UserActive      = "active"
	UserDeactivated = "deactivated"
)

// How long the links sent by email work, each once.
const (
	ResetLinkTTL      = time.Hour
	InvitationLinkTTL = 7 * 24 * time.Hour
)

// User is a person who signs in, as the users pages list them.
type User struct {
	ID         int64
	Email      string
	Name       string
	Role       Role
	PartnerID  int64 // 0 for vendor staff
	Status     string
	LastSignIn time.Time // zero: never
	InvitedAt  time.Time // zero: not invited (made at the command line or by the demo)
	Language   string    // the language chosen on the account page ("" follows the browser; emails use the default)
	// A partner's users page: the clients assigned to the user, and the
	// last day it worked in a client's account (zero: none reported).
	Assigned     int
	LastActivity Date
}

// PartnerRoles are the roles a partner's users may have, in the order a
// form offers them.
var PartnerRoles = []Role{RolePartnerAdmin, RolePartnerEmployee}

// Invitation is someone a partner admin (for its partner) or a program
// admin (for the vendor's staff, or a partner's first admin) invites.
type Invitation struct {
	Email     string
	Name      string
	Role      Role
	PartnerID int64 // 0: a vendor staff user
}

// Validate tidies the invitation and checks it: a partner's user has a
// partner role, a vendor user a staff role.
func (i *Invitation) Validate() error {
	i.Email, i.Name = strings.ToLower(strings.TrimSpace(i.Email)), strings.TrimSpace(i.Name)
	if err := ValidEmail(i.Email); err != nil {
		return err
	}
	if err := ValidName(i.Name); err != nil {
		return err
	}
	return CheckRoleFor(i.PartnerID, i.Role)
}

// CheckRoleFor checks that role may be given to a user of partnerID (0:
// the vendor).
func CheckRoleFor(partnerID int64, role Role) error {
	roles := StaffRoles
	if partnerID != 0 {
		roles = PartnerRoles
	}
	for _, r := range roles {
		if r == role {
			return nil
		}
	}
	if partnerID != 0 {
		return Errorf(EInvalid, "A partner's user is a partner admin or a partner employee, not %q.", role)
	}
	return Errorf(EInvalid, "A vendor user has a staff role, not %q.", role)
}

// ValidEmail checks an email address as users are created with it.
func ValidEmail(email string) error {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return Errorf(EInvalid, "%q is not an email address.", email)
	}
	return nil
}

// ValidName checks a person's name.
func ValidName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > MaxNameLen {
		return Errorf(EInvalid, "A name is required (at most %d characters).", MaxNameLen)
	}
	return nil
}

// Account is the signed-in user's own page.
type Account struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	DigestEmails bool
	Language     string        // a language code, or "" to follow the browser
	Sessions     []SessionInfo // newest first
}

// SessionInfo is one of a user's sign-ins, as the account page lists them.
type SessionInfo struct {
	ID        int64
	UserAgent string
	Address   string // where it signed in from
	CreatedAt time.Time
	LastSeen  time.Time
	Current   bool // the session of the request
}
