package credit

import (
	"errors"
	"fmt"
	"time"
)

// Event is one change of a subscription line's MRR, as billing reports it.
type Event struct {
	ID string
	// OccurredAt orders events; its date in the program time zone is the
	// day the change counts for. An event known only by its date is given
	// as the start of that day in the program time zone.
	OccurredAt time.Time
	Partner    string // the partner credited on this event
	Client     string
	Product    string // the subscription line
	MRR        int64  // the line's MRR after the change, minor units; 0 = cancelled
}

// Errors that Ledger.Add and Replay wrap with the details.
var (
	// ErrInvalid: an event misses a field or has a negative MRR.
	ErrInvalid = errors.New("invalid event")
	// ErrConflict: an id seen before arrives with different content.
	ErrConflict = errors.New("id reused with different content")
	// ErrOutOfOrder: an event comes for a day the ledger has already
	// closed for that client; sort the events first (see SortEvents).
	ErrOutOfOrder = errors.New("event out of order")
)

func (e *Event) validate() error {
	if e.ID == "" {
		return fmt.Errorf("%w: empty id", ErrInvalid)
	}
	return e.validateFields()
}

// validateFields checks everything but the id, which a Stream does not
// need.
func (e *Event) validateFields() error {
	switch {
	case e.Client == "":
		return fmt.Errorf("%w: empty client", ErrInvalid)
	case e.Partner == "":
		return fmt.Errorf("%w: empty partner", ErrInvalid)
	case e.Product == "":
		return fmt.Errorf("%w: empty product", ErrInvalid)
	case e.MRR < 0:
		return fmt.Errorf("%w: negative mrr", ErrInvalid)
	case e.OccurredAt.Year() < 1678 || e.OccurredAt.Year() > 2261:
		// The ledger keeps instants as Unix nanoseconds.
		return fmt.Errorf("%w: occurred_at out of range", ErrInvalid)
	}
	return nil
}

// Kind says why a client's credit moved.
type Kind uint8

const (
	KindNew         Kind = iota + 1 // 0 → x, first purchase credited to this partner
	KindUpgraded                    // x → y > x on a purchase
	KindReturning                   // 0 → x, client credited to this partner before (an upgrade)
	KindDecreased                   // x → y, 0 < y < x
	KindLost                        // x → 0, the client stopped paying
	KindExpired                     // x → 0, the last purchase is too old
	KindTransferred                 // x → 0, a later purchase was credited to another partner
)

var kindNames = [...]string{"", "new", "upgraded", "returning", "decreased", "lost", "expired", "transferred"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Column is the summary column the kind adds to: "new", "upgraded",
// "decreased" or "expired_lost".
func (k Kind) Column() string {
	switch k {
	case KindNew:
		return "new"
	case KindUpgraded, KindReturning:
		return "upgraded"
	case KindDecreased:
		return "decreased"
	default:
		return "expired_lost"
	}
}

// Movement is one day's change of one client's credit for one partner. A
// transfer is two movements on the same day: one for each partner.
type Movement struct {
	Date    Date
	Partner string
	Client  string
	Kind    Kind
	Amount  int64 // always positive; Delta gives the sign
	// EventIDs are the events behind the movement: the client's events of
	// that day by time then id, or for an expiry the event that credited
	// the purchase that expired.
	EventIDs []string
	// Link, on a gain (new, upgraded, returning), is the confirmation link
	// that credited the purchase behind it (Options.Links); "" when the
	// events named the partner, and on every other kind.
	Link string
}

// Delta is the signed change of the partner's credit.
func (m Movement) Delta() int64 {
	switch m.Kind {
	case KindNew, KindUpgraded, KindReturning:
		return m.Amount
	}
	return -m.Amount
}

// ClientCredit is where a client's credit stands on a date.
type ClientCredit struct {
	Client  string `json:"client"`
	Partner string `json:"partner"` // credited on the last purchase; "" if none yet
	MRR     int64  `json:"mrr"`     // total over the client's lines
	Credit  int64  `json:"credit"`  // MRR while the last purchase is fresh, else 0
	// LastPurchase and Expires are zero (1970-01-01) before any purchase.
	// Credit drops to 0 at the start of Expires unless a purchase renews it.
	LastPurchase Date `json:"last_purchase"`
	Expires      Date `json:"expires"`
}
