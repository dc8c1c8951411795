package partnerdesk

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Records are what integrations send through the API, CSV files and the
// Stripe webhook. Each names its entity and the entities it refers to by
// the caller's external ids: partners, staff, certifications, subscription
// lines and billing events by their id, clients by their account id.
// Writing a record is an upsert: it is the entity's whole state, except
// where a field says that it is kept when left out.

// MaxBatch is the most records one API request may carry.
const MaxBatch = 10_000

// Codes of rejected loads: a batch refused for its records' content, and a
// request too large to read.
const (
	EUnprocessable = "unprocessable"
	ETooLarge      = "too_large"
)

// Problem is what is wrong with one record of a batch: its position (from
// 0 in a batch; a CSV report turns it into a line), the field, and why.
type Problem struct {
	Index  int    `json:"index"`
	Field  string `json:"field"`
	Code   string `json:"code"` // EInvalid, ENotFound (a reference) or EConflict
	Reason string `json:"reason"`
	// Format and Args are Reason's message and its arguments, for the
	// pages to print it in the user's language (the API keeps Reason).
	// (An array, not a slice, so that problems compare with ==.)
	Format string       `json:"-"`
	Args   [maxArgs]any `json:"-"`
}

// maxArgs bounds the arguments of a problem's message.
const maxArgs = 4

// Problemf is a problem whose reason is format with args (at most maxArgs).
func Problemf(index int, field, code, format string, args ...any) Problem {
	p := Problem{Index: index, Field: field, Code: code, Reason: fmt.Sprintf(format, args...), Format: format}
	copy(p.Args[:], args)
	return p
}

// MessageArgs are the arguments of the problem's message.
func (p Problem) MessageArgs() []any {
	n := len(p.Args)
	for n > 0 && p.Args[n-1] == nil {
		n--
	}
	return p.Args[:n]
}

// NotUTF8 is the problem of a field whose bytes are not UTF-8 text, alike
// from every door.
func NotUTF8(index int, field string) Problem {
	return Problemf(index, field, EInvalid, "is not valid UTF-8 text")
}

// MaxProblems is how many problems a rejected load lists, the first by
// index, beside the count of all of them: a bad file of a million rows
// costs neither the memory nor an answer of a million problems.
const MaxProblems = 1000

// BatchError rejects a whole batch: nothing of it was written. Its code is
// EUnprocessable.
type BatchError struct {
	Problems []Problem // the first MaxProblems, by index
	Total    int       // all the problems found; 0 means len(Problems)
}

// Count is how many problems the batch has, listed or not.
func (e *BatchError) Count() int { return max(e.Total, len(e.Problems)) }

func (e *BatchError) Error() string {
	return fmt.Sprintf("partnerdesk: %s: %d problems, first: record %d, %s: %s", EUnprocessable,
		e.Count(), e.Problems[0].Index, e.Problems[0].Field, e.Problems[0].Reason)
}

// Unwrap gives the batch's code and summary to ErrorCode and ErrorMessage.
func (e *BatchError) Unwrap() error {
	n := e.Count()
	if n == 1 {
		return Errorf(EUnprocessable, "1 record has a problem; nothing was written.")
	}
	return Errorf(EUnprocessable, "%d problems in the records; nothing was written.", n)
}

// ProblemList collects the problems of a load: it counts them all and
// keeps the first MaxProblems by index.
type ProblemList struct {
	ps    []Problem
	total int
}

// Add adds problems.
func (l *ProblemList) Add(ps ...Problem) {
	l.total += len(ps)
	l.ps = append(l.ps, ps...)
	if len(l.ps) >= 2*MaxProblems {
		l.trim()
	}
}

// trim keeps the first MaxProblems by index, in the order they were added
// among equal indexes; problems added later only push a trimmed one
// further back.
func (l *ProblemList) trim() {
	sort.SliceStable(l.ps, func(i, j int) bool { return l.ps[i].Index < l.ps[j].Index })
	l.ps = l.ps[:min(len(l.ps), MaxProblems)]
}

// Len is how many problems were added.
func (l *ProblemList) Len() int { return l.total }

// Err is the load's *BatchError, or nil without problems.
func (l *ProblemList) Err() error {
	if l.total == 0 {
		return nil
	}
	l.trim()
	return &BatchError{Problems: slices.Clone(l.ps), Total: l.total}
}

// AsBatchError returns the problems of a rejected batch, or nil.
func AsBatchError(err error) *BatchError {
	var be *BatchError
	if errors.As(err, &be) {
		return be
	}
	return nil
}

