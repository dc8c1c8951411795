package refresh

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
	"github.com/partnerdesk/partnerdesk/store"
)

// runCredit brings the credit snapshot to st.Day and evaluates the tiers
// on it: the ledger over every event when any came (or fell due) since
// the last snapshot, otherwise only the expiries since its day.
func runCredit(ctx context.Context, db *store.DB, prog pd.Program, st *Stats, opts Options, say func(string, ...any)) error {
	cs, err := db.CreditState(ctx)
	if err != nil {
		return err
	}
	maxID, err := db.MaxBillingEventID(ctx)
	if err != nil {
		return err
	}
	// The day is judged by the tier rules in force on it.
	rules, err := db.TierRules(ctx)
	if err != nil {
		return err
	}
	policy := rules.On(st.Day)
	links, err := db.CreditLinks(ctx)
	if err != nil {
		return err
	}
	st.Mode = creditMode(cs, maxID, int64(len(links)), st.Day, prog, opts.Full)
	pub := store.CreditSnapshot{Snapshot: cs.Snapshot, AsOf: st.Day, Advance: st.Mode == ModeExpiries,
		Events: cs.Events, MaxEventID: cs.MaxEventID, LaterEvents: cs.LaterEvents,
		ExpiryMonths: prog.CreditExpiryMonths, TimeZone: prog.TimeZone, Links: cs.Links}
	switch st.Mode {
	case ModeFull:
		say("credit: running the ledger over the billing events (up to id %d)", maxID)
		pub.Snapshot, pub.MaxEventID, pub.Links = cs.Snapshot+1, maxID, int64(len(links))
		start := time.Now()
		if err := writeSnapshot(ctx, db, prog, pub.Snapshot, st, maxID, links, &pub, say); err != nil {
			return err
		}
		say("credit: snapshot %d written in %s", pub.Snapshot, time.Since(start).Round(100*time.Millisecond))
	case ModeExpiries:
		say("credit: no new billing event since %s; moving the snapshot to %s", cs.AsOf, st.Day)
	default:
		say("credit: no new billing event since this morning's refresh")
	}

	// Tiers, on the snapshot as it stands on the day.
	start := time.Now()
	inputs, err := db.TierInputs(ctx, pub.Snapshot, st.Day, soldAfter(st.Day), cs.LastReview)
	if err != nil {
		return err
	}
	say("tiers: figures of %d partners gathered in %s", len(inputs), time.Since(start).Round(100*time.Millisecond))
	pub.Tiers, pub.Review, pub.LastReview = evaluate(policy, inputs, st.Day, cs.LastReview, st)
	st.Partners = len(pub.Tiers)
	if st.Expired, err = db.PublishCreditSnapshot(ctx, pub); err != nil {
		return err
	}
	if st.Mode == ModeExpiries {
		say("credit: %d clients' credit expired", st.Expired)
	}
	if pub.Review.IsZero() {
		say("tiers: %d partners evaluated", st.Partners)
	} else {
		say("tiers: %d partners evaluated; review of %s applied: %d promoted, %d demoted", st.Partners, pub.Review, st.Promoted, st.Demoted)
	}
	if st.Mode == ModeFull {
		start := time.Now()
		if err := db.DropOldCreditSnapshots(ctx); err != nil {
			return err
		}
		say("credit: the previous snapshot dropped in %s", time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

// creditMode decides what the credit needs. Billing events are only ever
// added, with growing ids, so the largest id tells whether any came; and
// a confirmed link stays confirmed, so their count tells whether one was.
func creditMode(cs store.CreditState, maxID, links int64, day pd.Date, prog pd.Program, full bool) string {
	switch {
	case full || !cs.Found || cs.MaxEventID != maxID || cs.Links != links || day.Before(cs.AsOf),
		cs.ExpiryMonths != prog.CreditExpiryMonths || cs.TimeZone != prog.TimeZone,
		cs.LaterEvents > 0 && day.After(cs.AsOf): // events dated after the last snapshot may fall due
		return ModeFull
	case day.After(cs.AsOf):
		return ModeExpiries
	}
	return ModeUnchanged
}

// soldAfter is the day before the twelve months in which a partner's
// sales count towards its app usage: the last day whose sales no longer
// hold credit on day under the default expiry, so that a sale on a later
// day would. Twelve months back is that day, except on a 28 February after
// a leap day: a sale on 29 February expires on the 28th too (the expiry is
// clamped to the month's end), so it no longer counts.
func soldAfter(day pd.Date) pd.Date {
	d := toCredit(day)
	s := d.AddMonths(-12)
	for (s + 1).AddMonths(12) <= d {
		s++
	}
	return toPD(s)
}

func toCredit(d pd.Date) credit.Date {
	t := d.Time()
	return credit.MakeDate(t.Year(), t.Month(), t.Day())
}

func toPD(d credit.Date) pd.Date { return pd.NewDate(d.Civil()) }

// progressEvery is how often the ledger reports progress.
const progressEvery = 2_000_000

// parts is how many ranges of clients are read and folded at once: clients
// are independent in the ledger, and reading is most of the work.
func parts() int { return min(4, max(1, runtime.GOMAXPROCS(0))) }

// writeSnapshot runs the ledger over every billing event, streamed from
// the store client by client, and writes the new snapshot's rows while it
// goes. The clients are cut into ranges read at once, each by a goroutine
// that a second one folds into its own credit.Stream; the partners' months
// are the sum of the streams'.
func writeSnapshot(ctx context.Context, db *store.DB, prog pd.Program, snapshot int64, st *Stats, maxID int64,
	links []store.CreditLink, pub *store.CreditSnapshot, say func(string, ...any)) error {
	start := time.Now()
	asOf := toCredit(st.Day)
	lo, hi, err := db.LedgerClients(ctx)
	if err != nil {
		return err
	}
	return db.WriteCreditSnapshot(ctx, snapshot, func(w *store.CreditWriter) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		n := parts()
		folders := make([]*folder, n)
		errs := make([]error, n)
		var events atomic.Int64
		var next atomic.Int64
		next.Store(progressEvery)
		var wg sync.WaitGroup
		for i := range n {
			f := newFolder(w, prog, asOf, links)
			folders[i] = f
			from, to := lo+(hi-lo+1)*int64(i)/int64(n), lo+(hi-lo+1)*int64(i+1)/int64(n)
			wg.Go(func() {
				errs[i] = f.run(ctx, db, from, to, func(k int) {
					if e := events.Add(int64(k)); e >= next.Load() {
						next.Add(progressEvery)
						say("credit: %s events read (about %d%%), %s", group(e), min(99, 100*e/max(maxID, 1)), time.Since(start).Round(time.Second))
					}
				})
				if errs[i] != nil {
					cancel()
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		months, err := writeMonths(w, folders, asOf)
		if err != nil {
			return err
		}
		st.Events = events.Load()
		for _, f := range folders {
			st.Clients += f.rows
			pub.LaterEvents += int64(f.stream.Skipped())
		}
		pub.Events = st.Events
		say("credit: %s events, %s client rows and %s partner-months in %s; writing them", group(st.Events), group(st.Clients),
			group(months), time.Since(start).Round(time.Second))
		return nil
	})
}

// run reads the events of clients [from, to) on a goroutine and folds
// them on this one.
func (f *folder) run(ctx context.Context, db *store.DB, from, to int64, progress func(int)) error {
	batches := make(chan []store.LedgerEvent, 8)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- db.StreamLedgerEvents(ctx, from, to, func(b []store.LedgerEvent) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for b := range batches {
		if err := f.add(b); err != nil {
			for range batches { // let the reader stop
			}
			<-readErr
			return err
		}
		progress(len(b))
	}
	if err := <-readErr; err != nil {
		return err
	}
	f.stream.Close()
	return f.err
}

// writeMonths writes every partner's months, summed over the streams, from
// its first with credit to the snapshot's.
func writeMonths(w *store.CreditWriter, folders []*folder, asOf credit.Date) (int64, error) {
	minAt := folders[0].minAt
	for _, f := range folders {
		minAt = min(minAt, f.minAt)
	}
	first := credit.DateOf(time.Unix(minAt, 0), time.UTC) - 2 // a day's margin for any time zone
	byPartner := map[string][]credit.MonthSummary{}
	var names []string
	for _, f := range folders {
		for _, ps := range f.stream.Summaries(first.Month(), asOf.Month()) {
			sum := byPartner[ps.Partner]
			if sum == nil {
				names = append(names, ps.Partner)
				byPartner[ps.Partner] = ps.Months
				continue
			}
			for i, m := range ps.Months {
				sum[i].Opening += m.Opening
				sum[i].New += m.New
				sum[i].Upgraded += m.Upgraded
				sum[i].Decreased += m.Decreased
				sum[i].ExpiredLost += m.ExpiredLost
				sum[i].Closing += m.Closing
			}
		}
	}
	slices.Sort(names)
	var n int64
	for _, name := range names {
		if name == noPartner {
			continue
		}
		id, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			return n, err
		}
		started := false
		for _, m := range byPartner[name] {
			if !started && m.Opening == 0 && m.Closing == 0 && m.New == 0 && m.Upgraded == 0 && m.Decreased == 0 && m.ExpiredLost == 0 {
				continue
			}
			started = true
			y, mm := m.Month.Civil()
			if err := w.Month(id, pd.CreditMonth{Month: pd.NewDate(y, mm, 1), Opening: m.Opening, New: m.New,
				Upgraded: m.Upgraded, Decreased: m.Decreased, ExpiredLost: m.ExpiredLost, Closing: m.Closing}); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// folder turns events into a stream's movements and the stream's clients
// into snapshot rows.
type folder struct {
	w      *store.CreditWriter
	stream *credit.Stream
	asOf   credit.Date
	minAt  int64 // the earliest event's Unix time: the months start there

	// The open client's movements, until the stream closes it.
	moves []credit.Movement
	err   error
	rows  int64

	clientID   int64
	clientName string
	partners   map[int64]string
	partnerIDs map[string]int64
}

// noPartner names events that credit no partner: a purchase without one
// still takes the credit from the partner before, and belongs to no one
// unless a confirmed link credits it.
const noPartner = credit.NoPartner

// newFolder starts a folder whose stream credits events without a partner
// through links.
func newFolder(w *store.CreditWriter, prog pd.Program, asOf credit.Date, links []store.CreditLink) *folder {
	f := &folder{w: w, asOf: asOf, minAt: asOf.Start(time.UTC).Unix(), clientID: -1,
		partners: map[int64]string{0: noPartner}, partnerIDs: map[string]int64{}}
	cl := make([]credit.Link, len(links))
	for i, l := range links {
		p := strconv.FormatInt(l.PartnerID, 10)
		f.partners[l.PartnerID], f.partnerIDs[p] = p, l.PartnerID
		cl[i] = credit.Link{ID: strconv.FormatInt(l.ID, 10), Partner: p, Client: strconv.FormatInt(l.ClientID, 10),
			Products: l.Products, From: toCredit(l.From), To: toCredit(l.To)}
	}
	f.stream = credit.NewStream(credit.Options{ExpiryMonths: prog.CreditExpiryMonths, Location: prog.Location(),
		OnMovement: func(m credit.Movement) { f.moves = append(f.moves, m) }, Links: cl}, asOf, f.client)
	return f
}

func (f *folder) add(batch []store.LedgerEvent) error {
	for i := range batch {
		e := &batch[i]
		if e.ClientID != f.clientID {
			f.clientID, f.clientName = e.ClientID, strconv.FormatInt(e.ClientID, 10)
		}
		p, ok := f.partners[e.PartnerID]
		if !ok {
			p = strconv.FormatInt(e.PartnerID, 10)
			f.partners[e.PartnerID], f.partnerIDs[p] = p, e.PartnerID
		}
		if err := f.stream.Add(credit.Event{OccurredAt: e.At, Partner: p, Client: f.clientName, Product: e.Product, MRR: e.MRR}); err != nil {
			return fmt.Errorf("credit of client %d: %w", e.ClientID, err)
		}
		if f.err != nil {
			return f.err
		}
		f.minAt = min(f.minAt, e.At.Unix())
	}
	return nil
}

// client writes a closed client's rows: one per partner it moved credit
// for.
func (f *folder) client(cc credit.ClientCredit) {
	defer func() { f.moves = f.moves[:0] }()
	if f.err != nil || len(f.moves) == 0 {
		return
	}
	clientID, err := strconv.ParseInt(cc.Client, 10, 64)
	if err != nil {
		f.err = err
		return
	}
	// Movements come in date order; a client has one partner or a few.
	done := map[string]bool{}
	for _, m := range f.moves {
		if done[m.Partner] || m.Partner == noPartner {
			continue
		}
		done[m.Partner] = true
		r := store.ClientRow{PartnerID: f.partnerIDs[m.Partner], ClientID: clientID}
		for _, mm := range f.moves {
			if mm.Partner != m.Partner {
				continue
			}
			r.Movements = append(r.Movements, mm)
			if mm.Delta() > 0 {
				r.LastSale = toPD(mm.Date)
			}
		}
		if cc.Partner == m.Partner {
			r.Credit, r.LastPurchase, r.Expires = cc.Credit, toPD(cc.LastPurchase), toPD(cc.Expires)
		}
		if f.err = f.w.Client(r); f.err != nil {
			return
		}
		f.rows++
	}
}

// evaluate judges every partner on the day and, on the first refresh on or
// after a review date, applies the review. The first refresh ever takes the
// tiers as they are: reviews apply from the next review date.
func evaluate(policy pd.TierPolicy, inputs []store.TierInput, day, lastReview pd.Date, st *Stats) (rows []store.TierRow, review, last pd.Date) {
	due := policy.LastReview(day)
	last = lastReview
	switch {
	case lastReview.IsZero():
		last = due
	case due.After(lastReview):
		review, last = due, due
		st.Review = due
	}
	rows = make([]store.TierRow, len(inputs))
	for i, in := range inputs {
		perf := pd.Performance{SoldCredit: in.SoldCredit, ManagedMRR: in.ManagedMRR, UsageX2: pd.MedianX2(in.Usage),
			Certified: in.Certified, Invited: in.Invited}
		tier := policy.PerformanceTier(perf)
		r := store.TierRow{PartnerID: in.PartnerID, Performance: tier.Code, Assigned: in.Assigned, SoldCredit: in.SoldCredit,
			ManagedMRR: in.ManagedMRR, ManagedClients: in.ManagedClients, UsageX2: perf.UsageX2, UsageClients: len(in.Usage),
			Certified: in.Certified, Below: in.Below}
		if !review.IsZero() {
			assigned := policy.Tier(in.Assigned)
			rv := policy.Review(assigned, tier, in.Below)
			r.Assigned, r.Below = rv.Assigned.Code, rv.Below
			switch {
			case rv.Assigned.Rank > assigned.Rank:
				st.Promoted++
			case rv.Assigned.Rank < assigned.Rank:
				st.Demoted++
			}
		}
		rows[i] = r
	}
	return rows, review, last
}

// group writes n with thousands separators, for progress lines.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
