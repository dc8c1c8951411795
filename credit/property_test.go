package credit

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// history is a random event log and how to replay it.
type history struct {
	events []Event
	lines  []string // the same events in the file format
	loc    *time.Location
	expiry int
}

func randomHistory(r *rand.Rand, locs []*time.Location) history {
	h := history{loc: locs[r.IntN(len(locs))], expiry: 1 + r.IntN(12)}
	partners := []string{"p1", "p2", "p3"}
	seq := 0
	for c := range 1 + r.IntN(4) {
		client := fmt.Sprintf("c%d", c)
		main := partners[r.IntN(len(partners))]
		day := r.IntN(90)
		for range 1 + r.IntN(30) {
			switch r.IntN(6) {
			case 0, 1: // another event the same day
			case 2: // the day the last event's credit would expire
				last := MakeDate(2024, 1, 1+day)
				day += int(last.AddMonths(h.expiry) - last)
			default:
				day += r.IntN(150)
			}
			hour := []int{0, 0, 9, 9, 17, 23}[r.IntN(6)] // ties on purpose
			y, m, d := time.Date(2024, 1, 1+day, 0, 0, 0, 0, time.UTC).Date()
			e := Event{
				ID:         fmt.Sprintf("%c%d", 'a'+r.IntN(26), seq), // ids sort apart from time
				OccurredAt: time.Date(y, m, d, hour, 0, 0, 0, h.loc),
				Partner:    main,
				Client:     client,
				Product:    []string{"a", "b", "c"}[r.IntN(3)],
				MRR:        []int64{0, 0, 500, 1000, 1000, 2500}[r.IntN(6)],
			}
			seq++
			if r.IntN(10) < 3 {
				e.Partner = partners[r.IntN(len(partners))]
			}
			h.events = append(h.events, e)
			at := e.OccurredAt.UTC().Format(time.RFC3339)
			switch {
			case hour == 0 && r.IntN(2) == 0:
				at = e.OccurredAt.Format(time.DateOnly)
			case r.IntN(2) == 0:
				at = e.OccurredAt.Format(time.RFC3339)
			}
			h.lines = append(h.lines, fmt.Sprintf(`{"id":%q,"occurred_at":%q,"partner":%q,"client":%q,"product":%q,"mrr":%d}`,
				e.ID, at, e.Partner, e.Client, e.Product, e.MRR))
		}
	}
	return h
}

// oracleCredit computes the rules of docs/credit.md the slow way: every
// client's credit on every day, without the ledger's movements. It
// returns partner → day → the sum of its clients' credit that day.
func oracleCredit(h history, to Month) map[string]map[Date]int64 {
	out := map[string]map[Date]int64{}
	byClient := map[string][]Event{}
	for _, e := range h.events {
		byClient[e.Client] = append(byClient[e.Client], e)
	}
	for _, evs := range byClient {
		slices.SortFunc(evs, func(a, b Event) int {
			return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.ID, b.ID))
		})
		byDay := map[Date][]Event{}
		for _, e := range evs {
			d := DateOf(e.OccurredAt, h.loc)
			byDay[d] = append(byDay[d], e)
		}
		lines := map[string]int64{}
		var total int64
		owner, bought := "", false
		var purchase Date
		for d := DateOf(evs[0].OccurredAt, h.loc); d <= to.Last(); d++ {
			if day, ok := byDay[d]; ok {
				for _, e := range day {
					lines[e.Product] = e.MRR
				}
				var t int64
				for _, v := range lines {
					t += v
				}
				if t > total {
					owner, bought, purchase = day[len(day)-1].Partner, true, d
				}
				total = t
			}
			if bought && total > 0 && d < purchase.AddMonths(h.expiry) {
				if out[owner] == nil {
					out[owner] = map[Date]int64{}
				}
				out[owner][d] += total
			}
		}
	}
	return out
}

// dailyBalances turns movements into partner → day → credit.
func dailyBalances(ms []Movement, to Month) map[string]map[Date]int64 {
	slices.SortStableFunc(ms, func(a, b Movement) int { return cmp.Compare(a.Date, b.Date) })
	out := map[string]map[Date]int64{}
	bal := map[string]int64{}
	for i, m := range ms {
		bal[m.Partner] += m.Delta()
		end := to.Last()
		if i+1 < len(ms) {
			end = ms[i+1].Date - 1
		}
		for p, b := range bal {
			for d := m.Date; d <= end && b != 0; d++ {
				if out[p] == nil {
					out[p] = map[Date]int64{}
				}
				out[p][d] = b
			}
		}
	}
	return out
}

