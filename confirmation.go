package partnerdesk

import "time"

// A confirmation link asks a client to confirm that a partner sold it a
// purchase: the products (with quantities) and the onboarding or services
// the partner provides. The client answers on a public page, without an
// account; a confirmed link credits the partner with the client's billing
// events that name no partner, for those products, within a window after
// the confirmation (docs/credit.md).

// LinkStatus is where a confirmation link stands.
type LinkStatus string

const (
	LinkPending   LinkStatus = "pending"   // waiting for the client's answer
	LinkConfirmed LinkStatus = "confirmed" // the client confirmed; its credit window is open
	LinkRejected  LinkStatus = "rejected"  // the client rejected it
	LinkExpired   LinkStatus = "expired"   // not answered before its expiry
	LinkUsed      LinkStatus = "used"      // confirmed, and its credit window has closed
	LinkCancelled LinkStatus = "cancelled" // the partner withdrew it before an answer
)

// LinkStatuses lists the statuses in the order the list offers them.
var LinkStatuses = []LinkStatus{LinkPending, LinkConfirmed, LinkRejected, LinkExpired, LinkUsed, LinkCancelled}

// Valid reports whether s is a known status.
func (s LinkStatus) Valid() bool {
	for _, x := range LinkStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// LinkProduct is one product of a link, from the catalogue.
type LinkProduct struct {
	Code     string `json:"product"`
	Quantity int    `json:"quantity"`
}

// Name is the product's display name.
func (p LinkProduct) Name() string {
	if prod, ok := ProductByCode(p.Code); ok {
		return prod.Name()
	}
	return p.Code
}

// ConfirmationLink is a link as its partner and vendor staff see it.
type ConfirmationLink struct {
	ID          int64
	PartnerID   int64
	PartnerName string
	// ClientID is the client the link is for; 0 for a prospect, named by
	// ProspectName and ProspectDomain.
	ClientID        int64
	ClientAccountID string // "" for a prospect
	ClientName      string // the client's name, or the prospect's
	ProspectDomain  string
	Products        []LinkProduct
	Services        string
	ExpectedMRR     int64
	Status          LinkStatus
	CreatedBy       string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	AnsweredAt      *time.Time
	Reason          string // the client's reason for a rejection
	// EmailedTo is the address the link was emailed to at its creation,
	// and EmailedName its contact's name; "" when the partner copied it.
	EmailedTo, EmailedName string
	// CreditFrom and CreditTo bound the days whose billing events the
	// confirmed link credits, both included.
	CreditFrom, CreditTo Date
}

// NewConfirmationLink is what a partner user fills in. Either ClientID or
// a prospect (ProspectName and ProspectDomain) names the client.
type NewConfirmationLink struct {
	ClientID int64
	// ClientAccountID names the client by its account id instead (the API).
	ClientAccountID string
	ProspectName    string
	ProspectDomain  string
	Products        []LinkProduct
	Services        string
	ExpectedMRR     int64
	// ExpiryDays is how long the client has to answer; 0 means the
	// program's setting.
	ExpiryDays int
	// The link is emailed, at once, to ContactID (one of the client's
	// contacts) or to EmailTo: for a client, the address of one of its
	// contacts; for a prospect, any address. Neither: it is not emailed.
	ContactID int64
	EmailTo   string
}

// PublicLink is everything the public page shows of a link: the partner's
// name, the products and the services; nothing else of the partner's data.
type PublicLink struct {
	PartnerName string
	Products    []LinkProduct
	Services    string
}
