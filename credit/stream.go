package credit

import (
	"fmt"
)

// Stream is the ledger for events that come client by client, each
// client's in order of time then id: what a store returns for ORDER BY
// client, occurred_at, id. No client comes back once left, so the stream
// holds one client's state at a time, and it keeps no duplicate-id set
// (the store's unique key already rules duplicates out, and Stream does not
// check them): its memory is the partners' monthly flows plus 16 bytes per
// client, where a Ledger fed with Add keeps every client's state and 16
// bytes per event id. The daily refresh reads millions of events this way.
//
// Each client is closed through the as-of date when the next one starts,
// or at Close: its last open day is folded in and an expiry due by then is
// emitted, so that its movements (to Options.OnMovement) are complete
// before the client's credit goes to onClient. Events dated after the
// as-of date are left out, as Replay leaves out those after its range.
//
// Within a day the stream keeps the order events come in, ids or not: the
// caller's ORDER BY breaks ties of time. An Event's ID may therefore be
// empty; it then only leaves Movement.EventIDs nil.
type Stream struct {
	l        *Ledger
	asOf     Date
	onClient func(ClientCredit)
	cur      string // the open client; "" before the first
	left     idSet  // hashes of the clients already closed
	skipped  int
}

// NewStream returns a stream that closes each client through asOf and
// hands its credit then to onClient (which may be nil).
func NewStream(opts Options, asOf Date, onClient func(ClientCredit)) *Stream {
	l := New(opts)
	l.clients = make([]clientState, 1) // the open client, reused
	return &Stream{l: l, asOf: asOf, onClient: onClient, left: newIDSet()}
}

// Add records an event of the open client, or closes the open client and
// opens the event's. A client that comes back after another, or an event
// earlier than the client's day before it, is ErrOutOfOrder.
func (s *Stream) Add(e Event) error {
	if err := e.validateFields(); err != nil {
		return fmt.Errorf("event %q: %w", e.ID, err)
	}
	l := s.l
	day := DateOf(e.OccurredAt, l.loc)
	if e.Client != s.cur {
		if err := s.open(e.Client); err != nil {
			return err
		}
	}
	if day > s.asOf {
		s.skipped++
		return nil
	}
	c := &l.clients[0]
	if len(c.pending) > 0 && day < c.open {
		return fmt.Errorf("%w: event %q of %s for client %q comes after its events of %s", ErrOutOfOrder, e.ID, day, c.name, c.open)
	}
	ev := l.event(e, day)
	if len(c.pending) > 0 && day > c.open {
		l.closeDay(0)
	}
	c.open = day
	c.pending = append(c.pending, ev)
	return nil
}

// open closes the open client and starts client with a fresh state.
func (s *Stream) open(client string) error {
	if s.cur != "" {
		s.closeClient()
	}
	h := s.left.idString(client)
	if dup, _ := s.left.lookup(h, 0); dup {
		return fmt.Errorf("%w: the events of client %q come in two runs", ErrOutOfOrder, client)
	}
	s.left.add(h, 0)
	c := &s.l.clients[0]
	clear(c.lines)
	*c = clientState{name: client, owner: -1, lines: c.lines[:0], pending: c.pending[:0], credited: c.credited[:0]}
	copy(c.short[:], client)
	s.cur = client
	return nil
}

func (s *Stream) closeClient() {
	l := s.l
	if len(l.clients[0].pending) > 0 {
		l.closeDay(0)
	}
	l.expireThrough(0, s.asOf)
	if s.onClient != nil {
		s.onClient(l.creditOf(0))
	}
}

// Close closes the last client. Summaries are then complete.
func (s *Stream) Close() {
	if s.cur != "" {
		s.closeClient()
		s.cur = ""
	}
	if s.asOf > s.l.latest {
		s.l.latest = s.asOf
	}
}

// Summaries are the partners' months, as Ledger.Summaries gives them;
// call Close first.
func (s *Stream) Summaries(from, to Month) []PartnerSummary { return s.l.Summaries(from, to) }

// Skipped is how many events were left out for being dated after the
// as-of date.
func (s *Stream) Skipped() int { return s.skipped }
