package partnerdesk

// Relationship of a partner to a client.
type Relationship string

const (
	RelSold        Relationship = "sold"
	RelManaged     Relationship = "managed"
	RelSoldManaged Relationship = "sold_managed"
)

// Relationships in display order.
var Relationships = []Relationship{RelSold, RelManaged, RelSoldManaged}

// Valid reports whether r is known.
func (r Relationship) Valid() bool {
	return r == RelSold || r == RelManaged || r == RelSoldManaged
}

// Client is a customer account on the vendor's platform.
type Client struct {
	ID          int64
	AccountID   string
	Name        string
	Domain      string
	Industry    string
	Country     string
	Employees   int
	AccountURL  string
	MRR         int64 // minor units, the sum of its subscription lines
	ProductMask int64
	Engagement  int    // 0–10, from its latest usage snapshot
	CommOwner   string // renewal communication: partner, vendor, or "" for the program's default
	// CommPartnerID is the partner the setting gives the communication to
	// (the one it names, or the program default's), 0 for the vendor.
	CommPartnerID int64
	CommPartner   string

	// Seen through one partner:
	Relationship Relationship
	Since        Date
	AssignedToMe bool
}

// Products is what the client owns.
func (c Client) Products() []Product { return ProductsIn(c.ProductMask) }

// Bucket is the client's engagement bucket.
func (c Client) Bucket() string { return EngagementBucket(c.Engagement) }

// ClientSort columns accepted by ClientFilter.Sort.
var ClientSorts = []string{"name", "products", "relationship", "usage", "mrr"}

// ClientFilter selects and orders a partner's active clients.
type ClientFilter struct {
	Query        string // name or domain, case-insensitive substring
	Product      string // product code, or a hub name for any edition
	Relationship Relationship
	Bucket       string
	AssignedToMe bool
	Employee     int64  // assigned to this user of the partner (0: anyone's)
	RenewalDue   bool   // with a pending renewal decision the partner owns, inside the horizon
	Sort         string // one of ClientSorts
	Desc         bool
	Offset       int
	Limit        int
}

// MaxQueryLen bounds free-text search input.
const MaxQueryLen = 200

// Validate rejects filters the store cannot run.
func (f *ClientFilter) Validate() error {
	if len(f.Query) > MaxQueryLen {
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	}
	if f.Sort == "" {
		f.Sort, f.Desc = "mrr", true
	}
	ok := false
	for _, s := range ClientSorts {
		ok = ok || s == f.Sort
	}
	if !ok {
		return Errorf(EInvalid, "Unknown sort column %q.", f.Sort)
	}
	if f.Product != "" {
		if _, found := ProductByCode(f.Product); !found && !isHub(f.Product) {
			return Errorf(EInvalid, "Unknown product %q.", f.Product)
		}
	}
	if f.Relationship != "" && !f.Relationship.Valid() {
		return Errorf(EInvalid, "Unknown relationship %q.", f.Relationship)
	}
	if f.Bucket != "" && f.Bucket != BucketLow && f.Bucket != BucketMedium && f.Bucket != BucketHigh {
		return Errorf(EInvalid, "Unknown usage bucket %q.", f.Bucket)
	}
	if f.Employee < 0 {
		return Errorf(EInvalid, "Unknown employee %d.", f.Employee)
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

func isHub(s string) bool {
	for _, h := range Hubs {
		if h == s {
			return true
		}
	}
	return false
}

// ProductFilterMask is the product mask that ClientFilter.Product selects.
func ProductFilterMask(code string) int64 {
	if p, ok := ProductByCode(code); ok {
		return p.Mask()
	}
	var m int64
	for _, p := range Products {
		if p.Hub == code {
			m |= p.Mask()
		}
	}
	return m
}

// ClientPage is one page of a partner's clients with totals over all pages.
type ClientPage struct {
	Clients  []Client
	Total    int   // clients matching the filter
	TotalMRR int64 // their MRR
}

// SubscriptionLine is one product line of a client's subscription.
type SubscriptionLine struct {
	ID               int64
	ExternalID       string
	Product          Product
	Quantity         int
	Contacts         int64
	EmailSendLimit   int64
	MRR              int64
	BillingPeriod    string // monthly, quarterly, annual
	CommitmentMonths int
	RenewalDate      Date
	AutoRenew        bool
	Status           string // active, cancelled
}

// ClientDetail is everything the client panel shows.
type ClientDetail struct {
	Client
	Lines          []SubscriptionLine
	Contacts       int64 // contact tier: the largest of its lines
	EmailSendLimit int64
	Renewal        *Renewal  // the next one, if any
	Renewals       []Renewal // the next ones (at most five), soonest first
	Usage          *Usage
	Engagement     Engagement
	PartnerNames   []string         // every partner active on it, with the relationship
	Assignees      []User           // the scoped partner's users assigned to it, by name
	People         []PersonActivity // the scoped partner's people who worked in its account, latest first
}

// Usage is a client's latest usage snapshot.
type Usage struct {
	Day         Date
	Tools       int64
	ActiveUsers int
	Seats       int
}
