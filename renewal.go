package partnerdesk

// Renewal contract types, owners and statuses.
const (
	ContractRenewal      = "renewal"
	ContractTierUpgrade  = "contact_tier_upgrade"
	ContractEmailOverage = "email_overage"

	OwnerVendor  = "vendor"
	OwnerPartner = "partner"

	RenewalPending   = "pending"
	RenewalRenewed   = "renewed"
	RenewalConfirmed = "confirmed"
	RenewalCancel    = "cancellation_requested"
)

// Renewal is a client's renewal decision on a date.
type Renewal struct {
	ID             int64
	RenewalDate    Date
	ContractType   string
	Owner          string
	Status         string
	Manager        *Staff
	PrimaryContact string
	CurrentMRR     int64
	ProposedMRR    int64
	AutoRenew      bool
	Deadline       Date // RenewalDate minus the program's decision deadline
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID        int64
	At        string // RFC 3339, UTC
	ActorName string
	Action    string
	Entity    string
	EntityID  string
	Detail    string
}
