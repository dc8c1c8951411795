package partnerdesk

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Program is the vendor's partner program and its settings.
type Program struct {
	Name                 string
	Currency             string
	TimeZone             string
	RefreshStart         string // "06:00", program time zone
	RefreshEnd           string
	CreditExpiryMonths   int
	RenewalHorizonDays   int
	DecisionDeadlineDays int
	DefaultCommOwner     string // vendor or partner: who owns renewal communication unless a client says otherwise
	// DigestDays: the daily digest lists the renewal decisions whose
	// deadline comes within this many days; 0 sends no digest.
	DigestDays int
}

// CommOwner is the communication owner a client's setting gives: the
// setting itself, or the program's default for "" and OwnerDefault.
func (p Program) CommOwner(setting string) string {
	if setting == OwnerPartner || setting == OwnerVendor {
		return setting
	}
	if p.DefaultCommOwner == OwnerPartner {
		return OwnerPartner
	}
	return OwnerVendor
}

// Location is the program's time zone, UTC when unknown.
func (p Program) Location() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Partner is an agency in the program.
type Partner struct {
	ID              int64
	ExternalID      string
	Name            string
	Country         string
	Website         string
	Tier            string
	CRMLinkTemplate string
	Manager         *Staff
	Consultant      *Staff
	Invited         bool       // to the invitation-only tiers (Elite)
	DeactivatedAt   *time.Time // set while deactivated: its users cannot sign in
}

// Active reports whether the partner is not deactivated.
func (p Partner) Active() bool { return p.DeactivatedAt == nil }

// CRMLink fills the partner's CRM link template for a client: {domain},
// {name} and {account_id} are replaced, query-escaped. Empty when the
// partner has no template.
func (p Partner) CRMLink(c Client) string {
	if p.CRMLinkTemplate == "" {
		return ""
	}
	return strings.NewReplacer(
		"{domain}", url.QueryEscape(c.Domain),
		"{name}", url.QueryEscape(c.Name),
		"{account_id}", url.QueryEscape(c.AccountID),
	).Replace(p.CRMLinkTemplate)
}

// PartnerFilter selects and sorts partners in the program's list.
type PartnerFilter struct {
	Query       string // name or external id, case-insensitive substring
	Assigned    string // an assigned tier's code
	Performance string // a performance tier's code, at the last refresh
	Certified   string // "yes" or "no": holds a certification valid today
	Country     string
	Team        string // part of the name or email of its Partner Manager or Partner Consultant
	Status      string // "active" or "deactivated"; "" for both
	Sort        string // one of PartnerSorts
	Desc        bool
	Offset      int
	Limit       int
}

// PartnerSorts are the columns the partners list sorts by.
var PartnerSorts = []string{"name", "country", "team", "assigned", "performance", "sold", "managed", "usage", "certified", "pending"}

// Validate rejects filters the store cannot run and fills the defaults.
func (f *PartnerFilter) Validate() error {
	if len(f.Query) > MaxQueryLen {
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	}
	if f.Sort == "" {
		f.Sort = "name"
	}
	if !slices.Contains(PartnerSorts, f.Sort) {
		return Errorf(EInvalid, "Unknown sort column %q.", f.Sort)
	}
	if f.Certified != "" && f.Certified != "yes" && f.Certified != "no" {
		return Errorf(EInvalid, "Certified is yes or no.")
	}
	if f.Status != "" && f.Status != "active" && f.Status != "deactivated" {
		return Errorf(EInvalid, "Status is active or deactivated.")
	}
	if f.Country != "" && !IsCountry(f.Country) {
		return Errorf(EInvalid, "Unknown country code %q.", f.Country)
	}
	if len(f.Team) > MaxQueryLen {
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	}
	for _, code := range []string{f.Assigned, f.Performance} {
		if len(code) > MaxIDLen {
			return Errorf(EInvalid, "Unknown tier.")
		}
	}
	if f.Offset < 0 || f.Limit < 0 || f.Limit > 500 {
		return Errorf(EInvalid, "Invalid page.")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	return nil
}

// PartnerLine is one partner of the program's list, with the figures a
// program team looks at: its tier figures from the last daily refresh,
// its certification and its renewal decisions as they are now.
type PartnerLine struct {
	Partner
	Performance string // its performance tier's code; the entry tier's before its first refresh
	SoldCredit  int64
	ManagedMRR  int64
	UsageX2     int  // twice the average app usage (Performance.UsageX2)
	Certified   bool // holds a certification valid today
	Pending     int  // renewal decisions due: pending renewals inside the horizon whose communication it owns
}

// AppUsage is the average app usage, a median (n.0 or n.5).
func (l PartnerLine) AppUsage() float64 { return float64(l.UsageX2) / 2 }

// PartnerPage is a page of the partners list.
type PartnerPage struct {
	Lines []PartnerLine
	Total int // all the partners that match
	// AsOf and TakenAt are those of the refresh the figures come from
	// (zero before the first).
	AsOf    Date
	TakenAt time.Time
}

// TierAssignment is an assigned tier a program admin set by hand.
type TierAssignment struct {
	Tier   string // its code
	Before string // the tier it replaced
	Reason string
	By     string // the admin's name
	At     time.Time
}

// Staff is a member of the vendor's team.
type Staff struct {
	ID          int64
	Name        string
	Email       string
	Role        Role
	Description string
	PhotoURL    string
}

// Initials are shown where there is no photo.
func (s Staff) Initials() string {
	var b strings.Builder
	for _, f := range strings.Fields(s.Name) {
		b.WriteString(strings.ToUpper(string([]rune(f)[:1])))
		if b.Len() >= 2 {
			break
		}
	}
	return b.String()
}

// Certification is one a partner holds.
type Certification struct {
	Name      string
	Holder    string
	EarnedOn  Date
	ExpiresOn Date
}

// CheckReason checks and tidies the reason of a tier set by hand.
func (a *TierAssignment) CheckReason() error {
	a.Reason = strings.TrimSpace(a.Reason)
	switch {
	case a.Reason == "":
		return Errorf(EInvalid, "Say why the tier is set by hand: the partner reads it on its Tier tab.")
	case !utf8.ValidString(a.Reason) || strings.ContainsRune(a.Reason, 0):
		return Errorf(EInvalid, "The reason is not valid text.")
	case utf8.RuneCountInString(a.Reason) > MaxTextLen:
		return Errorf(EInvalid, "The reason is too long (at most %d characters).", MaxTextLen)
	}
	return nil
}