func replayLines(t *testing.T, h history, from, to Month, r io.Reader) []byte {
	t.Helper()
	rep, err := Replay(context.Background(), ReplayOptions{From: from, To: to, ExpiryMonths: h.expiry, Location: h.loc, Explain: "c0"}, r)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRandomHistoriesKeepTheLedgerInvariants(t *testing.T) {
	locs := []*time.Location{time.UTC, time.FixedZone("UTC-5", -5*3600)}
	if paris, err := time.LoadLocation("Europe/Paris"); err == nil {
		locs = append(locs, paris)
	}
	r := rand.New(rand.NewPCG(2025, 1))
	from, to := MakeMonth(2024, 6), MakeMonth(2027, 6)
	for i := range 400 {
		h := randomHistory(r, locs)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("history %d (expiry %d, %s): %s\n%s", i, h.expiry, h.loc, fmt.Sprintf(format, args...), bytes.Join(toBytes(h.lines), []byte("\n")))
		}

		// Arrival order and re-delivery change nothing, whichever way the
		// input is read.
		want := replayLines(t, h, from, to, bytes.NewReader(joinLines(h.lines)))
		shuffled := slices.Clone(h.lines)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := replayLines(t, h, from, to, bytes.NewReader(joinLines(shuffled))); !bytes.Equal(got, want) {
			fail("shuffled input gives\n%s\nwant\n%s", got, want)
		}
		repeated := slices.Clone(shuffled)
		for _, l := range h.lines {
			if r.IntN(3) == 0 {
				repeated = slices.Insert(repeated, r.IntN(len(repeated)+1), l, "")
			}
		}
		pipe := io.MultiReader(bytes.NewReader(joinLines(repeated))) // cannot seek
		if got := replayLines(t, h, from, to, pipe); !bytes.Equal(got, want) {
			fail("repeated events give\n%s\nwant\n%s", got, want)
		}

		// The Ledger API agrees with Replay, and with the slow oracle.
		events := slices.Clone(h.events)
		r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		SortEvents(events)
		var moves []Movement
		l := New(Options{ExpiryMonths: h.expiry, Location: h.loc, OnMovement: func(m Movement) {
			if m.Amount <= 0 {
				fail("movement %+v has no amount", m)
			}
			moves = append(moves, m)
		}})
		for _, e := range events {
			if e.OccurredAt.After(to.Last().AddDays(1).Start(h.loc)) {
				continue
			}
			if err := l.Add(e); err != nil {
				fail("add: %v", err)
			}
		}
		if err := l.AdvanceTo(to.Last()); err != nil {
			fail("advance: %v", err)
		}
		oracle := oracleCredit(h, to)
		balances := dailyBalances(moves, to)
		for _, p := range []string{"p1", "p2", "p3"} {
			for d := MakeDate(2024, 1, 1); d <= to.Last(); d++ {
				if got, want := balances[p][d], oracle[p][d]; got != want {
					fail("%s on %s: movements add up to %d, oracle says %d", p, d, got, want)
				}
			}
		}
		credit := map[string]int64{}
		for _, c := range l.Credits() {
			if c.Credit < 0 || c.Credit != 0 && c.Credit != c.MRR {
				fail("client credit %+v", c)
			}
			credit[c.Partner] += c.Credit
		}
		for _, p := range l.Summaries(from-1, to) {
			for k, m := range p.Months {
				switch {
				case m.New < 0 || m.Upgraded < 0 || m.Decreased < 0 || m.ExpiredLost < 0:
					fail("%s %s: negative flow %+v", p.Partner, m.Month, m)
				case m.Closing != m.Opening+m.Net():
					fail("%s %s: closing %d != opening %d + net %d", p.Partner, m.Month, m.Closing, m.Opening, m.Net())
				case k > 0 && m.Opening != p.Months[k-1].Closing:
					fail("%s %s: opening %d != previous closing %d", p.Partner, m.Month, m.Opening, p.Months[k-1].Closing)
				case m.Closing != oracle[p.Partner][m.Month.Last()]:
					fail("%s %s: closing %d, oracle says %d", p.Partner, m.Month, m.Closing, oracle[p.Partner][m.Month.Last()])
				case m.Closing < 0:
					fail("%s %s: negative closing", p.Partner, m.Month)
				}
			}
			if last := p.Months[len(p.Months)-1].Closing; last != credit[p.Partner] {
				fail("%s: closing %d != sum of its clients' credit %d", p.Partner, last, credit[p.Partner])
			}
		}
	}
}

func joinLines(lines []string) []byte { return append(bytes.Join(toBytes(lines), []byte("\n")), '\n') }

func toBytes(lines []string) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = []byte(l)
	}
	return out
}
