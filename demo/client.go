package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Pricing, in cents per month. A product is hub × edition; its index in
// pd.Products is hub*3 + edition-1.
var (
	// basePrice[hub][edition-1] at the edition's smallest contact tier.
	basePrice = [5][3]int64{
		{2000, 80000, 360000}, // marketing
		{2000, 90000, 375000}, // sales
		{2000, 90000, 375000}, // service
		{2500, 80000, 380000}, // operations
		{2500, 80000, 360000}, // content
	}
	// contactTiers[edition-1] are the contact tiers on offer, and
	// tierPrice the price of each relative to the first, in basis points.
	contactTiers = [3][]int64{{1000, 2000, 5000}, {2000, 5000, 10000, 20000}, {10000, 20000, 50000, 100000}}
	tierPrice    = [3][]int64{{10000, 15000, 25000}, {10000, 13000, 17000, 22500}, {10000, 10800, 12000, 13200}}
	// Sales and service are sold by the seat: some are included, more
	// cost seatPrice each.
	includedSeats = [3]int{2, 5, 10}
	maxExtraSeats = [3]int16{3, 10, 20}
	seatPrice     = [3]int64{800, 3000, 5000}
	// Hub popularity for a first purchase.
	hubWeights = [5]int{45, 25, 18, 4, 8}
)

const (
	hubMarketing = iota
	hubSales
	hubService
	hubOperations
	hubContent
	nProducts = 15
)

func seatHub(hub int) bool { return hub == hubSales || hub == hubService }

// Values boxed once: passing them to Insert costs no allocation.
var (
	productCodes = func() []any {
		v := make([]any, len(pd.Products))
		for i, p := range pd.Products {
			v[i] = p.Code
		}
		return v
	}()
	relNames = map[pd.Relationship]any{pd.RelSold: string(pd.RelSold), pd.RelManaged: string(pd.RelManaged),
		pd.RelSoldManaged: string(pd.RelSoldManaged)}
)

type lineState struct {
	mrr      int64
	uplift   int32 // price relative to list, basis points
	extra    int16 // seats beyond the included ones
	tier     int8  // index into contactTiers
	discount int8  // percent
	used     bool  // the line exists (had an event)
	leaving  bool  // cancels at the next anniversary
	last     int32 // index of its last event in client.events
}

func (l *lineState) price(product int) int64 {
	hub, ed := product/3, product%3
	v := basePrice[hub][ed] * tierPrice[ed][l.tier] / 10000
	if seatHub(hub) {
		v += int64(l.extra) * seatPrice[ed]
	}
	v = v * int64(l.uplift) / 10000
	return v * int64(100-int(l.discount)) / 100
}

type event struct {
	day     day
	sec     int32 // local time, seconds after midnight
	product int8
	mrr     int64
}

// How a client relates to its partners.
const (
	caseSoldManaged    = iota // p sold it and manages it
	caseSold                  // p sold it
	caseManagedSoldByQ        // q sold it, p manages it
	caseSoldManagedByQ        // p sold it, q manages it
	caseTransfer              // r sold and managed it until the switch, p since
	caseTakeover              // r sold and managed it until the switch, p manages it since
)

// client is the state of the client being generated; one is reused for
// all of them.
type client struct {
	id         int64
	idv        any
	pcg        *rand.PCG
	r          *rand.Rand
	p, q, f    int // main, second and former partner indexes; -1 = none
	relCase    int
	start      day // first purchase
	switchDay  day
	secondDay  day // the second partner's start
	employees  int
	country    int
	size       int     // 0 small, 1 mid, 2 large
	gap        float64 // mean days between changes
	propensity float64 // share of included tools it adopts

	lines   [nProducts]lineState
	events  []event
	leaving bool // churning at the next anniversary
	lastDay day
	lastSec int32

	adopt [32]float64 // per tool, adopted when below propensity
	extra int         // a tool it uses without paying for, or -1
	usage []usageRow
}

