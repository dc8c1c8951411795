package partnerdesk

import (
	"net/url"
	"strings"
	"time"
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
	// ConfirmationExpiryDays is how long a confirmation link waits for
	// the client's answer unless its partner says otherwise.
	ConfirmationExpiryDays int
	// ConfirmationCreditDays is how many days after its confirmation a
	// link credits billing events without a partner.
	ConfirmationCreditDays int
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
	ActiveClients   int   // in lists
	ManagedMRR      int64 // in lists
}

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

// PartnerFilter selects partners in the admin list.
type PartnerFilter struct {
	Query  string
	Offset int
	Limit  int
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
