package partnerdesk

import "time"

// Renewal contract types, owners and statuses.
const (
	ContractRenewal      = "renewal"
	ContractTierUpgrade  = "contact_tier_upgrade"
	ContractEmailOverage = "email_overage"

	OwnerVendor  = "vendor"
	OwnerPartner = "partner"
	// OwnerDefault, as a client's setting, follows the program's default.
	OwnerDefault = "default"

	RenewalPending   = "pending"
	RenewalRenewed   = "renewed"
	RenewalConfirmed = "confirmed"
	RenewalCancel    = "cancellation_requested"
)

// Contracts, owners and statuses in display order, for filters.
var (
	Contracts       = []string{ContractRenewal, ContractTierUpgrade, ContractEmailOverage}
	Owners          = []string{OwnerPartner, OwnerVendor}
	RenewalStatuses = []string{RenewalPending, RenewalRenewed, RenewalConfirmed, RenewalCancel}
)

// Decisions a partner records on a pending renewal. Each is the status the
// renewal takes.
const (
	DecisionRenew   = RenewalRenewed   // renew as proposed
	DecisionConfirm = RenewalConfirmed // confirm a contact tier upgrade or an email overage
	DecisionCancel  = RenewalCancel    // request cancellation
)

// Kinds of renewal history entries besides the decisions themselves.
const (
	HistoryAutoRenewed = "auto_renewed"    // by the daily refresh at the deadline
	HistoryOwner       = "owner"           // Detail: partner, vendor, or default:<owner>
	HistoryContact     = "primary_contact" // Detail: the contact's name
)

// MaxNoteLen bounds a decision's note.
const MaxNoteLen = 1000

// Renewal is a client's renewal decision on a date.
type Renewal struct {
	ID               int64
	ClientID         int64
	ClientName       string
	ClientDomain     string
	ProductMask      int64 // the client's products: a renewal keeps them
	Engagement       int
	AssignedToMe     bool
	RenewalDate      Date
	ContractType     string
	Owner            string // vendor or partner
	OwnerPartnerID   int64  // with Owner partner: the one partner that owns the communication
	OwnerPartner     string // its name
	Status           string
	Manager          *Staff
	PrimaryContact   string
	PrimaryContactID int64
	CurrentContacts  int64 // contact tier today
	ProposedContacts int64 // after the renewal (0: unchanged)
	CurrentMRR       int64
	ProposedMRR      int64
	AutoRenew        bool
	Deadline         Date // RenewalDate minus the program's decision deadline
}

// DecisionDeadline is the last day to decide on a renewal due on date.
func DecisionDeadline(date Date, deadlineDays int) Date { return date.AddDays(-deadlineDays) }

// Products are the client's products, which the renewal keeps.
func (r Renewal) Products() []Product { return ProductsIn(r.ProductMask) }

// Bucket is the client's engagement bucket.
func (r Renewal) Bucket() string { return EngagementBucket(r.Engagement) }

// NewContacts is the contact tier after the renewal.
func (r Renewal) NewContacts() int64 {
	if r.ProposedContacts > 0 {
		return r.ProposedContacts
	}
	return r.CurrentContacts
}

// Decisions are the choices a partner has on the renewal: renew or cancel a
// renewal; confirm or cancel an upgrade or an overage.
func (r Renewal) Decisions() []string {
	if r.ContractType == ContractRenewal {
		return []string{DecisionRenew, DecisionCancel}
	}
	return []string{DecisionConfirm, DecisionCancel}
}

// Allows reports whether decision is one of r's choices.
func (r Renewal) Allows(decision string) bool {
	for _, d := range r.Decisions() {
		if d == decision {
			return true
		}
	}
	return false
}

// Open reports whether a decision can still be recorded on today: the
// renewal is pending and its date has not passed. (An auto-renewing
// contract stops being pending when the refresh renews it after its
// deadline; one that does not auto-renew stays open until its date.)
func (r Renewal) Open(today Date) bool {
	return r.Status == RenewalPending && !r.RenewalDate.Before(today)
}

// OwnedBy reports whether partnerID owns r's communication: only its
// users decide on r or change its owner; the client's other partners see
// it read-only.
func (r Renewal) OwnedBy(partnerID int64) bool {
	return r.Owner == OwnerPartner && partnerID != 0 && r.OwnerPartnerID == partnerID
}

// PartnerDecides reports whether partnerID records r's decision on today:
// it owns the communication and the renewal is open.
func (r Renewal) PartnerDecides(partnerID int64, today Date) bool {
	return r.OwnedBy(partnerID) && r.Open(today)
}

// DaysToDeadline is how many days are left to decide on today (negative
// once the deadline has passed).
func (r Renewal) DaysToDeadline(today Date) int { return today.DaysUntil(r.Deadline) }

// Overdue reports whether r is pending past its decision deadline.
func (r Renewal) Overdue(today Date) bool {
	return r.Status == RenewalPending && r.Deadline.Before(today)
}

// AutoRenews is the daily refresh's rule: a pending, auto-renewing contract
// whose decision deadline has passed is renewed.
func (r Renewal) AutoRenews(today Date) bool {
	return r.Status == RenewalPending && r.AutoRenew && r.Deadline.Before(today)
}