// IngestResult counts what a batch did. Unchanged records were stored
// before with the same content; stale ones were older than what is stored.
type IngestResult struct {
	Received  int `json:"received"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Stale     int `json:"stale,omitempty"`
}

// Add sums two results.
func (r *IngestResult) Add(o IngestResult) {
	r.Received += o.Received
	r.Created += o.Created
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Stale += o.Stale
}

// PartnerRecord is a partner agency.
type PartnerRecord struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Country           string `json:"country,omitempty"`
	Website           string `json:"website,omitempty"`
	Tier              string `json:"tier,omitempty"` // a tier code; kept when left out (tiers change at reviews)
	CRMLinkTemplate   string `json:"crm_link_template,omitempty"`
	PartnerManager    string `json:"partner_manager,omitempty"` // a staff id
	PartnerConsultant string `json:"partner_consultant,omitempty"`
}

// StaffRecord is a member of the vendor's team.
type StaffRecord struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Role        Role   `json:"role"`
	Description string `json:"description,omitempty"`
	PhotoURL    string `json:"photo_url,omitempty"`
}

// CertificationRecord is a certification a partner's staff holds.
type CertificationRecord struct {
	ID        string `json:"id"`
	Partner   string `json:"partner"`
	Name      string `json:"name"`
	Holder    string `json:"holder"`
	EarnedOn  Date   `json:"earned_on"`
	ExpiresOn Date   `json:"expires_on"`
}

// ClientRecord is a customer account; its id is the account id.
type ClientRecord struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Domain           string `json:"domain,omitempty"`
	Industry         string `json:"industry,omitempty"`
	Country          string `json:"country,omitempty"`
	Employees        int    `json:"employees,omitempty"`
	AccountURL       string `json:"account_url,omitempty"`
	StripeCustomerID string `json:"stripe_customer_id,omitempty"`
}

// RelationshipRecord is a partner's relationship with a client from a
// date; setting EndedOn ends services (the history is kept).
type RelationshipRecord struct {
	Client       string       `json:"client"`
	Partner      string       `json:"partner"`
	Relationship Relationship `json:"relationship"`
	StartedOn    Date         `json:"started_on"`
	EndedOn      Date         `json:"ended_on,omitzero"`
}

// SubscriptionLineRecord is the terms of one product of a client's
// subscription. Its MRR and status follow its billing events; UpdatedAt
// orders versions of the terms, so that an older one arriving late is
// ignored.
type SubscriptionLineRecord struct {
	ID               string    `json:"id"`
	Client           string    `json:"client"`
	Product          string    `json:"product"`
	Quantity         int       `json:"quantity"`
	Contacts         int64     `json:"contacts,omitempty"`
	EmailSendLimit   *int64    `json:"email_send_limit,omitempty"` // default: the contact tier's (EmailSendLimit)
	BillingPeriod    string    `json:"billing_period"`
	CommitmentMonths int       `json:"commitment_months"`
	RenewalDate      Date      `json:"renewal_date,omitzero"`
	AutoRenew        *bool     `json:"auto_renew,omitempty"` // default true
	UpdatedAt        time.Time `json:"updated_at"`
}

// BillingPeriods a line may have.
var BillingPeriods = []string{"monthly", "quarterly", "annual"}

// BillingEventRecord is a change of one subscription line's MRR: the line
// (client × product) costs MRR from OccurredAt on, credited to Partner
// (none when empty).
type BillingEventRecord struct {
	ID         string    `json:"id"`
	OccurredAt time.Time `json:"occurred_at"`
	Client     string    `json:"client"`
	Partner    string    `json:"partner,omitempty"`
	Product    string    `json:"product"`
	MRR        int64     `json:"mrr"`
}

// UsageRecord is a client's use of the platform on a day.
type UsageRecord struct {
	Client      string   `json:"client"`
	Day         Date     `json:"day"`
	Tools       []string `json:"tools"` // tool codes
	ActiveUsers int      `json:"active_users"`
	Seats       int      `json:"seats"`
}

// RenewalRecord is a client's renewal on a date for a contract type.
// CommOwner and Status are kept when left out: partners change them. With
// CommOwner partner, CommPartner names the partner of the client that owns
// the communication; left out, a renewal a partner owns already keeps it,
// and any other goes to the client's selling partner, else its managing
// partner with the lowest id.
type RenewalRecord struct {
	Client           string `json:"client"`
	RenewalDate      Date   `json:"renewal_date"`
	ContractType     string `json:"contract_type"`
	CommOwner        string `json:"comm_owner,omitempty"`
	CommPartner      string `json:"comm_partner,omitempty"` // a partner id
	Status           string `json:"status,omitempty"`
	RenewalManager   string `json:"renewal_manager,omitempty"` // a staff id
	CurrentMRR       int64  `json:"current_mrr"`
	ProposedMRR      int64  `json:"proposed_mrr"`
	ProposedContacts int64  `json:"proposed_contacts,omitempty"`
	AutoRenew        *bool  `json:"auto_renew,omitempty"` // default true
}

// Limits on record fields.
const (
	MaxIDLen   = 200
	MaxTextLen = 1000
	MaxMoney   = 1_000_000_000_000 // minor units
	MaxCount   = 1_000_000_000
)

// Earliest and latest times a record may carry.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checker collects the problems of one record.
type checker struct {
	index int
	ps    []Problem
}

func (c *checker) fail(field, format string, args ...any) {
	c.ps = append(c.ps, Problemf(c.index, field, EInvalid, format, args...))
}

func (c *checker) id(field, v string, required bool) {
	switch {
	case v == "" && required:
		c.fail(field, "is required")
	case !utf8.ValidString(v):
		c.ps = append(c.ps, NotUTF8(c.index, field))
	case utf8.RuneCountInString(v) > MaxIDLen:
		c.fail(field, "is longer than %d characters", MaxIDLen)
	case v != strings.TrimSpace(v) || strings.ContainsAny(v, "\x00\r\n\t"):
		c.fail(field, "has spaces around it or control characters")
	}
}

func (c *checker) text(field, v string, required bool) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		c.fail(field, "is required")
	case !utf8.ValidString(v):
		c.ps = append(c.ps, NotUTF8(c.index, field))
	case utf8.RuneCountInString(v) > MaxTextLen:
		c.fail(field, "is longer than %d characters", MaxTextLen)
	case strings.ContainsRune(v, 0):
		c.fail(field, "contains a NUL character")
	}
}

// url checks an optional URL field: text that valid (IsLink or
// IsImageURL) accepts, described by rule.
func (c *checker) url(field, v string, valid func(string) bool, rule string) {
	n := len(c.ps)
	c.text(field, v, false)
	if len(c.ps) == n && v != "" && !valid(v) {
		c.fail(field, "must be %s", rule)
	}
}

// country checks an optional country field (IsCountry).
func (c *checker) country(field, v string) {
	n := len(c.ps)
	c.text(field, v, false)
	if len(c.ps) == n && v != "" && !IsCountry(v) {
		c.fail(field, "must be a two-letter country code in capitals (ISO 3166-1, such as FR or US)")
	}
}

const (
	linkRule  = "a URL starting with https:// or http://"
	imageRule = "a URL starting with https:// (or a path on this site)"
)

func (c *checker) rangeOf(field string, v, lo, hi int64) {
	if v < lo || v > hi {
		c.fail(field, "must be from %d to %d", lo, hi)
	}
}

func (c *checker) date(field string, d Date, required bool) {
	switch {
	case d.IsZero() && required:
		c.fail(field, "is required (YYYY-MM-DD)")
	case !d.IsZero() && (d.Time().Before(MinTime) || !d.Time().Before(MaxTime)):
		c.fail(field, "must be from 1970 to 2199")
	}
}

func (c *checker) time(field string, t time.Time) {
	switch {
	case t.IsZero():
		c.fail(field, "is required (RFC 3339, e.g. 2026-01-31T09:30:00Z)")
	case t.Before(MinTime) || !t.Before(MaxTime):
		c.fail(field, "must be from 1970 to 2199")
	}
}

func (c *checker) oneOf(field, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	if v == "" {
		c.fail(field, "is required (one of %s)", strings.Join(allowed, ", "))
		return
	}
	c.fail(field, "must be one of %s", strings.Join(allowed, ", "))
}

func (c *checker) product(field, code string) {
	if _, ok := ProductByCode(code); !ok {
		if code == "" {
			c.fail(field, "is required (a product code such as marketing-pro)")
			return
		}
		c.fail(field, "is not a product code (such as marketing-pro)")
	}
}

// Check returns the record's problems, at index i.
func (r *PartnerRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("id", r.ID, true)
	c.text("name", r.Name, true)
	c.country("country", r.Country)
	c.url("website", r.Website, IsLink, linkRule)
	c.id("tier", r.Tier, false)
	c.url("crm_link_template", r.CRMLinkTemplate, IsLink, linkRule)
	c.id("partner_manager", r.PartnerManager, false)
	c.id("partner_consultant", r.PartnerConsultant, false)
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *StaffRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("id", r.ID, true)
	c.text("name", r.Name, true)
	if !utf8.ValidString(r.Email) {
		c.ps = append(c.ps, NotUTF8(i, "email"))
	} else if _, err := mail.ParseAddress(r.Email); err != nil || !strings.Contains(r.Email, "@") || strings.ContainsAny(r.Email, "<> ") {
		c.fail("email", "is not an email address")
	}
	if r.Role.IsPartner() || !r.Role.Valid() {
		c.fail("role", "must be one of program_admin, partner_manager, partner_consultant, renewal_manager")
	}
	c.text("description", r.Description, false)
	c.url("photo_url", r.PhotoURL, IsImageURL, imageRule)
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *CertificationRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("id", r.ID, true)
	c.id("partner", r.Partner, true)
	c.text("name", r.Name, true)
	c.text("holder", r.Holder, true)
	c.date("earned_on", r.EarnedOn, true)
	c.date("expires_on", r.ExpiresOn, true)
	if !r.EarnedOn.IsZero() && r.ExpiresOn.Before(r.EarnedOn) {
		c.fail("expires_on", "is before earned_on")
	}
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *ClientRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("id", r.ID, true)
	c.text("name", r.Name, true)
	c.text("domain", r.Domain, false)
	c.text("industry", r.Industry, false)
	c.text("country", r.Country, false)
	c.rangeOf("employees", int64(r.Employees), 0, MaxCount)
	c.url("account_url", r.AccountURL, IsLink, linkRule)
	c.id("stripe_customer_id", r.StripeCustomerID, false)
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *RelationshipRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("client", r.Client, true)
	c.id("partner", r.Partner, true)
	c.oneOf("relationship", string(r.Relationship), string(RelSold), string(RelManaged), string(RelSoldManaged))
	c.date("started_on", r.StartedOn, true)
	c.date("ended_on", r.EndedOn, false)
	if !r.EndedOn.IsZero() && r.EndedOn.Before(r.StartedOn) {
		c.fail("ended_on", "is before started_on")
	}
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *SubscriptionLineRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("id", r.ID, true)
	c.id("client", r.Client, true)
	c.product("product", r.Product)
	c.rangeOf("quantity", int64(r.Quantity), 1, MaxCount)
	c.rangeOf("contacts", r.Contacts, 0, MaxMoney)
	if r.EmailSendLimit != nil {
		c.rangeOf("email_send_limit", *r.EmailSendLimit, 0, MaxMoney)
	}
	c.oneOf("billing_period", r.BillingPeriod, BillingPeriods...)
	c.rangeOf("commitment_months", int64(r.CommitmentMonths), 1, 120)
	c.date("renewal_date", r.RenewalDate, false)
	c.time("updated_at", r.UpdatedAt)
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *BillingEventRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("id", r.ID, true)
	c.time("occurred_at", r.OccurredAt)
	c.id("client", r.Client, true)
	c.id("partner", r.Partner, false)
	c.product("product", r.Product)
	c.rangeOf("mrr", r.MRR, 0, MaxMoney)
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *UsageRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("client", r.Client, true)
	c.date("day", r.Day, true)
	if _, err := ToolMask(r.Tools); err != nil {
		c.fail("tools", "%v", err)
	}
	c.rangeOf("active_users", int64(r.ActiveUsers), 0, MaxCount)
	c.rangeOf("seats", int64(r.Seats), 0, MaxCount)
	return c.ps
}

// Check returns the record's problems, at index i.
func (r *RenewalRecord) Check(i int) []Problem {
	c := &checker{index: i}
	c.id("client", r.Client, true)
	c.date("renewal_date", r.RenewalDate, true)
	c.oneOf("contract_type", r.ContractType, ContractRenewal, ContractTierUpgrade, ContractEmailOverage)
	if r.CommOwner != "" {
		c.oneOf("comm_owner", r.CommOwner, OwnerVendor, OwnerPartner)
	}
	c.id("comm_partner", r.CommPartner, false)
	if r.CommPartner != "" && r.CommOwner != OwnerPartner {
		c.fail("comm_partner", "names the owning partner only with comm_owner partner")
	}
	if r.Status != "" {
		c.oneOf("status", r.Status, RenewalPending, RenewalRenewed, RenewalConfirmed, RenewalCancel)
	}
	c.id("renewal_manager", r.RenewalManager, false)
	c.rangeOf("current_mrr", r.CurrentMRR, 0, MaxMoney)
	c.rangeOf("proposed_mrr", r.ProposedMRR, 0, MaxMoney)
	c.rangeOf("proposed_contacts", r.ProposedContacts, 0, MaxMoney)
	return c.ps
}

// ToolMask turns tool codes into a usage bitmask.
func ToolMask(codes []string) (int64, error) {
	var m int64
	for _, code := range codes {
		found := false
		for _, t := range Tools {
			if t.Code == code {
				m |= t.Mask()
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("%q is not a tool code", code)
		}
	}
	return m, nil
}

// ToolCodes lists the codes of the tools in a usage bitmask.
func ToolCodes(mask int64) []string {
	codes := []string{}
	for _, t := range ToolsIn(mask) {
		codes = append(codes, t.Code)
	}
	return codes
}