type usageRow struct {
	day          day
	tools        int64
	active, seat int
}

func (c *client) reset(g *generator, id int64) {
	if c.pcg == nil {
		c.pcg = rand.NewPCG(0, 0)
		c.r = rand.New(c.pcg)
	}
	c.pcg.Seed(g.seed, 1<<40|uint64(id))
	r := c.r
	c.id, c.idv = id, id
	c.p, c.q, c.f = int(g.partnerOf[id-1]), -1, -1
	c.lines = [nProducts]lineState{}
	c.events = c.events[:0]
	c.usage = c.usage[:0]
	c.leaving = false
	c.lastDay = 0

	span := int(g.today - g.first)
	if r.IntN(100) < 35 {
		c.start = g.first + day(r.IntN(90)) // a client since before the history
	} else {
		c.start = g.first + day(r.IntN(span-7))
	}
	c.employees = int(math.Min(20000, math.Max(2, math.Exp(3.2+1.3*r.NormFloat64()))))
	switch {
	case c.employees < 20:
		c.size = 0
	case c.employees < 200:
		c.size = 1
	default:
		c.size = 2
	}
	if r.IntN(100) < 65 {
		c.country = countryIndex[g.partners[c.p].country]
	} else {
		c.country = pickCountry(r)
	}
	c.gap = math.Max(4, math.Exp(math.Log(23)+0.55*r.NormFloat64()))

	// Relationships; partner 1 is only ever a main partner, so its count of
	// active clients is exact.
	c.relCase = caseSoldManaged
	tenure := int(g.today - c.start)
	switch k := r.IntN(100); {
	case k < 60:
	case k < 80:
		c.relCase = caseSold
	case k < 86:
		c.relCase = caseManagedSoldByQ
	case k < 90:
		c.relCase = caseSoldManagedByQ
	case tenure > 200 && k < 95:
		c.relCase = caseTransfer
	case tenure > 200:
		c.relCase = caseTakeover
	}
	switch c.relCase {
	case caseManagedSoldByQ, caseSoldManagedByQ:
		c.q = g.otherPartner(r, c.p, true)
		c.secondDay = min(g.today-1, c.start+day(r.IntN(120)))
	case caseTransfer, caseTakeover:
		c.f = g.otherPartner(r, c.p, false)
		c.switchDay = c.start + 90 + day(r.IntN(tenure-120))
	}

	// Engagement: low, medium or high adopters of what they pay for.
	switch k := r.IntN(100); {
	case k < 30:
		c.propensity = 0.05 + 0.25*r.Float64()
	case k < 75:
		c.propensity = 0.3 + 0.35*r.Float64()
	default:
		c.propensity = 0.65 + 0.33*r.Float64()
	}
	for i := range c.adopt {
		c.adopt[i] = r.Float64()
	}
	c.extra = -1
	if r.IntN(10) == 0 {
		c.extra = r.IntN(len(pd.Tools))
	}
}

// otherPartner picks a partner other than p (and other than the first
// when it must not gain an active client).
func (g *generator) otherPartner(r *rand.Rand, p int, notFirst bool) int {
	lo := 0
	if notFirst {
		lo = 1
	}
	for {
		if q := lo + r.IntN(len(g.partners)-lo); q != p {
			return q
		}
	}
}

// credited is the partner credited on an event of day z: the one that
// sold the client then, occasionally another one.
func (c *client) credited(g *generator, z day) int {
	if c.r.IntN(50) == 0 {
		return g.otherPartner(c.r, -1, false)
	}
	switch c.relCase {
	case caseManagedSoldByQ:
		return c.q
	case caseTransfer, caseTakeover:
		if z < c.switchDay {
			return c.f
		}
	}
	return c.p
}

