package credit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// benchEvents is a realistic billing log: 50,000 clients over four years,
// about 20 changes each, mostly credited to the client's own partner.
var benchEvents = sync.OnceValue(func() []Event {
	const clients, perClient = 50_000, 20
	r := rand.New(rand.NewPCG(7, 7))
	products := []string{"marketing-starter", "marketing-professional", "marketing-enterprise", "sales-starter",
		"sales-professional", "service-starter", "service-professional", "content-professional",
		"operations-starter", "operations-professional", "commerce-professional", "data-enterprise"}
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []Event
	for c := range clients {
		client := fmt.Sprintf("acct-%06d", c)
		partner := fmt.Sprintf("partner-%04d", r.IntN(800))
		at := start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		for range perClient {
			at = at.Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
			e := Event{OccurredAt: at.Truncate(time.Second), Partner: partner, Client: client,
				Product: products[r.IntN(4)+r.IntN(9)], MRR: 100 * (10 + r.Int64N(1500))}
			switch r.IntN(20) {
			case 0, 1, 2:
				e.MRR = 0
			case 3:
				e.Partner = fmt.Sprintf("partner-%04d", r.IntN(800))
			}
			evs = append(evs, e)
		}
	}
	slices.SortFunc(evs, func(a, b Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
	for i := range evs {
		evs[i].ID = fmt.Sprintf("evt_%08d", i)
	}
	return evs
})

func benchLines(evs []Event) []byte {
	var b bytes.Buffer
	for _, e := range evs {
		fmt.Fprintf(&b, `{"id":%q,"occurred_at":%q,"partner":%q,"client":%q,"product":%q,"mrr":%d}`+"\n",
			e.ID, e.OccurredAt.Format(time.RFC3339), e.Partner, e.Client, e.Product, e.MRR)
	}
	return b.Bytes()
}

// BenchmarkReplay measures the audit command's work: parsing, the
// duplicate check, the ledger and the summaries. "time-ordered" streams;
// "shuffled" is read twice (the stream gives up, then sorts); "pipe" cannot
// seek and sorts at once.
func BenchmarkReplay(b *testing.B) {
	evs := benchEvents()
	ordered := benchLines(evs)
	shuffled := slices.Clone(evs)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	mixed := benchLines(shuffled)
	opts := ReplayOptions{From: MakeMonth(2022, 1), To: MakeMonth(2026, 12)}
	for _, bc := range []struct {
		name  string
		input []byte
		pipe  bool
	}{
		{"time-ordered", ordered, false},
		{"shuffled", mixed, false},
		{"pipe", mixed, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.input)))
			n := 0
			for b.Loop() {
				var r io.Reader = bytes.NewReader(bc.input)
				if bc.pipe {
					r = io.MultiReader(r)
				}
				rep, err := Replay(context.Background(), opts, r)
				if err != nil || len(rep.Partners) == 0 {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n*len(evs))/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkLedgerAdd measures the ledger alone, fed parsed events in
// client order, as the daily refresh will.
func BenchmarkLedgerAdd(b *testing.B) {
	evs := slices.Clone(benchEvents())
	SortEvents(evs)
	n := 0
	for b.Loop() {
		l := New(Options{})
		for _, e := range evs {
			if err := l.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.AdvanceTo(MakeDate(2026, 12, 31)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n*len(evs))/b.Elapsed().Seconds(), "events/s")
}
