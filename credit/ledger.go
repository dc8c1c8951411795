// Package credit computes partners' tier credit from billing events: the
// ledger of docs/credit.md as pure functions over events, with no I/O
// beyond the readers and writers its callers hand it.
//
// A Ledger folds each client's events, day by day in the program time
// zone, into the client's credit, and turns every day's change into
// Movements and per-partner monthly summaries. The daily refresh feeds it
// from the store; Replay feeds it from an event file for the audit
// command. Money is int64 minor units throughout.
package credit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultExpiryMonths is the program's default credit expiry.
const DefaultExpiryMonths = 12

// Options configure a Ledger.
type Options struct {
	ExpiryMonths int            // 0 or less means DefaultExpiryMonths
	Location     *time.Location // the program time zone; nil means UTC
	// OnMovement, if set, receives every movement as it is decided: each
	// client's in date order, clients interleaved. Leave it nil when only
	// summaries matter: the ledger then skips building EventIDs.
	OnMovement func(Movement)
	// Links are the confirmed confirmation links: they credit events
	// whose partner is NoPartner (see Link).
	Links []Link
}

// Ledger is the tier-credit ledger. Feed it events with Add, each client's
// in order of their day (any order within a day), then call AdvanceTo with
// the as-of date before reading Summaries, Credits or Credit. Its memory
// grows with the number of clients, and with the number of distinct event
// ids (16 bytes each) for the duplicate check. A Ledger is not safe for
// concurrent use.
type Ledger struct {
	months     int
	loc        *time.Location
	onMovement func(Movement)
	links      linkIndex

	clientIdx clientIndex
	clients   []clientState
	partners  names
	products  names
	seen      idSet
	flows     []monthFlows // by partner

	advanced    Date // every client is closed through this day
	hasAdvanced bool
	latest      Date // the latest day any client has closed
}

// New returns an empty ledger.
func New(opts Options) *Ledger {
	l := &Ledger{
		months:     opts.ExpiryMonths,
		loc:        cmp.Or(opts.Location, time.UTC),
		onMovement: opts.OnMovement,
		links:      newLinkIndex(opts.Links),
		clientIdx:  newClientIndex(),
		partners:   newNames(),
		products:   newNames(),
		seen:       newIDSet(),
	}
	if l.months <= 0 {
		l.months = DefaultExpiryMonths
	}
	return l
}

// Add records an event. An id seen before with the same content is ignored
// (re-delivery); with different content it is ErrConflict. An event for a
// day earlier than one already seen for the same client, or not after the
// last AdvanceTo, is ErrOutOfOrder and is not recorded: sort such batches
// with SortEvents and add them again.
func (l *Ledger) Add(e Event) error {
	if err := e.validate(); err != nil {
		return fmt.Errorf("event %q: %w", e.ID, err)
	}
	at := e.OccurredAt.UnixNano()
	id, sum := l.seen.idString(e.ID), l.seen.contentString(at, e.MRR, e.Partner, e.Client, e.Product)
	if dup, err := l.seen.lookup(id, sum); dup || err != nil {
		if err != nil {
			return fmt.Errorf("event %q: %w", e.ID, err)
		}
		return nil
	}
	day := DateOf(e.OccurredAt, l.loc)
	if err := l.checkOrder(-1, day, e.ID); err != nil {
		return err
	}
	ci := l.client(e.Client)
	if err := l.checkOrder(ci, day, e.ID); err != nil {
		return err
	}
	l.seen.add(id, sum)
	return l.push(ci, day, l.event(e, day))
}

// event is e as the ledger keeps it, credited through a link if one
// applies.
func (l *Ledger) event(e Event, day Date) dayEvent {
	partner, link := l.links.credit(e.Client, e.Product, day, e.Partner)
	return dayEvent{at: e.OccurredAt.UnixNano(), id: e.ID, partner: l.partners.intern(partner), product: l.products.intern(e.Product),
		mrr: e.MRR, link: link}
}

func (l *Ledger) client(name string) int32 {
	ci, h := l.clientIdx.findString(l.clients, name)
	if ci < 0 {
		ci = l.newClient(name, h)
	}
	return ci
}

func (l *Ledger) clientBytes(name []byte) int32 {
	ci, h := l.clientIdx.find(l.clients, name)
	if ci < 0 {
		ci = l.newClient(string(name), h)
	}
	return ci
}

func (l *Ledger) newClient(name string, h uint64) int32 {
	ci := int32(len(l.clients))
	l.clients = append(l.clients, clientState{name: name, owner: -1})
	copy(l.clients[ci].short[:], name)
	l.clientIdx.insert(h, ci)
	return ci
}