// set changes a line and records the event if its MRR moved.
func (c *client) set(z day, product int, l lineState) {
	l.mrr = l.price(product)
	if l.leaving && l.mrr == 0 {
		l.leaving = false
	}
	old := c.lines[product]
	l.used = old.used || l.mrr != old.mrr // a line exists once it has an event
	c.lines[product] = l
	if l.mrr == old.mrr {
		return
	}
	sec := int32(8*3600 + c.r.IntN(10*3600))
	if z == c.lastDay {
		sec = min(c.lastSec+1+int32(c.r.IntN(900)), 86399)
	}
	c.lastDay, c.lastSec = z, sec
	c.lines[product].last = int32(len(c.events))
	c.events = append(c.events, event{day: z, sec: sec, product: int8(product), mrr: l.mrr})
}

func (c *client) cancel(z day, product int) {
	l := c.lines[product]
	l.uplift, l.leaving = 0, false
	c.set(z, product, l)
}

// buy starts (or restarts) a product line.
func (c *client) buy(z day, hub int, ed pd.Edition) {
	r := c.r
	l := lineState{uplift: 10000}
	tiers := len(contactTiers[ed-1])
	l.tier = int8(min(tiers-1, max(0, c.size-1+r.IntN(2))))
	if seatHub(hub) {
		l.extra = min(maxExtraSeats[ed-1], int16([]int{r.IntN(2), r.IntN(6), 2 + r.IntN(19)}[c.size]))
	}
	switch k := r.IntN(10); {
	case k == 0:
		l.discount = 20
	case k < 3:
		l.discount = 10
	}
	c.set(z, hub*3+int(ed)-1, l)
}

func (c *client) pickEdition() pd.Edition {
	k := c.r.IntN(100)
	switch c.size {
	case 0:
		return [3]pd.Edition{pd.Starter, pd.Professional, pd.Enterprise}[min(2, b2i(k >= 75)+b2i(k >= 98))]
	case 1:
		return [3]pd.Edition{pd.Starter, pd.Professional, pd.Enterprise}[b2i(k >= 35)+b2i(k >= 90)]
	}
	return [3]pd.Edition{pd.Starter, pd.Professional, pd.Enterprise}[b2i(k >= 10)+b2i(k >= 65)]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *client) pickHub() int {
	k := c.r.IntN(100)
	for h, w := range hubWeights {
		if k -= w; k < 0 {
			return h
		}
	}
	return hubMarketing
}

// activeLine is the active line of hub, or -1.
func (c *client) activeLine(hub int) int {
	for p := hub * 3; p < hub*3+3; p++ {
		if c.lines[p].mrr > 0 {
			return p
		}
	}
	return -1
}

func annual(product int) bool { return product%3 > 0 }

// simulate plays the client's three years: a first purchase, then changes
// at random intervals and price reviews at each anniversary.
func (c *client) simulate(g *generator) {
	r := c.r
	hub := c.pickHub()
	c.buy(c.start, hub, c.pickEdition())
	if r.IntN(8) == 0 {
		if h := c.pickHub(); h != hub {
			c.buy(c.start, h, pd.Starter+pd.Edition(r.IntN(2)))
		}
	}
	next := c.start + c.nextGap()
	k := 1
	anniv := c.start.addMonths(12)
	for {
		if anniv <= next {
			if anniv >= g.today {
				return
			}
			c.anniversary(anniv)
			k++
			anniv = c.start.addMonths(12 * k)
			continue
		}
		if next >= g.today {
			return
		}
		c.act(next)
		next += c.nextGap()
	}
}

func (c *client) nextGap() day {
	return day(1 + c.r.ExpFloat64()*c.gap)
}

