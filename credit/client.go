package credit

// clientState is everything the ledger remembers about one client. It is
// all the memory the ledger needs per client: events are folded in as
// their day closes, so nothing here grows with the client's history
// except the short list of partners it has been credited to.
type clientState struct {
	name     string
	short    [shortName]byte // the name's first bytes, see clientIndex
	lines    []line          // product lines with MRR > 0
	pending  []dayEvent      // events of the open day, in arrival order
	credited []int32         // partners credited on a purchase so far
	// purchaseID is the event that credited the last purchase; an expiry
	// cites it as the reason.
	purchaseID string
	// purchaseLink is the confirmation link that credited it (see dayEvent.link).
	purchaseLink int32
	total        int64 // MRR at the end of the last closed day
	credit       int64 // 0 or total (docs/credit.md, rule 3)
	open         Date  // the day of pending
	purchase     Date  // last purchase day, if owner >= 0
	expires      Date  // purchase + expiry months, if owner >= 0
	owner        int32 // partner credited on the last purchase; -1 before any
}

type line struct {
	product int32
	mrr     int64
}

type dayEvent struct {
	at      int64 // Unix nanoseconds: the order within a day, then id
	id      string
	partner int32
	product int32
	mrr     int64
	link    int32 // the confirmation link that credited the event: its index + 1, 0 for none
}

func (a *dayEvent) before(b *dayEvent) bool {
	return a.at < b.at || a.at == b.at && a.id < b.id
}

func (c *clientState) setLine(product int32, mrr int64) {
	for i := range c.lines {
		if c.lines[i].product == product {
			c.total += mrr - c.lines[i].mrr
			if mrr == 0 {
				c.lines[i] = c.lines[len(c.lines)-1]
				c.lines = c.lines[:len(c.lines)-1]
			} else {
				c.lines[i].mrr = mrr
			}
			return
		}
	}
	if mrr != 0 {
		c.lines = append(c.lines, line{product, mrr})
		c.total += mrr
	}
}

// purchaseIDs cites the event that credited the last purchase, the reason
// of an expiry (none for a Stream's events without ids).
func (c *clientState) purchaseIDs() []string {
	if c.purchaseID == "" {
		return nil
	}
	return []string{c.purchaseID}
}

func (c *clientState) wasCredited(partner int32) bool {
	for _, p := range c.credited {
		if p == partner {
			return true
		}
	}
	return false
}

// sortPending orders the open day's events by time then id. A client has
// a handful of events a day, so insertion sort beats anything cleverer.
func (c *clientState) sortPending() {
	p := c.pending
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].before(&p[j-1]); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// expireThrough ends the client's credit if it expired on or before day.
// Rule 4 of docs/credit.md: the credit ends at the start of its expiry
// day, so the movement is dated that day even when the ledger only
// notices it later.
func (l *Ledger) expireThrough(ci int32, day Date) {
	c := &l.clients[ci]
	if c.credit > 0 && c.expires <= day {
		l.move(c.expires, c.owner, ci, KindExpired, c.credit, c.purchaseIDs)
		c.credit = 0
	}
}

// closeDay folds the open day's events into the client's state and emits
// the day's movements (rules 1–6 of docs/credit.md).
func (l *Ledger) closeDay(ci int32) {
	c := &l.clients[ci]
	day := c.open
	l.expireThrough(ci, day-1)
	c.sortPending()

	prevTotal, prevCredit, prevOwner := c.total, c.credit, c.owner
	for i := range c.pending {
		c.setLine(c.pending[i].product, c.pending[i].mrr)
	}
	// Rules 1 and 2: a purchase is a rise of the day-end total, so a
	// same-day swap of products of equal MRR is none.
	purchase := c.total > prevTotal
	if purchase {
		// Rule 2: the day's last event names the partner.
		last := &c.pending[len(c.pending)-1]
		c.owner, c.purchaseID, c.purchaseLink = last.partner, last.id, last.link
		c.purchase, c.expires = day, day.AddMonths(l.months)
	}
	c.credit = 0
	if c.owner >= 0 && day < c.expires && c.total > 0 {
		c.credit = c.total
	}

	var ids []string
	dayIDs := func() []string {
		if ids == nil && c.pending[0].id != "" { // a Stream's events may come without ids
			ids = make([]string, len(c.pending))
			for i := range c.pending {
				ids[i] = c.pending[i].id
			}
		}
		return ids
	}
	switch {
	case c.owner != prevOwner && prevCredit > 0:
		l.move(day, prevOwner, ci, KindTransferred, prevCredit, dayIDs)
		l.move(day, c.owner, ci, l.gainKind(c), c.credit, dayIDs)
	case prevCredit == 0 && c.credit > 0:
		l.move(day, c.owner, ci, l.gainKind(c), c.credit, dayIDs)
	case c.credit > prevCredit:
		l.move(day, c.owner, ci, KindUpgraded, c.credit-prevCredit, dayIDs)
	case c.credit > 0 && c.credit < prevCredit:
		l.move(day, c.owner, ci, KindDecreased, prevCredit-c.credit, dayIDs)
	case c.credit == 0 && prevCredit > 0 && day >= c.expires:
		// The day's events changed the MRR, but the credit had already
		// gone at the start of the day.
		l.move(day, c.owner, ci, KindExpired, prevCredit, c.purchaseIDs)
	case c.credit == 0 && prevCredit > 0:
		l.move(day, c.owner, ci, KindLost, prevCredit, dayIDs)
	}
	if purchase && c.owner != prevOwner && !c.wasCredited(c.owner) {
		c.credited = append(c.credited, c.owner)
	}
	clear(c.pending) // drop the id strings
	c.pending = c.pending[:0]
	if day > l.latest {
		l.latest = day
	}
}

// gainKind classifies 0 → x: new, or returning if this client's credit
// belonged to the partner before.
func (l *Ledger) gainKind(c *clientState) Kind {
	if c.wasCredited(c.owner) {
		return KindReturning
	}
	return KindNew
}
