// Package partnerdesk holds the domain of the partner-program platform:
// plain types, the rules that need no I/O (catalogue, engagement index,
// relationships), the error type, and the signed-in principal that travels
// in a context. It imports no infrastructure; the store, web and demo
// packages build on it.
package partnerdesk

import (
	"context"
	"time"
)

// Role is what a signed-in user may do.
type Role string

const (
	RoleProgramAdmin      Role = "program_admin"
	RolePartnerManager    Role = "partner_manager"
	RolePartnerConsultant Role = "partner_consultant"
	RoleRenewalManager    Role = "renewal_manager"
	RolePartnerAdmin      Role = "partner_admin"
	RolePartnerEmployee   Role = "partner_employee"
)

// Roles lists every role, in the order a form offers them.
var Roles = []Role{RoleProgramAdmin, RolePartnerManager, RolePartnerConsultant,
	RoleRenewalManager, RolePartnerAdmin, RolePartnerEmployee}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// IsPartner reports whether the role belongs to a partner's staff.
func (r Role) IsPartner() bool { return r == RolePartnerAdmin || r == RolePartnerEmployee }

// Principal is who is acting: a signed-in user, or an API token (TokenID
// set, no Role).
type Principal struct {
	UserID    int64
	Name      string
	Email     string
	Role      Role
	PartnerID int64 // set for partner users and read tokens
	StaffID   int64 // set for vendor staff linked to a staff profile
	SessionID int64
	TokenID   int64      // set for API tokens
	Scope     TokenScope // an API token's scope
	// Integration names a signed webhook acting on its own ("stripe"); it
	// may ingest billing data and nothing else.
	Integration string
	// Language is the user's chosen language ("" follows the browser).
	Language string
}

// ActsOn reports whether p may act on one of its partner's clients
// (decide its renewals, end its services): a partner admin on any, an
// employee on the clients assigned to it (assigned), vendor staff and
// tokens on none, since they see a dashboard read-only.
func (p *Principal) ActsOn(assigned bool) bool {
	return p != nil && (p.Role == RolePartnerAdmin || p.Role == RolePartnerEmployee && assigned)
}

// TokenScope is what an API token may do.
type TokenScope string

const (
	ScopeIngest  TokenScope = "ingest"  // program-wide writes, no reads
	ScopeRead    TokenScope = "read"    // one partner's data, read-only
	ScopePartner TokenScope = "partner" // one partner's data, and creating its confirmation links
)

// Valid reports whether s is a known scope.
func (s TokenScope) Valid() bool { return s == ScopeIngest || s == ScopeRead || s == ScopePartner }

// Reads reports whether a token of scope s reads one partner's data.
func (s TokenScope) Reads() bool { return s == ScopeRead || s == ScopePartner }

// PartnerBound reports whether p is confined to one partner: a partner
// user, or a read or partner token.
func (p *Principal) PartnerBound() bool {
	return p.Role.IsPartner() || p.TokenID != 0 && p.Scope.Reads()
}

type ctxKey int

const (
	principalKey ctxKey = iota
	viewedPartnerKey
)

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns the principal in ctx, or nil when signed out.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

// WithViewedPartner records that vendor staff look at a partner's dashboard.
// The data layer honours it only for staff principals and only for reads;
// partner users are always scoped to their own partner.
func WithViewedPartner(ctx context.Context, partnerID int64) context.Context {
	return context.WithValue(ctx, viewedPartnerKey, partnerID)
}

// ViewedPartnerFrom returns the partner set by WithViewedPartner, or 0.
func ViewedPartnerFrom(ctx context.Context) int64 {
	id, _ := ctx.Value(viewedPartnerKey).(int64)
	return id
}

// Clock tells the time; tests inject a fixed one.
type Clock func() time.Time

// SystemClock is the real clock.
func SystemClock() time.Time { return time.Now() }
