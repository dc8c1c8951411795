package partnerdesk

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Profile is a partner's public directory profile: all that the directory
// shows of a partner, beside its name, tier and whether it is certified.
// LeadEmail receives the leads and is never shown.
type Profile struct {
	PartnerID   int64
	Slug        string
	Name        string // the partner's, read-only here
	Description string
	Services    []string // among the program's DirectoryServices
	Industries  []string
	Countries   []string // countries and regions served
	Languages   []string
	Website     string
	LogoURL     string
	LeadEmail   string
	Tier        string // code, for the badge
	TierName    string
	Certified   bool // holds a certification that has not expired
	// State is ProfilePublished or ProfilePending (waiting for a vendor
	// staff member's approval); an empty one was never saved.
	State     string
	UpdatedAt time.Time
}

// The states of a saved profile.
const (
	ProfilePublished = "published"
	ProfilePending   = "pending"
)

// Profile limits, in characters.
const (
	MaxProfileDescriptionLen = 2000
	MaxProfileItems          = 20 // entries of each list
	MaxProfileItemLen        = 60
)

// CheckProfile checks what a partner admin entered against the program's
// list of services, and normalises the lists (trimmed, no blanks or
// repeats).
func CheckProfile(p *Profile, services []string) error {
	p.Description = strings.TrimSpace(p.Description)
	p.Website, p.LogoURL, p.LeadEmail = strings.TrimSpace(p.Website), strings.TrimSpace(p.LogoURL), strings.TrimSpace(p.LeadEmail)
	if !utf8.ValidString(p.Description) || utf8.RuneCountInString(p.Description) > MaxProfileDescriptionLen {
		return Errorf(EInvalid, "The description is at most %d characters.", MaxProfileDescriptionLen)
	}
	for _, l := range []*[]string{&p.Services, &p.Industries, &p.Countries, &p.Languages} {
		var err error
		if *l, err = cleanList(*l); err != nil {
			return err
		}
	}
	for _, s := range p.Services {
		found := false
		for _, d := range services {
			found = found || d == s
		}
		if !found {
			return Errorf(EInvalid, "%q is not one of the program's services.", s)
		}
	}
	if p.Website != "" && (!IsLink(p.Website) || len(p.Website) > 500) {
		return Errorf(EInvalid, "The website must be an http:// or https:// address.")
	}
	if p.LogoURL != "" && (!strings.HasPrefix(p.LogoURL, "https://") || !IsImageURL(p.LogoURL) || len(p.LogoURL) > 500) {
		return Errorf(EInvalid, "The logo must be an https:// address.")
	}
	if p.LeadEmail != "" && !IsEmail(p.LeadEmail) {
		return Errorf(EInvalid, "The address that receives leads must be an email address.")
	}
	return nil
}

func cleanList(in []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxProfileItemLen || strings.ContainsAny(v, "|\r\n") {
			return nil, Errorf(EInvalid, "Each entry is at most %d characters, on one line, without |.", MaxProfileItemLen)
		}
		seen[v] = true
		out = append(out, v)
	}
	if len(out) > MaxProfileItems {
		return nil, Errorf(EInvalid, "At most %d entries in each list.", MaxProfileItems)
	}
	return out, nil
}

// IsEmail reports whether v is a bare email address (no display name).
func IsEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && len(v) <= 254
}

// Slug makes a profile's address from a partner's name: lower-case ASCII
// letters and digits separated by dashes.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if b.Len() > maxSlugLen {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "partner"
	}
	return strings.TrimRight(b.String()[:min(b.Len(), maxSlugLen)], "-")
}

// maxSlugLen bounds a slug made from a name (a partner's id may follow).
const maxSlugLen = 60

// DirectoryFilter selects published profiles in the public directory.
type DirectoryFilter struct {
	Query    string
	Service  string
	Industry string
	Country  string
	Language string
	Tier     string
	Offset   int
	Limit    int
}

// Lead is a visitor's request to be contacted by a partner.
type Lead struct {
	ID        int64
	PartnerID int64
	Name      string
	Email     string
	Company   string
	Message   string
	Status    string
	CreatedAt time.Time
}

// Lead statuses.
const (
	LeadNew       = "new"
	LeadContacted = "contacted"
	LeadWon       = "won"
	LeadLost      = "lost"
)

// LeadStatuses are the statuses, in the order a lead goes through them.
var LeadStatuses = []string{LeadNew, LeadContacted, LeadWon, LeadLost}

// Lead field limits, in characters.
const (
	MaxLeadNameLen    = 100
	MaxLeadCompanyLen = 100
	MaxLeadMessageLen = 4000
)

// CheckLead checks a lead as the contact form sent it.
func CheckLead(l *Lead) error {
	l.Name, l.Email, l.Company, l.Message = strings.TrimSpace(l.Name), strings.TrimSpace(l.Email),
		strings.TrimSpace(l.Company), strings.TrimSpace(l.Message)
	for _, f := range []struct {
		v   string
		max int
	}{{l.Name, MaxLeadNameLen}, {l.Company, MaxLeadCompanyLen}, {l.Message, MaxLeadMessageLen}} {
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > f.max {
			return Errorf(EInvalid, "A field is too long (name and company at most %d characters, the message %d).", MaxLeadNameLen, MaxLeadMessageLen)
		}
	}
	if l.Name == "" || l.Message == "" {
		return Errorf(EInvalid, "Please give your name and a message.")
	}
	if !IsEmail(l.Email) {
		return Errorf(EInvalid, "Please give an email address the partner can answer.")
	}
	return nil
}

// DirectorySettings are the program's settings of the directory.
type DirectorySettings struct {
	// Approval keeps a partner's edit of its profile pending until a
	// vendor staff member approves it; without it, an edit is published
	// at once.
	Approval bool
	// Services are those a profile may list.
	Services []string
}

// CheckDirectorySettings checks and normalises the services.
func CheckDirectorySettings(s *DirectorySettings) error {
	var err error
	if s.Services, err = cleanList(s.Services); err != nil {
		return err
	}
	return nil
}

// DirectoryFacets are the values the directory's filters offer.
type DirectoryFacets struct {
	Services, Industries, Countries, Languages []string
	Tiers                                      []Tier
}

// CheckDirectoryFilter checks a visitor's search and sets the page size.
func CheckDirectoryFilter(f *DirectoryFilter) error {
	for _, v := range []string{f.Service, f.Industry, f.Country, f.Language, f.Tier} {
		if len(v) > MaxProfileItemLen*4 || !utf8.ValidString(v) {
			return Errorf(EInvalid, "Invalid filter.")
		}
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > MaxQueryLen || !utf8.ValidString(f.Query) {
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	}
	if f.Offset < 0 || f.Offset > 100_000 || f.Limit < 0 || f.Limit > 100 {
		return Errorf(EInvalid, "Invalid page.")
	}
	if f.Limit == 0 {
		f.Limit = 20
	}
	return nil
}
