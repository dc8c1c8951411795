package credit

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// ReplayOptions say what Replay computes.
type ReplayOptions struct {
	From, To     Month          // the months reported; history before From goes into the first opening
	ExpiryMonths int            // 0 means DefaultExpiryMonths
	Location     *time.Location // the program time zone; nil means UTC
	Explain      string         // a client whose movements to list, or ""
	Links        []Link         // confirmed links: they credit the events whose partner is NoPartner
}

// Report is the outcome of a replay.
type Report struct {
	Partners []PartnerSummary `json:"partners"`
	Explain  *Explanation     `json:"explain,omitempty"`
}

// Explanation is one client's history through the end of the range.
type Explanation struct {
	Client    string              `json:"client"`
	Movements []ExplainedMovement `json:"movements"`
	Credit    *ClientCredit       `json:"credit"` // at the end of the range; nil for an unknown client
}

// ExplainedMovement is a movement with the summary column it counts in.
type ExplainedMovement struct {
	Date     Date     `json:"date"`
	Partner  string   `json:"partner"`
	Kind     Kind     `json:"kind"`
	Column   string   `json:"column"`
	Amount   int64    `json:"amount"`
	EventIDs []string `json:"event_ids"`
	Link     string   `json:"link,omitempty"` // the confirmation link that credited a gain
}

// LineError is an input line Replay cannot use.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// maxLine bounds a line so that a file without newlines cannot take all
// memory.
const maxLine = 1 << 20

// Replay reads events, one JSON object per line ({"id", "occurred_at",
// "partner", "client", "product", "mrr"}; blank lines skipped), and
// computes the credit summaries of opts.From through opts.To. A line it
// cannot use stops it with a *LineError, the first in file order.
//
// Memory: when r can seek and each client's events come in date order
// (how billing exports and the store deliver them), the events stream
// through the ledger and memory grows with the clients plus 16 bytes per
// distinct id. Otherwise every event is held in a compact form (about 40
// bytes plus its id) and sorted first; a seekable r that turns out
// unsorted is read a second time that way.
func Replay(ctx context.Context, opts ReplayOptions, r io.Reader) (*Report, error) {
	if opts.To < opts.From {
		return nil, fmt.Errorf("replay credit: range %s to %s is empty", opts.From, opts.To)
	}
	var ex *Explanation
	if opts.Explain != "" {
		ex = &Explanation{Client: opts.Explain, Movements: []ExplainedMovement{}}
	}
	newLedger := func() *Ledger {
		ex.reset()
		o := Options{ExpiryMonths: opts.ExpiryMonths, Location: opts.Location, Links: opts.Links}
		if ex != nil {
			o.OnMovement = ex.collect
		}
		return New(o)
	}

	var l *Ledger
	var err error
	if s, ok := r.(io.Seeker); ok {
		if start, serr := s.Seek(0, io.SeekCurrent); serr == nil {
			l, err = replayStream(ctx, opts, r, newLedger())
			if errors.Is(err, ErrOutOfOrder) {
				if _, err = s.Seek(start, io.SeekStart); err != nil {
					return nil, fmt.Errorf("replay credit: rewind input: %w", err)
				}
				l = nil
			}
		}
	}
	if l == nil {
		l, err = replaySorted(ctx, opts, r, newLedger())
	}
	if err != nil {
		return nil, err
	}
	if err := l.AdvanceTo(opts.To.Last()); err != nil {
		return nil, fmt.Errorf("replay credit: %w", err) // cannot happen: later events were left out
	}
	rep := &Report{Partners: l.Summaries(opts.From, opts.To), Explain: ex}
	if ex != nil {
		if cc, ok := l.Credit(ex.Client); ok {
			ex.Credit = &cc
		}
	}
	return rep, nil
}

// WriteJSON writes the report as one line of JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r)
}

func (ex *Explanation) reset() {
	if ex != nil {
		ex.Movements = ex.Movements[:0]
	}
}

func (ex *Explanation) collect(m Movement) {
	if m.Client == ex.Client {
		ex.Movements = append(ex.Movements, ExplainedMovement{Date: m.Date, Partner: m.Partner,
			Kind: m.Kind, Column: m.Kind.Column(), Amount: m.Amount, EventIDs: m.EventIDs, Link: m.Link})
	}
}

// replayStream feeds each event to the ledger as it is read. It fails
// with ErrOutOfOrder at the first client whose events go back in time.
func replayStream(ctx context.Context, opts ReplayOptions, r io.Reader, l *Ledger) (*Ledger, error) {
	err := readEvents(ctx, r, l, opts.To.Last(), func(ci int32, ev *rawEvent) error {
		return l.push(ci, ev.day, l.linked(ci, ev.day, dayEvent{at: ev.at, id: string(ev.id),
			partner: l.partners.internBytes(ev.partner), product: l.products.internBytes(ev.product), mrr: ev.mrr}))
	})
	return l, err
}

// compactEvent is an event held for sorting: strings are interned or, for
// the id, kept in one shared byte arena.
type compactEvent struct {
	at, mrr                  int64
	idOff, idLen             uint32
	client, partner, product int32
	day                      Date
}

func replaySorted(ctx context.Context, opts ReplayOptions, r io.Reader, l *Ledger) (*Ledger, error) {
	var evs []compactEvent
	var arena []byte
	err := readEvents(ctx, r, l, opts.To.Last(), func(ci int32, ev *rawEvent) error {
		if len(arena)+len(ev.id) > 1<<32-1 {
			return errors.New("event ids exceed 4 GiB")
		}
		evs = append(evs, compactEvent{at: ev.at, mrr: ev.mrr, idOff: uint32(len(arena)), idLen: uint32(len(ev.id)),
			client: ci, partner: l.partners.internBytes(ev.partner), product: l.products.internBytes(ev.product), day: ev.day})
		arena = append(arena, ev.id...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	id := func(e *compactEvent) []byte { return arena[e.idOff : e.idOff+e.idLen] }
	slices.SortFunc(evs, func(a, b compactEvent) int {
		// Not cmp.Or, which would compare the ids every time.
		if a.client != b.client {
			return cmp.Compare(a.client, b.client)
		}
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return bytes.Compare(id(&a), id(&b))
	})
	for i := range evs {
		e := &evs[i]
		ev := l.linked(e.client, e.day, dayEvent{at: e.at, id: string(id(e)), partner: e.partner, product: e.product, mrr: e.mrr})
		if err := l.push(e.client, e.day, ev); err != nil {
			return nil, fmt.Errorf("replay credit: %w", err) // cannot happen once sorted
		}
	}
	return l, nil
}
