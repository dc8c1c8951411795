package credit

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// A confirmed link credits the events without a partner, for its client
// and products, from its first day to its last; an event that names a
// partner keeps it (rule 9 of docs/credit.md).
func TestLinksCreditEventsWithoutAPartner(t *testing.T) {
	link := Link{ID: "L1", Partner: "p7", Client: "c", Products: []string{"a", "b"}, From: day("2025-03-01"), To: day("2025-05-30")}
	for _, tc := range []struct {
		name   string
		events []Event
		want   []string
	}{
		{"a purchase without partner in the window is the link's",
			[]Event{ev("1", "2025-03-01", NoPartner, "a", 100)},
			[]string{"2025-03-01 p7 new 100 L1"}},
		{"the window's last day is in it",
			[]Event{ev("1", "2025-05-30T23:00:00Z", NoPartner, "b", 100)},
			[]string{"2025-05-30 p7 new 100 L1"}},
		{"before and after the window it is no one's",
			[]Event{ev("1", "2025-02-28", NoPartner, "a", 100), ev("2", "2025-05-31", NoPartner, "a", 200)},
			nil},
		{"another product is no one's",
			[]Event{ev("1", "2025-03-02", NoPartner, "z", 100)},
			nil},
		{"an event naming a partner keeps it",
			[]Event{ev("1", "2025-03-02", "p9", "a", 100)},
			[]string{"2025-03-02 p9 new 100"}},
		{"a later purchase without partner goes from the named partner to the link's",
			[]Event{ev("1", "2025-01-10", "p9", "a", 100), ev("2", "2025-03-02", NoPartner, "a", 300)},
			[]string{"2025-01-10 p9 new 100", "2025-03-02 p9 transferred 100", "2025-03-02 p7 new 300 L1"}},
		{"a later purchase naming a partner takes the credit from the link's",
			[]Event{ev("1", "2025-03-02", NoPartner, "a", 100), ev("2", "2025-04-02", "p9", "b", 50)},
			[]string{"2025-03-02 p7 new 100 L1", "2025-04-02 p7 transferred 100", "2025-04-02 p9 new 150"}},
		{"on one day the last event decides, link or named partner",
			[]Event{ev("1", "2025-03-02T10:00:00Z", "p9", "a", 100), ev("2", "2025-03-02T11:00:00Z", NoPartner, "b", 50)},
			[]string{"2025-03-02 p7 new 150 L1"}},
		{"the link's credit expires like any other, naming the link",
			[]Event{ev("1", "2025-03-02", NoPartner, "a", 100)},
			[]string{"2025-03-02 p7 new 100 L1", "2026-03-02 p7 expired 100 L1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				var got []string
				opts := Options{Links: []Link{link}, OnMovement: func(m Movement) {
					got = append(got, strings.TrimSpace(fmt.Sprintf("%s %s %s %d %s", m.Date, m.Partner, m.Kind, m.Amount, m.Link)))
				}}
				asOf := day("2026-06-01")
				if stream {
					s := NewStream(opts, asOf, nil)
					for _, e := range tc.events {
						if err := s.Add(e); err != nil {
							t.Fatal(err)
						}
					}
					s.Close()
				} else {
					l := New(opts)
					for _, e := range tc.events {
						if err := l.Add(e); err != nil {
							t.Fatal(err)
						}
					}
					if err := l.AdvanceTo(asOf); err != nil {
						t.Fatal(err)
					}
				}
				if got := shown(got, tc.name); !slices.Equal(got, tc.want) {
					t.Errorf("stream %v:\n got %q\nwant %q", stream, got, tc.want)
				}
			}
		})
	}
}

// shown drops what no partner's figures show (NoPartner's movements, as
// the refresh does) and the expiries a case does not look at.
func shown(got []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(got), func(s string) bool {
		return strings.Contains(s, " "+NoPartner+" ") || !strings.Contains(name, "expires") && strings.Contains(s, " expired ")
	})
}