// anniversary renews the annual lines: a price uplift for most, some
// downsizing, and the cancellations decided during the year.
func (c *client) anniversary(z day) {
	r := c.r
	for p := range nProducts {
		l := c.lines[p]
		if l.mrr == 0 || !annual(p) {
			continue
		}
		if l.leaving || c.leaving {
			c.cancel(z, p)
			continue
		}
		if r.IntN(100) < 55 {
			l.uplift += int32(300 + r.IntN(301))
		}
		if r.IntN(100) < 6 && l.tier > 0 {
			l.tier--
		}
		if seatHub(p/3) && l.extra > 0 && r.IntN(10) == 0 {
			l.extra -= int16(1 + r.IntN(int(l.extra)))
		}
		c.set(z, p, l)
	}
	c.leaving = false
}

// act applies one change on day z: seats, contact tier, add-on, edition
// upgrade, discount, cancellation or churn — or a win-back after churn.
func (c *client) act(z day) {
	r := c.r
	var active [nProducts]int
	n := 0
	for p := range nProducts {
		if c.lines[p].mrr > 0 {
			active[n] = p
			n++
		}
	}
	if n == 0 {
		if r.IntN(8) == 0 { // win-back
			c.buy(z, c.pickHub(), pd.Starter+pd.Edition(r.IntN(2)))
		}
		return
	}
	if c.leaving {
		return
	}
	p := active[r.IntN(n)]
	l := c.lines[p]
	hub, ed := p/3, p%3
	switch k := r.IntN(100); {
	case k < 30: // seats (or contacts, for hubs not sold by the seat)
		if seatHub(hub) {
			if !annual(p) && l.extra > 0 && r.IntN(3) == 0 {
				l.extra -= int16(1 + r.IntN(int(min(l.extra, 3))))
			} else if l.extra < maxExtraSeats[ed] {
				l.extra = min(maxExtraSeats[ed], l.extra+int16(1+r.IntN(3)))
			}
			c.set(z, p, l)
			return
		}
		fallthrough
	case k < 53: // contact tier up
		if int(l.tier) < len(contactTiers[ed])-1 {
			l.tier++
			c.set(z, p, l)
		}
	case k < 61: // contact tier down (monthly lines; annual ones wait)
		if l.tier > 0 && !annual(p) {
			l.tier--
			c.set(z, p, l)
		}
	case k < 68: // add-on: a hub it does not have
		h := c.pickHub()
		if c.activeLine(h) < 0 {
			e := pd.Edition(ed + 1)
			if e > pd.Starter && r.IntN(5) < 2 {
				e--
			}
			c.buy(z, h, e)
		}
	case k < 71: // edition upgrade: the new line replaces the old one
		if ed < 2 {
			nl := lineState{uplift: 10000, extra: l.extra, discount: l.discount}
			contacts := contactTiers[ed][l.tier]
			for nl.tier = 0; int(nl.tier) < len(contactTiers[ed+1])-1 && contactTiers[ed+1][nl.tier] < contacts; nl.tier++ {
			}
			c.cancel(z, p)
			c.set(z, p+1, nl)
		}
	case k < 90: // a promotion ends, or a retention discount starts
		if l.discount > 0 {
			l.discount = 0
		} else {
			l.discount = 10
		}
		c.set(z, p, l)
	case k < 98: // drops a line (annual ones at the anniversary)
		if n > 1 {
			if annual(p) {
				c.lines[p].leaving = true
			} else {
				c.cancel(z, p)
			}
		}
	default: // churn: monthly lines now, annual ones at the anniversary
		hasAnnual := false
		for _, q := range active[:n] {
			if annual(q) {
				hasAnnual = true
			} else {
				c.cancel(z, q)
			}
		}
		c.leaving = hasAnnual
	}
}

// mask is the product mask of the lines with MRR.
func (c *client) mask() int64 {
	var m int64
	for p := range nProducts {
		if c.lines[p].mrr > 0 {
			m |= pd.Products[p].Mask()
		}
	}
	return m
}

