package partnerdesk

import "time"

// Kinds of email.
const (
	EmailReset      = "password_reset"
	EmailInvitation = "invitation"
	EmailDigest     = "digest"
	EmailLead       = "lead"
	EmailLink       = "confirmation_link"
)

// Outbox statuses: queued until a worker delivers it (sent) or gives up
// (failed).
const (
	OutboxQueued = "queued"
	OutboxSent   = "sent"
	OutboxFailed = "failed"
)

// Email is a rendered message to one person, as it waits in the outbox.
type Email struct {
	Kind   string
	To     string // the address
	ToName string
	// Subject, Text and HTML are the message's words: the plain-text and
	// HTML alternatives of one content.
	Subject, Text, HTML string
	// MessageID is the Message-ID header's value without its angle
	// brackets; it stays the same across delivery attempts.
	MessageID string
	// ListUnsubscribe is where a recipient turns the message off (the
	// List-Unsubscribe header of digests); "" for none.
	ListUnsubscribe string
}

// OutboxEmail is an email in the outbox with its delivery state.
type OutboxEmail struct {
	Email
	ID          int64
	Status      string
	CreatedAt   time.Time // its Date header
	Attempts    int
	NextAttempt time.Time
	SentAt      time.Time // zero until sent
	LastError   string
	// ClaimedUntil is when the worker that claimed it for delivery loses
	// its claim.
	ClaimedUntil time.Time
}

// Mailer renders the emails the store queues, in the transaction of the
// change they tell about. A token is the secret of a link, which only
// its email carries.
type Mailer interface {
	Reset(n ResetNotice, token string) (Email, error)
	Invitation(n InvitationNotice, token string) (Email, error)
	Digest(d Digest) (Email, error)
	Lead(n LeadNotice) (Email, error)
	ConfirmationLink(n LinkNotice, token string) (Email, error)
}

// LinkNotice is what the email of a confirmation link tells the client's
// contact: the partner, the products and services, when the link expires.
type LinkNotice struct {
	To, ToName string
	Partner    string
	Program    string
	Products   []LinkProduct
	Services   string
	Expires    time.Time
	Language   string // the sender's: the client has no account to choose one
}

// LeadNotice is what the email of a lead tells the partner: the lead, as
// the visitor wrote it, sent to the profile's address for leads.
type LeadNotice struct {
	To      string // the profile's address for leads
	Partner string
	Program string
	Lead    Lead
}

// ResetNotice is what a password reset email tells.
type ResetNotice struct {
	User    User
	Program string
	Expires time.Time
}

// InvitationNotice is what an invitation email tells.
type InvitationNotice struct {
	User      User
	InvitedBy string
	Partner   string // the partner the user joins; "" for the vendor's staff
	Program   string
	Expires   time.Time
}

// Digest is one user's daily list of the renewal decisions their partner
// owns whose deadline comes within Within days, soonest first.
type Digest struct {
	User      User
	Partner   string
	PartnerID int64
	Program   string
	Day       Date
	Within    int
	Items     []DigestItem
}

// DigestItem is one renewal decision of a digest.
type DigestItem struct {
	RenewalID    int64
	ClientName   string
	ContractType string
	RenewalDate  Date
	Deadline     Date
}