// InHorizon reports whether a renewal on date is listed on today: from
// today to the end of the program's horizon. Renewals leave the list once
// their date has passed and enter it as they come inside the horizon.
func InHorizon(date, today Date, horizonDays int) bool {
	return !date.Before(today) && !date.After(today.AddDays(horizonDays))
}

// RenewalEvent is one line of a renewal's history: a decision, an
// automatic renewal, or a change of owner or primary contact, as one
// partner sees it: an entry made by a user of another partner names that
// partner only, neither its user nor its note.
type RenewalEvent struct {
	At           time.Time
	Kind         string // a decision, or one of the History kinds
	Detail       string
	Note         string
	Actor        string // "" for the system, and for another partner's user
	ActorPartner string // the other partner whose user made the entry
	OwnerPartner string // an owner change to another partner: its name
}

// Contact is a person at a client.
type Contact struct {
	ID    int64
	Name  string
	Email string
	Title string
}

// RenewalDetail is everything the renewal page shows.
type RenewalDetail struct {
	Renewal
	ClientOwner string // the client's setting: partner, vendor or default
	// SettingPartnerID is the partner the client's setting gives the
	// communication to (the one it names, or the program default's), 0
	// for the vendor.
	SettingPartnerID int64
	SettingPartner   string
	// DefaultPartnerID is the partner a program default of "partner"
	// gives the client's communication to (its selling partner, else its
	// managing partner with the lowest id), 0 when the program's default
	// is the vendor or no partner serves the client.
	DefaultPartnerID int64
	DefaultPartner   string
	Contacts         []Contact
	History          []RenewalEvent
	Today            Date
}

// OwnerChangeableBy reports whether partnerID may change who owns the
// communication of the renewal's client: it owns the renewal, or the
// vendor does, and the client's setting gives it to no other partner.
func (d RenewalDetail) OwnerChangeableBy(partnerID int64) bool {
	if partnerID == 0 || !d.OwnedBy(partnerID) && d.Owner != OwnerVendor {
		return false
	}
	return d.SettingPartnerID == 0 || d.SettingPartnerID == partnerID
}

// RenewalSorts are the columns RenewalFilter.Sort accepts.
var RenewalSorts = []string{"client", "type", "date", "owner", "status", "current", "proposed"}

// RenewalFilter selects and orders the renewals of a partner's active
// clients inside the program's horizon.
type RenewalFilter struct {
	Query          string // client name or domain
	Status         string
	Owner          string
	Type           string
	DeadlineWithin int // with HasDeadline: deadline at most this many days away (or passed)
	HasDeadline    bool
	Bucket         string // the client's engagement bucket
	AssignedToMe   bool
	Sort           string
	Desc           bool
	Offset         int
	Limit          int
}

// MaxDeadlineDays bounds the "deadline within" filter.
const MaxDeadlineDays = 3650

// Validate rejects filters the store cannot run and fills the defaults
// (soonest renewal first, 50 a page).
func (f *RenewalFilter) Validate() error {
	if len(f.Query) > MaxQueryLen {
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	}
	if f.Sort == "" {
		f.Sort, f.Desc = "date", false
	}
	if !oneOf(f.Sort, RenewalSorts) {
		return Errorf(EInvalid, "Unknown sort column %q.", f.Sort)
	}
	if f.Status != "" && !oneOf(f.Status, RenewalStatuses) {
		return Errorf(EInvalid, "Unknown renewal status %q.", f.Status)
	}
	if f.Owner != "" && !oneOf(f.Owner, Owners) {
		return Errorf(EInvalid, "Unknown communication owner %q.", f.Owner)
	}
	if f.Type != "" && !oneOf(f.Type, Contracts) {
		return Errorf(EInvalid, "Unknown contract type %q.", f.Type)
	}
	if f.Bucket != "" && !oneOf(f.Bucket, Buckets) {
		return Errorf(EInvalid, "Unknown usage bucket %q.", f.Bucket)
	}
	if f.HasDeadline && (f.DeadlineWithin < 0 || f.DeadlineWithin > MaxDeadlineDays) {
		return Errorf(EInvalid, "Deadline days must be a whole number from 0 to %d.", MaxDeadlineDays)
	}
	if f.Offset < 0 || f.Limit < 0 {
		return Errorf(EInvalid, "Page and page size must not be negative.")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		return Errorf(EInvalid, "Page size is at most 500.")
	}
	return nil
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// RenewalPage is one page of renewals with the count of all that match.
type RenewalPage struct {
	Renewals []Renewal
	Total    int
	// Alerts are the decisions due that the signed-in user may take (an
	// employee: on the clients assigned to it), whatever the filter;
	// PartnerAlerts are all the partner's.
	Alerts, PartnerAlerts int
	Today                 Date
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID        int64
	At        time.Time // UTC
	ActorName string
	Action    string
	Entity    string
	EntityID  string
	Detail    string
	// In the program's audit log: who acted (Actor, one of AuditActors;
	// ActorID the user's or token's id) and the partner, if any.
	Actor             string
	ActorID           int64
	PartnerID         int64
	PartnerExternalID string
	PartnerName       string
}