// snapshots computes the usage rows by replaying the events up to each
// snapshot day: the tools it has adopted among those its products
// include (adoption grows in the first months), plus at times one it does
// not pay for.
func (c *client) snapshots(g *generator) {
	var mrr [nProducts]int64
	e := 0
	baseSeats := 1 + min(c.employees/8, 300)
	for _, sd := range g.snapshotDays {
		if sd < c.start {
			continue
		}
		for ; e < len(c.events) && c.events[e].day <= sd; e++ {
			mrr[c.events[e].product] = c.events[e].mrr
		}
		var mask int64
		seats := baseSeats
		for p, v := range mrr {
			if v > 0 {
				mask |= pd.Products[p].Mask()
				if seatHub(p / 3) {
					seats += includedSeats[p%3]
				}
			}
		}
		u := usageRow{day: sd, seat: seats}
		if mask != 0 {
			ramp := math.Min(1, 0.4+float64(sd-c.start)/300)
			inc := g.includedTools(mask)
			for _, t := range pd.Tools {
				if inc&t.Mask() != 0 && c.adopt[t.Bit] < c.propensity*ramp {
					u.tools |= t.Mask()
				}
			}
			if c.extra >= 0 && sd-c.start > 60 {
				u.tools |= pd.Tools[c.extra].Mask()
			}
			share := (0.2 + 0.75*c.propensity) * (0.85 + 0.3*c.adopt[31])
			u.active = max(1, min(seats, int(math.Round(float64(seats)*share))))
		}
		c.usage = append(c.usage, u)
	}
}

// renewalPlan is a client's next renewal, decided before its rows are
// queued because the client's communication owner and its lines'
// auto-renewal follow from it.
type renewalPlan struct {
	date                       day
	kind, owner, status        string
	current, proposed, contact int64
	contacts, proposedContacts int64
	manualLines                bool // its lines do not renew by themselves
}

// includedTools is pd.IncludedTools, remembered per product mask (there
// are 2^15 of them, and millions of snapshots).
func (g *generator) includedTools(mask int64) int64 {
	if g.included == nil {
		g.included = make([]int64, 1<<nProducts)
	}
	if v := g.included[mask]; v != 0 {
		return v
	}
	v := pd.IncludedTools(mask)
	g.included[mask] = v
	return v
}

