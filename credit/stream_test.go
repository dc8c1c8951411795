package credit

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// A Stream fed the events client by client gives the same movements,
// monthly summaries and credits as a Ledger fed with Add, ids or not.
func TestStreamAgreesWithTheLedger(t *testing.T) {
	locs := []*time.Location{time.UTC, time.FixedZone("UTC-5", -5*3600)}
	r := rand.New(rand.NewPCG(2026, 4))
	from, to := MakeMonth(2024, 1), MakeMonth(2026, 12)
	asOf := MakeDate(2025, 9, 17)
	for i := range 300 {
		h := randomHistory(r, locs)
		events := slices.Clone(h.events)
		SortEvents(events)
		opts := Options{ExpiryMonths: h.expiry, Location: h.loc}

		var want []Movement
		lopts := opts
		lopts.OnMovement = func(m Movement) { want = append(want, m) }
		l := New(lopts)
		for _, e := range events {
			if DateOf(e.OccurredAt, h.loc) <= asOf {
				if err := l.Add(e); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := l.AdvanceTo(asOf); err != nil {
			t.Fatal(err)
		}
		var wantCredits []ClientCredit
		for _, c := range l.Credits() {
			if c.Partner != "" || c.MRR != 0 {
				wantCredits = append(wantCredits, c)
			}
		}

		for _, withIDs := range []bool{true, false} {
			var got []Movement
			var credits []ClientCredit
			sopts := opts
			sopts.OnMovement = func(m Movement) { got = append(got, m) }
			s := NewStream(sopts, asOf, func(c ClientCredit) {
				if c.Partner != "" || c.MRR != 0 {
					credits = append(credits, c)
				}
			})
			for _, e := range events {
				if !withIDs {
					e.ID = ""
				}
				if err := s.Add(e); err != nil {
					t.Fatalf("history %d: %v", i, err)
				}
			}
			s.Close()
			wantMoves := slices.Clone(want)
			if !withIDs {
				for k := range wantMoves {
					if got[k].EventIDs != nil {
						t.Fatalf("history %d: movement without ids cites %v", i, got[k].EventIDs)
					}
					wantMoves[k].EventIDs = nil
				}
			}
			if !reflect.DeepEqual(sortedMoves(got), sortedMoves(wantMoves)) {
				t.Fatalf("history %d (ids %v): stream movements\n%v\nwant\n%v", i, withIDs, got, wantMoves)
			}
			if !reflect.DeepEqual(credits, wantCredits) {
				t.Fatalf("history %d (ids %v): stream credits\n%v\nwant\n%v", i, withIDs, credits, wantCredits)
			}
			if g, w := s.Summaries(from, to), l.Summaries(from, to); !reflect.DeepEqual(g, w) {
				t.Fatalf("history %d (ids %v): stream summaries\n%v\nwant\n%v", i, withIDs, g, w)
			}
		}
	}
}

// sortedMoves orders movements by client, then date, keeping each day's
// order: the stream emits a client's expiry when it leaves the client, the
// ledger at AdvanceTo, after every client.
func sortedMoves(ms []Movement) []Movement {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b Movement) int {
		if a.Client != b.Client {
			if a.Client < b.Client {
				return -1
			}
			return 1
		}
		return int(a.Date) - int(b.Date)
	})
	return ms
}

func TestStreamRefusesWhatItCannotApply(t *testing.T) {
	at := func(s string) time.Time { return mustTime(s) }
	s := NewStream(Options{}, MakeDate(2025, 12, 31), nil)
	add := func(client, when string) error {
		return s.Add(Event{OccurredAt: at(when), Partner: "p", Client: client, Product: "x", MRR: 100})
	}
	if err := add("a", "2025-03-01T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if err := add("a", "2025-02-01T10:00:00Z"); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("an earlier day of the open client: %v, want ErrOutOfOrder", err)
	}
	if err := add("b", "2025-01-01T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if err := add("a", "2025-04-01T10:00:00Z"); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("a client coming back: %v, want ErrOutOfOrder", err)
	}
	if err := s.Add(Event{OccurredAt: at("2025-05-01T10:00:00Z"), Client: "c", Product: "x", MRR: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no partner: %v, want ErrInvalid", err)
	}
	if err := add("d", "2026-01-01T10:00:00Z"); err != nil || s.Skipped() != 1 {
		t.Errorf("an event after the as-of date: %v, skipped %d, want it left out", err, s.Skipped())
	}
}

// BenchmarkStream is BenchmarkLedgerAdd through a Stream, events without
// ids, as the daily refresh feeds it.
func BenchmarkStream(b *testing.B) {
	evs := slices.Clone(benchEvents())
	SortEvents(evs)
	for i := range evs {
		evs[i].ID = ""
	}
	n := 0
	for b.Loop() {
		s := NewStream(Options{OnMovement: func(Movement) {}}, MakeDate(2026, 12, 31), func(ClientCredit) {})
		for _, e := range evs {
			if err := s.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
		n++
	}
	b.ReportMetric(float64(n*len(evs))/b.Elapsed().Seconds(), "events/s")
}
