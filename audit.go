package partnerdesk

import (
	"strconv"
	"strings"
)

// Who makes a change in the program's audit log.
const (
	ActorPerson      = "person"       // a signed-in user
	ActorToken       = "token"        // an API token
	ActorWebhook     = "webhook"      // a signed webhook delivery (Stripe)
	ActorCommandLine = "command_line" // the operator, with the command-line tool
	ActorRefresh     = "refresh"      // the daily refresh
)

// AuditActors lists the kinds of actor, in the order a filter offers them.
var AuditActors = []string{ActorPerson, ActorToken, ActorWebhook, ActorCommandLine, ActorRefresh}

// AuditFilter selects entries of the program's audit log, newest first.
type AuditFilter struct {
	Partner string // a partner's external id
	// Actor is a kind of actor (AuditActors), or one user ("user:ID") or
	// token ("token:ID").
	Actor    string
	Action   string
	From, To Date   // days in the program's time zone, both included; zero: open
	Query    string // in the detail, the entity, the actor's and the partner's names
	// BeforeID, when set, starts after the entries from it on: an export
	// goes on from its last entry, whatever was written meanwhile.
	BeforeID int64
	Offset   int
	Limit    int
}

// ActorKind splits Actor into its kind and, for one user or token, its id.
func (f AuditFilter) ActorKind() (string, int64) {
	kind, id, ok := strings.Cut(f.Actor, ":")
	if !ok {
		return kind, 0
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	return kind, n
}

// Validate rejects filters the store cannot run and fills the defaults.
func (f *AuditFilter) Validate() error {
	if len(f.Query) > MaxQueryLen || len(f.Partner) > MaxIDLen || len(f.Action) > MaxIDLen {
		return Errorf(EInvalid, "Search text is too long (at most %d characters).", MaxQueryLen)
	}
	switch kind, id := f.ActorKind(); {
	case f.Actor == "":
	case strings.Contains(f.Actor, ":"):
		if (kind != "user" && kind != "token") || id <= 0 {
			return Errorf(EInvalid, "Unknown actor %q.", f.Actor)
		}
	default:
		ok := false
		for _, a := range AuditActors {
			ok = ok || a == kind
		}
		if !ok {
			return Errorf(EInvalid, "Unknown actor %q.", f.Actor)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return Errorf(EInvalid, "The date range ends before it starts.")
	}
	if f.Offset < 0 || f.Limit < 0 || f.Limit > 500 {
		return Errorf(EInvalid, "Invalid page.")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	return nil
}