// client generates client id and queues all its rows.
func (g *generator) client(id int64) {
	c := &g.c
	c.reset(g, id)
	c.simulate(g)
	c.snapshots(g)
	r := c.r
	p := &g.partners[c.p]

	var mrr, annualMRR, annualContacts int64
	for q := range nProducts {
		if l := &c.lines[q]; l.mrr > 0 {
			mrr += l.mrr
			if annual(q) {
				annualMRR += l.mrr
				annualContacts = max(annualContacts, contactTiers[q%3][l.tier])
			}
		}
	}
	mask := c.mask()
	latest := c.usage[len(c.usage)-1]
	engagement := pd.EngagementIndex(mask, latest.tools).Index
	nc := 2 + r.IntN(2)
	firstContact := g.contactID + 1
	renewalDay := nextAnniversary(c.start, g.today, 12)
	// A partner-owned client and renewal are owned by its main partner,
	// whose relationship with it is always active.
	var plan *renewalPlan
	var commOwner, commPartner any
	if annualMRR > 0 {
		plan = g.planRenewal(c, p, renewalDay, annualMRR, annualContacts, firstContact+int64(r.IntN(nc)))
		if plan.owner == pd.OwnerPartner {
			commOwner, commPartner = pd.OwnerPartner, p.idv
		}
	}

	country := countries[c.country]
	name, stem, industry := clientName(g.clientNames, uint64(id-1))
	if r.IntN(2) == 0 {
		name += " " + country.form
	}
	domain := stem + "." + country.tld
	account := "acct-" + pad(id, 6)
	created := time.Unix(g.clock.unix(c.start-day(r.IntN(30)), int32(9*3600+r.IntN(8*3600))), 0).UTC()
	g.put("clients", clientCols, c.idv, account, name, domain, industry, country.code, c.employees,
		"https://app.nimbus.example/accounts/"+account, mrr, mask, engagement, commOwner, commPartner, created)

	// Contacts: two or three; the first is the usual renewal contact.
	for k := range nc {
		g.contactID++
		first, last := g.personName(r)
		title := jobTitles[r.IntN(len(jobTitles))]
		if k == 0 {
			title = jobTitles[r.IntN(6)]
		}
		g.put("client_contacts", contactCols, g.contactID, c.idv, first+" "+last, emailLocal(first, last)+"@"+domain, title)
	}

	g.relationships(c, name, domain, mrr, mask, engagement)

	// Lines: one per product the client ever had, as its last event left
	// it. Annual lines renew together on the anniversary of the first
	// purchase, monthly ones each month on the same day.
	monthly := nextAnniversary(c.start, g.today, 1)
	for q := range nProducts {
		l := &c.lines[q]
		if !l.used {
			continue
		}
		g.lineID++
		ed := q%3 + 1
		contacts := contactTiers[ed-1][l.tier]
		qty := 1
		if seatHub(q / 3) {
			qty = includedSeats[ed-1] + int(l.extra)
		}
		period, commitment, renews := "monthly", 1, any(monthly.date())
		auto := (q+int(id))%10 != 0
		if annual(q) {
			period, commitment, renews = "annual", 12, renewalDay.date()
			auto = auto && (plan == nil || !plan.manualLines)
		}
		status := "active"
		if l.mrr == 0 {
			status, auto, renews = "cancelled", false, nil
		}
		// The line remembers its latest event (they get their ids below,
		// in order), and was last changed then.
		ev := c.events[l.last]
		at := time.Unix(g.clock.unix(ev.day, ev.sec), 0).UTC()
		evID := "ev-" + pad(g.eventID+1+int64(l.last), 10)
		g.put("subscription_lines", lineCols, g.lineID, "sub-"+pad(g.lineID, 8), c.idv, productCodes[q], qty, contacts,
			pd.EmailSendLimit(pd.Edition(ed), contacts), l.mrr, period, commitment, renews, auto, status, at, at, evID)
	}

	for _, e := range c.events {
		g.eventID++
		at := time.Unix(g.clock.unix(e.day, e.sec), 0).UTC()
		received := at.Add(time.Duration(30+r.IntN(900)) * time.Second)
		if received.After(g.now) {
			received = g.now
		}
		g.put("billing_events", eventCols, g.eventID, "ev-"+pad(g.eventID, 10), at, c.idv,
			g.partners[c.credited(g, e.day)].idv, productCodes[e.product], e.mrr, received)
	}

	for _, u := range c.usage {
		g.put("usage_snapshots", usageCols, c.idv, u.day.date(), u.tools, u.active, u.seat)
	}

	if plan != nil {
		g.renewalID++
		// The renewal auto-renews when all its lines do (the daily
		// refresh's rule), which the plan's lines were set up to match.
		auto := true
		for q := range nProducts {
			if annual(q) && c.lines[q].mrr > 0 && ((q+int(id))%10 == 0 || plan.manualLines) {
				auto = false
			}
		}
		manager := g.renewalManagers[int(c.id*7919)%len(g.renewalManagers)]
		g.put("renewals", renewalCols, g.renewalID, c.idv, plan.date.date(), plan.kind, plan.owner, commPartner, plan.status,
			plan.contact, manager, plan.current, plan.proposed, plan.proposedContacts, auto)
	}

	// The demo partners' employees look after about a fifth of their
	// partner's clients, and always a few.
	if p.employee != 0 && (p.assigned < 3 || r.IntN(5) == 0) {
		p.assigned++
		g.put("client_assignments", assignCols, c.idv, p.employee, p.idv)
	}
}

