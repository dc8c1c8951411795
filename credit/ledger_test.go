package credit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// ev builds an event of client "c"; at is RFC 3339 or a date (00:00 UTC).
func ev(id, at, partner, product string, mrr int64) Event {
	return Event{ID: id, OccurredAt: mustTime(at), Partner: partner, Client: "c", Product: product, MRR: mrr}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

// replayLedger adds events (sorted first) and advances to asOf; it returns
// the movements as "date partner kind amount" lines.
func replayLedger(t *testing.T, expiry int, asOf string, events []Event) ([]string, *Ledger) {
	t.Helper()
	var got []string
	l := New(Options{ExpiryMonths: expiry, OnMovement: func(m Movement) {
		got = append(got, fmt.Sprintf("%s %s %s %d", m.Date, m.Partner, m.Kind, m.Amount))
	}})
	events = slices.Clone(events)
	SortEvents(events)
	for _, e := range events {
		if err := l.Add(e); err != nil {
			t.Fatalf("add %s: %v", e.ID, err)
		}
	}
	d, _ := ParseDate(asOf)
	if err := l.AdvanceTo(d); err != nil {
		t.Fatal(err)
	}
	return got, l
}

func TestMovementKinds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expiry int
		asOf   string
		events []Event
		want   []string
	}{
		{
			name:   "first purchase is new",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100)},
			want:   []string{"2025-01-20 p7 new 100"},
		},
		{
			name:   "a rise while credited is upgraded by the difference",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100), ev("2", "2025-03-01", "p7", "b", 30)},
			want:   []string{"2025-01-20 p7 new 100", "2025-03-01 p7 upgraded 30"},
		},
		{
			name:   "a fall while credited is decreased",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100), ev("2", "2025-03-01", "p7", "a", 60)},
			want:   []string{"2025-01-20 p7 new 100", "2025-03-01 p7 decreased 40"},
		},
		{
			name:   "MRR falling to zero is lost",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100), ev("2", "2025-03-01", "p7", "a", 0)},
			want:   []string{"2025-01-20 p7 new 100", "2025-03-01 p7 lost 100"},
		},
		{
			name:   "credit expires at the start of the day twelve months after the last purchase",
			asOf:   "2030-01-01",
			events: []Event{ev("1", "2025-01-20T23:59:00Z", "p7", "a", 100)},
			want:   []string{"2025-01-20 p7 new 100", "2026-01-20 p7 expired 100"},
		},
		{
			name:   "the expiry period is a setting",
			asOf:   "2030-01-01",
			expiry: 3,
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100)},
			want:   []string{"2025-01-20 p7 new 100", "2025-04-20 p7 expired 100"},
		},
		{
			name:   "a purchase on Feb 29 expires on Feb 28",
			asOf:   "2030-01-01",
			events: []Event{ev("1", "2024-02-29", "p7", "a", 100)},
			want:   []string{"2024-02-29 p7 new 100", "2025-02-28 p7 expired 100"},
		},
		{
			name: "a purchase on the expiry day renews the credit",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100),
				ev("2", "2026-01-20T09:00:00Z", "p7", "b", 10)},
			want: []string{"2025-01-20 p7 new 100", "2026-01-20 p7 upgraded 10", "2027-01-20 p7 expired 110"},
		},
		{
			name: "a fall on the expiry day is expired, not decreased",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100),
				ev("2", "2026-01-20T09:00:00Z", "p7", "a", 50)},
			want: []string{"2025-01-20 p7 new 100", "2026-01-20 p7 expired 100"},
		},
		{
			name: "a same-day swap of products of equal MRR is no purchase",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100),
				ev("2", "2025-06-01T10:00:00Z", "p9", "a", 0), ev("3", "2025-06-01T11:00:00Z", "p9", "b", 100)},
			want: []string{"2025-01-20 p7 new 100", "2026-01-20 p7 expired 100"},
		},
		{
			name: "changes within a day net out: only the day-end total counts",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100),
				ev("2", "2025-06-01T10:00:00Z", "p7", "a", 500), ev("3", "2025-06-01T11:00:00Z", "p7", "a", 80)},
			want: []string{"2025-01-20 p7 new 100", "2025-06-01 p7 decreased 20", "2026-01-20 p7 expired 80"},
		},
		{
			name: "a purchase credited to another partner transfers the credit",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100),
				ev("2", "2025-06-01", "p9", "b", 20)},
			want: []string{"2025-01-20 p7 new 100", "2025-06-01 p7 transferred 100", "2025-06-01 p9 new 120",
				"2026-06-01 p9 expired 120"},
		},
		{
			name: "the day's last event by time names the partner",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20T15:00:00Z", "p7", "a", 100),
				ev("2", "2025-01-20T09:00:00Z", "p9", "b", 20)},
			want: []string{"2025-01-20 p7 new 120", "2026-01-20 p7 expired 120"},
		},
		{
			name: "at equal times the greater id is the later event",
			asOf: "2030-01-01",
			events: []Event{ev("b", "2025-01-20T09:00:00Z", "p9", "a", 70),
				ev("a", "2025-01-20T09:00:00Z", "p7", "a", 100)},
			want: []string{"2025-01-20 p9 new 70", "2026-01-20 p9 expired 70"},
		},
		{
			name: "a client paying again after stopping is returning",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100), ev("2", "2025-03-01", "p7", "a", 0),
				ev("3", "2025-05-01", "p7", "a", 40)},
			want: []string{"2025-01-20 p7 new 100", "2025-03-01 p7 lost 100", "2025-05-01 p7 returning 40",
				"2026-05-01 p7 expired 40"},
		},
		{
			name: "after expiry a paying client earns nothing until its next purchase, then returns",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2024-01-10", "p7", "a", 100), ev("2", "2025-03-01", "p7", "a", 90),
				ev("3", "2025-05-01", "p7", "b", 10)},
			want: []string{"2024-01-10 p7 new 100", "2025-01-10 p7 expired 100", "2025-05-01 p7 returning 100",
				"2026-05-01 p7 expired 100"},
		},
		{
			name: "a client won back by its first partner returns to it",
			asOf: "2030-01-01",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100), ev("2", "2025-02-01", "p9", "b", 20),
				ev("3", "2025-03-01", "p7", "c", 5)},
			want: []string{"2025-01-20 p7 new 100", "2025-02-01 p7 transferred 100", "2025-02-01 p9 new 120",
				"2025-03-01 p9 transferred 120", "2025-03-01 p7 returning 125", "2026-03-01 p7 expired 125"},
		},
		{
			name:   "an expired client bought by another partner is new to it, with nothing transferred",
			asOf:   "2030-01-01",
			events: []Event{ev("1", "2024-01-10", "p7", "a", 100), ev("2", "2025-05-01", "p9", "b", 10)},
			want: []string{"2024-01-10 p7 new 100", "2025-01-10 p7 expired 100", "2025-05-01 p9 new 110",
				"2026-05-01 p9 expired 110"},
		},
		{
			name:   "an expiry after the as-of date is not emitted",
			asOf:   "2026-01-19",
			events: []Event{ev("1", "2025-01-20", "p7", "a", 100)},
			want:   []string{"2025-01-20 p7 new 100"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := replayLedger(t, tc.expiry, cmpOr(tc.asOf, "2025-12-31"), tc.events)
			if !slices.Equal(got, tc.want) {
				t.Errorf("movements:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestMovementsCiteTheirEvents(t *testing.T) {
	var got []string
	l := New(Options{OnMovement: func(m Movement) {
		got = append(got, fmt.Sprintf("%s %s %v", m.Date, m.Kind, m.EventIDs))
	}})
	for _, e := range []Event{ev("e2", "2025-01-20T10:00:00Z", "p7", "b", 5), ev("e1", "2025-01-20T09:00:00Z", "p7", "a", 100),
		ev("e3", "2025-02-01", "p7", "a", 50)} {
		if err := l.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.AdvanceTo(MakeDate(2026, 6, 30)); err != nil {
		t.Fatal(err)
	}
	want := []string{"2025-01-20 new [e1 e2]", "2025-02-01 decreased [e3]", "2026-01-20 expired [e2]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCreditsAsOfADate(t *testing.T) {
	_, l := replayLedger(t, 12, "2025-12-31", []Event{
		ev("1", "2025-01-20", "p7", "a", 100), ev("2", "2025-04-02", "p7", "b", 20), ev("3", "2025-07-01", "p7", "b", 0),
	})
	got, ok := l.Credit("c")
	want := ClientCredit{Client: "c", Partner: "p7", MRR: 100, Credit: 100,
		LastPurchase: MakeDate(2025, 4, 2), Expires: MakeDate(2026, 4, 2)}
	if !ok || got != want {
		t.Errorf("Credit = %+v, want %+v", got, want)
	}
	if all := l.Credits(); len(all) != 1 || all[0] != want {
		t.Errorf("Credits = %+v", all)
	}
	if _, ok := l.Credit("nobody"); ok {
		t.Error("unknown client found")
	}
}

func TestLedgerRefusesWhatItCannotApply(t *testing.T) {
	l := New(Options{})
	add := func(e Event) error { return l.Add(e) }
	if err := add(ev("1", "2025-03-01", "p7", "a", 100)); err != nil {
		t.Fatal(err)
	}
	if err := add(ev("1", "2025-03-01", "p7", "a", 100)); err != nil {
		t.Errorf("identical re-delivery: %v", err)
	}
	if err := add(ev("1", "2025-03-01", "p7", "a", 101)); !errors.Is(err, ErrConflict) {
		t.Errorf("reused id: %v, want ErrConflict", err)
	}
	if err := add(ev("2", "2025-03-05", "p7", "a", 100)); err != nil {
		t.Fatal(err)
	}
	if err := add(ev("3", "2025-03-02", "p7", "a", 100)); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("earlier day: %v, want ErrOutOfOrder", err)
	}
	if err := add(ev("3", "2025-03-06", "p7", "a", 100)); err != nil {
		t.Errorf("a refused event's id is taken: %v", err)
	}
	if err := add(Event{ID: "4", OccurredAt: mustTime("2025-03-06"), Partner: "p7", Client: "c", Product: "a", MRR: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative MRR: %v, want ErrInvalid", err)
	}
	if err := l.AdvanceTo(MakeDate(2025, 3, 31)); err != nil {
		t.Fatal(err)
	}
	if err := add(Event{ID: "5", OccurredAt: mustTime("2025-03-31"), Partner: "p7", Client: "new", Product: "a", MRR: 1}); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("event on an advanced day: %v, want ErrOutOfOrder", err)
	}
	if _, ok := l.Credit("new"); ok {
		t.Error("a refused event added its client")
	}
	if err := l.AdvanceTo(MakeDate(2025, 3, 30)); err == nil {
		t.Error("advancing backwards succeeded")
	}
}
