package credit

import (
	"context"
	"fmt"
	"io"
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
		{"the link's credit expires like any other",
			[]Event{ev("1", "2025-03-02", NoPartner, "a", 100)},
			[]string{"2025-03-02 p7 new 100 L1", "2026-03-02 p7 expired 100"}},
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

// The replay credits through the links it is given, whether the file
// streams or must be sorted, and its explanation names the link.
func TestReplayExplainsALinksCredit(t *testing.T) {
	links, err := ReadLinks(strings.NewReader(`{"id":"L1","partner":"p7","client":"acme","products":["sales-pro"],"from":"2025-03-01","to":"2025-05-29"}` + "\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	file := `{"id":"e1","occurred_at":"2025-03-05","partner":"-","client":"acme","product":"sales-pro","mrr":5000}
{"id":"e2","occurred_at":"2025-04-01","partner":"p9","client":"acme","product":"sales-pro","mrr":6000}
`
	for name, in := range map[string]func() io.Reader{
		"streamed": func() io.Reader { return strings.NewReader(file) },
		"sorted":   func() io.Reader { return io.MultiReader(strings.NewReader(file)) },
	} {
		rep, err := Replay(context.Background(), ReplayOptions{From: day("2025-03-01").Month(), To: day("2025-04-01").Month(),
			Explain: "acme", Links: links}, in())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range rep.Explain.Movements {
			got = append(got, fmt.Sprintf("%s %s %s %d %s", m.Date, m.Partner, m.Kind, m.Amount, m.Link))
		}
		want := []string{"2025-03-05 p7 new 5000 L1", "2025-04-01 p7 transferred 5000 ", "2025-04-01 p9 new 6000 "}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
		var out strings.Builder
		rep.WriteJSON(&out)
		if !strings.Contains(out.String(), `"link":"L1"`) {
			t.Errorf("%s: JSON lacks the link: %s", name, out.String())
		}
	}
	for _, bad := range []string{`{"id":"L1"}`, `{"id":"L","partner":"p","client":"c","products":["a"],"from":"2025-03-02","to":"2025-03-01"}`, `nope`} {
		if _, err := ReadLinks(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadLinks(%s) accepted", bad)
		}
	}
}