// checkOrder says whether an event of day can still be applied: not
// after AdvanceTo went past it, nor, for client ci (if ci >= 0), after a
// later day of the client.
func (l *Ledger) checkOrder(ci int32, day Date, id string) error {
	if l.hasAdvanced && day <= l.advanced {
		return fmt.Errorf("%w: event %q of %s comes after the ledger was advanced to %s", ErrOutOfOrder, id, day, l.advanced)
	}
	if ci >= 0 {
		if c := &l.clients[ci]; len(c.pending) > 0 && day < c.open {
			return fmt.Errorf("%w: event %q of %s for client %q comes after its events of %s", ErrOutOfOrder, id, day, c.name, c.open)
		}
	}
	return nil
}

// push queues an event on its client's open day, closing the open day
// first when the event starts a later one.
func (l *Ledger) push(ci int32, day Date, ev dayEvent) error {
	if err := l.checkOrder(ci, day, ev.id); err != nil {
		return err
	}
	c := &l.clients[ci]
	if len(c.pending) > 0 && day > c.open {
		l.closeDay(ci)
	}
	c.open = day
	c.pending = append(c.pending, ev)
	return nil
}

// AdvanceTo closes every client's events through day and emits the
// expiries due by then, so that a credit expiring after a client's last
// event still shows in its month. It fails if some client has already
// been closed past day, because its state would then be later than asked.
func (l *Ledger) AdvanceTo(day Date) error {
	if day < l.latest || l.hasAdvanced && day < l.advanced {
		return fmt.Errorf("advance credit ledger to %s: already closed through %s", day, max(l.latest, l.advanced))
	}
	for ci := range l.clients {
		c := &l.clients[ci]
		if len(c.pending) > 0 && c.open <= day {
			l.closeDay(int32(ci))
		}
		l.expireThrough(int32(ci), day)
	}
	l.advanced, l.hasAdvanced = day, true
	return nil
}

// move records one movement in the partner's monthly flows and passes it
// on. ids is called only when someone listens, so a replay without
// listener builds no id lists.
func (l *Ledger) move(day Date, partner, ci int32, kind Kind, amount int64, ids func() []string) {
	for int(partner) >= len(l.flows) {
		l.flows = append(l.flows, monthFlows{})
	}
	l.flows[partner].at(day.Month()).add(kind, amount)
	if l.onMovement != nil {
		c := &l.clients[ci]
		m := Movement{Date: day, Partner: l.partners.list[partner], Client: c.name, Kind: kind, Amount: amount, EventIDs: ids()}
		if partner == c.owner && m.Delta() > 0 {
			m.Link = l.links.name(c.purchaseLink)
		}
		l.onMovement(m)
	}
}

// Credit returns where the client's credit stands after the last
// AdvanceTo.
func (l *Ledger) Credit(client string) (ClientCredit, bool) {
	ci, _ := l.clientIdx.findString(l.clients, client)
	if ci < 0 {
		return ClientCredit{}, false
	}
	return l.creditOf(ci), true
}

// Credits returns every client's credit after the last AdvanceTo, sorted
// by client.
func (l *Ledger) Credits() []ClientCredit {
	out := make([]ClientCredit, len(l.clients))
	for ci := range l.clients {
		out[ci] = l.creditOf(int32(ci))
	}
	slices.SortFunc(out, func(a, b ClientCredit) int { return strings.Compare(a.Client, b.Client) })
	return out
}

func (l *Ledger) creditOf(ci int32) ClientCredit {
	c := &l.clients[ci]
	cc := ClientCredit{Client: c.name, MRR: c.total, Credit: c.credit}
	if c.owner >= 0 {
		cc.Partner, cc.LastPurchase, cc.Expires = l.partners.list[c.owner], c.purchase, c.expires
	}
	return cc
}

// SortEvents sorts events by client, time and id: an order Ledger.Add
// accepts whatever order they arrived in.
func SortEvents(events []Event) {
	slices.SortFunc(events, func(a, b Event) int {
		if a.Client != b.Client {
			return strings.Compare(a.Client, b.Client)
		}
		if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// names interns partner and product names, so that per-event state holds
// small integers.
type names struct {
	index map[string]int32
	list  []string
}

func newNames() names { return names{index: make(map[string]int32)} }

func (n *names) intern(s string) int32 {
	if i, ok := n.index[s]; ok {
		return i
	}
	return n.add(s)
}

func (n *names) internBytes(b []byte) int32 {
	if i, ok := n.index[string(b)]; ok {
		return i
	}
	return n.add(string(b))
}

func (n *names) add(s string) int32 {
	i := int32(len(n.list))
	n.index[s] = i
	n.list = append(n.list, s)
	return i
}