// relationships writes the client's relationships, each with a copy of the
// client's list columns and employees (see migrations 0005 and 0008).
func (g *generator) relationships(c *client, name, domain string, mrr, mask int64, engagement int) {
	rel := func(partner int, r pd.Relationship, from day, to day) {
		g.relID++
		var ended any
		if to != 0 {
			ended = to.date()
		}
		g.put("client_partners", relCols, g.relID, c.idv, g.partners[partner].idv, relNames[r], from.date(), ended,
			name, domain, mrr, mask, engagement, c.employees)
	}
	switch c.relCase {
	case caseSoldManaged:
		rel(c.p, pd.RelSoldManaged, c.start, 0)
	case caseSold:
		rel(c.p, pd.RelSold, c.start, 0)
	case caseManagedSoldByQ:
		rel(c.q, pd.RelSold, c.start, 0)
		rel(c.p, pd.RelManaged, c.secondDay, 0)
	case caseSoldManagedByQ:
		rel(c.p, pd.RelSold, c.start, 0)
		rel(c.q, pd.RelManaged, c.secondDay, 0)
	case caseTransfer:
		rel(c.f, pd.RelSoldManaged, c.start, c.switchDay)
		rel(c.p, pd.RelSoldManaged, c.switchDay, 0)
	case caseTakeover:
		rel(c.f, pd.RelSoldManaged, c.start, c.switchDay)
		rel(c.p, pd.RelManaged, c.switchDay, 0)
	}
}

// planRenewal decides the client's next renewal: usually a plain renewal
// at +5%, sometimes a contact tier upgrade or an email overage. Decisions
// are mostly taken once the decision deadline is near; past it, nearly
// every one is taken, as in a program that keeps its deadlines: the few
// still pending (one in twenty) are overdue and do not renew by
// themselves (the daily refresh renews the others). The demo partners own the communication of more of
// their renewals.
func (g *generator) planRenewal(c *client, p *partner, date day, current, contacts, contact int64) *renewalPlan {
	r := c.r
	pl := &renewalPlan{date: date, kind: pd.ContractRenewal, current: current, proposed: current * 105 / 100,
		contacts: contacts, proposedContacts: contacts, contact: contact, owner: pd.OwnerVendor, status: pd.RenewalPending}
	switch k := r.IntN(100); {
	case k < 12:
		pl.kind = pd.ContractTierUpgrade
		next := contacts * 2
		for _, ts := range contactTiers {
			for _, t := range ts {
				if t > contacts && t < next {
					next = t
				}
			}
		}
		pl.proposedContacts = next
		pl.proposed = current + current*(next-contacts)/contacts/4
	case k < 20:
		pl.kind = pd.ContractEmailOverage
		pl.proposed = current + max(5000, current/10/1000*1000)
	}
	share := 30
	if p.id <= 3 {
		share = 80
	}
	if r.IntN(100) < share {
		pl.owner = pd.OwnerPartner
	}
	k := r.IntN(100)
	switch past := int(date-g.today) < g.deadlineDays; {
	case past && k < 52:
		pl.status = pd.RenewalRenewed
	case past && k < 85:
		pl.status = pd.RenewalConfirmed
	case past && k < 95:
		pl.status = pd.RenewalCancel
	case past:
		pl.manualLines = true // pending and overdue: waits for a decision
	case k < 6:
		pl.status = pd.RenewalRenewed
	case k < 11:
		pl.status = pd.RenewalConfirmed
	case k < 17:
		pl.status = pd.RenewalCancel
	}
	if pl.status == pd.RenewalCancel {
		pl.manualLines = true
	}
	return pl
}

// pad formats n with at least width digits.
func pad(n int64, width int) string {
	var buf [24]byte
	s := strconv.AppendInt(buf[:0], n, 10)
	if len(s) >= width {
		return string(s)
	}
	var out [24]byte
	z := width - len(s)
	for i := range z {
		out[i] = '0'
	}
	copy(out[z:], s)
	return string(out[:width])
}
