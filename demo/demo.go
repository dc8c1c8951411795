// Package demo generates a realistic partner program for demonstrations
// and benchmarks: vendor staff, partner agencies with certifications,
// clients with contacts, relationships, subscription lines, three years of
// billing events, usage snapshots and renewals, and demo logins. The data
// is a pure function of Options (same Seed and Now, same rows), and it is
// internally consistent: each client's MRR, product mask and engagement
// are derived from its lines and latest usage, and each line's MRR is its
// last billing event's. Rows stream through store.Bulk, so a million
// clients (about twenty million events) never sit in memory at once.
package demo

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
)

// Demo logins: every demo user signs in with DemoPassword.
const (
	DemoPassword = "demo-password"
	AdminEmail   = "admin@partnerdesk.test"
	// The vendor's other roles: the first demo partner's partner manager
	// and partner consultant, and a renewal manager of its clients.
	ManagerEmail    = "manager@partnerdesk.test"
	ConsultantEmail = "consultant@partnerdesk.test"
	RenewalsEmail   = "renewals@partnerdesk.test"
)

// ProgramName is the demo program's name.
const ProgramName = "Nimbus Cloud Partner Program"

// Options shape the generated program.
type Options struct {
	// Seed makes the data reproducible: the same Seed and Now give the same
	// rows.
	Seed int64
	// Partners is the number of partner agencies (default 25, at least 3).
	Partners int
	// Clients is the number of clients (default 1500, at least Partners).
	Clients int
	// Now anchors the history: events fall in the three years before it,
	// the latest usage snapshot is on its date, renewals come after it.
	// Default: the current time.
	Now time.Time
	// PasswordParams hash the demo password (default password.Default;
	// tests pass cheap ones).
	PasswordParams password.Params
}

// Login is a demo user to sign in as.
type Login struct {
	Email    string
	Password string
	Role     pd.Role
	Name     string
	Partner  string // the partner's name, for partner users
}

// Result reports what Generate wrote.
type Result struct {
	Logins []Login
	// Rows counts the rows written per table.
	Rows map[string]int64
	// FirstPartnerClients is the number of active clients of partner 1
	// (the benchmark partner).
	FirstPartnerClients int
	Elapsed             time.Duration
}

// FirstPartnerClients is the number of active clients the first partner
// gets: exactly 5,000 from 100,000 clients on (the benchmark partner),
// otherwise 13% of the clients (195 of the default 1,500).
func FirstPartnerClients(clients int) int {
	if clients >= 100_000 {
		return 5000
	}
	return max(1, clients*13/100)
}

func (o *Options) defaults() error {
	if o.Partners == 0 {
		o.Partners = 25
	}
	if o.Clients == 0 {
		o.Clients = 1500
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.PasswordParams == (password.Params{}) {
		o.PasswordParams = password.Default
	}
	switch {
	case o.Partners < 3:
		return pd.Errorf(pd.EInvalid, "The demo needs at least 3 partners.")
	case o.Clients < o.Partners:
		return pd.Errorf(pd.EInvalid, "The demo needs at least as many clients as partners.")
	case o.Partners > 1_000_000 || o.Clients > 50_000_000:
		return pd.Errorf(pd.EInvalid, "That is more data than the demo generates.")
	}
	return nil
}

// Generate writes a demo program into db, which must hold no partners
// yet: the program settings and catalogue (db.SaveProgram), then every
// other row in one bulk load, all or nothing. Progress lines go to
// progress (may be nil).
func Generate(ctx context.Context, db *store.DB, opts Options, progress io.Writer) (*Result, error) {
	start := time.Now()
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = io.Discard
	}
	empty, err := db.Empty(ctx)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, pd.Errorf(pd.EConflict, "The database already holds partners; the demo only fills an empty one.")
	}
	prog := store.DefaultProgram
	prog.Name, prog.Currency, prog.TimeZone = ProgramName, "USD", "Europe/Paris"
	if err := db.SaveProgram(ctx, prog); err != nil {
		return nil, err
	}
	hash, err := password.Hash(DemoPassword, opts.PasswordParams)
	if err != nil {
		return nil, err
	}
	g := newGenerator(opts, prog, hash, progress)
	fmt.Fprintf(progress, "demo: %d staff, %d partners, %d clients (seed %d, now %s)\n",
		len(g.staff), len(g.partners), opts.Clients, opts.Seed, g.now.Format(time.RFC3339))
	rows := map[string]int64{}
	err = db.Bulk(ctx, func(b *store.Bulk) error {
		g.b = b
		if err := g.load(ctx); err != nil {
			return err
		}
		for _, t := range tables {
			if n := b.Rows(t); n > 0 {
				rows[t] = n
			}
		}
		fmt.Fprintf(progress, "demo: all rows queued after %s; writing the last ones and checking keys\n", since(start))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate demo data: %w", err)
	}
	res := &Result{Rows: rows, Logins: g.logins, FirstPartnerClients: g.partners[0].clients, Elapsed: time.Since(start)}
	fmt.Fprintf(progress, "demo: done in %s: %s\n", since(start), rowSummary(rows))
	return res, nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }

func rowSummary(rows map[string]int64) string {
	var parts []string
	for _, t := range tables {
		if n, ok := rows[t]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	return strings.Join(parts, ", ")
}

// Tables in load order (parents first) and their columns.
var tables = []string{"staff", "partners", "certifications", "users", "clients", "client_contacts",
	"client_partners", "subscription_lines", "billing_events", "usage_snapshots", "renewals", "client_assignments"}

var (
	staffCols   = []string{"id", "external_id", "name", "email", "role", "description", "photo_url"}
	partnerCols = []string{"id", "external_id", "name", "country", "website", "tier_code", "elite_invited",
		"crm_link_template", "partner_manager_id", "partner_consultant_id", "created_at"}
	certCols   = []string{"id", "external_id", "partner_id", "name", "holder", "earned_on", "expires_on"}
	userCols   = []string{"id", "email", "name", "password_hash", "role", "partner_id", "staff_id", "created_at"}
	clientCols = []string{"id", "account_id", "name", "domain", "industry", "country", "employees", "account_url",
		"mrr", "product_mask", "engagement", "comm_owner", "comm_partner_id", "created_at"}
	contactCols = []string{"id", "client_id", "name", "email", "title"}
	relCols     = []string{"id", "client_id", "partner_id", "relationship", "started_on", "ended_on",
		"name", "domain", "mrr", "product_mask", "engagement", "employees"} // the client's columns (migrations 0005, 0008)
	lineCols = []string{"id", "external_id", "client_id", "product_code", "quantity", "contacts", "email_send_limit",
		"mrr", "billing_period", "commitment_months", "renewal_date", "auto_renew", "status", "updated_at",
		"mrr_event_at", "mrr_event_id"}
	eventCols   = []string{"id", "external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"}
	usageCols   = []string{"client_id", "day", "tools", "active_users", "seats"}
	renewalCols = []string{"id", "client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status",
		"primary_contact_id", "renewal_manager_id", "current_mrr", "proposed_mrr", "proposed_contacts", "auto_renew"}
	assignCols = []string{"client_id", "user_id", "partner_id"}
)

type staffMember struct {
	id                       int64
	role                     pd.Role
	name, email, description string
}

type partner struct {
	id                  int64
	name, slug, country string
	tier                string
	manager, consultant int64 // staff ids; 0 = none
	clients             int   // clients it is the main partner of
	idv                 any   // id, boxed once
	employee            int64 // its demo employee's user id (the first three)
	assigned            int   // clients assigned to its demo employee so far
}

// generator holds the plan of the program and the load's running state.
type generator struct {
	opts         Options
	seed         uint64
	loc          *time.Location
	now          time.Time
	deadlineDays int
	today        day
	first        day // three years before today: the start of the history
	clock        *clock
	hash         string
	progress     io.Writer
	b            *store.Bulk

	staff           []staffMember
	admins          []int64
	renewalManagers []int64
	partners        []partner
	partnerOf       []int32 // client id-1 -> main partner index
	logins          []Login
	snapshotDays    []day
	clientNames     namePermutation

	// Running ids.
	contactID, relID, lineID, eventID, renewalID int64

	c        client  // the client being generated, reused
	included []int64 // includedTools' memory
	err      error
}

func newGenerator(o Options, prog pd.Program, hash string, progress io.Writer) *generator {
	loc := prog.Location()
	g := &generator{opts: o, seed: uint64(o.Seed), loc: loc, now: o.Now.UTC().Truncate(time.Second), hash: hash,
		progress: progress, deadlineDays: prog.DecisionDeadlineDays}
	y, m, d := o.Now.In(loc).Date()
	g.today = dayOf(y, m, d)
	g.first = g.today.addMonths(-36)
	g.clock = newClock(loc, g.first-40, g.today+1)
	// Usage: the first of each of the last twelve months, and today; the
	// first of every third month from 200,000 clients on, which keeps the
	// full-size program inside its time budget.
	every := 1
	if o.Clients > 200_000 {
		every = 3
	}
	ty, tm, _ := g.today.civil()
	for k := 12 - every; k >= 0; k -= every {
		if z := dayOf(ty, tm, 1).addMonths(-k); z < g.today {
			g.snapshotDays = append(g.snapshotDays, z)
		}
	}
	g.snapshotDays = append(g.snapshotDays, g.today)
	r := g.rand(0x9a11)
	g.clientNames = newNamePermutation(clientNameSpace, r.Uint64())
	g.planStaff(r)
	g.planPartners(r)
	g.planClients(r)
	return g
}

// rand returns a generator for one purpose (or one client): the seed and
// the stream number fix its whole sequence.
func (g *generator) rand(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, stream))
}

func (g *generator) personName(r *rand.Rand) (first, last string) {
	return firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
}

func (g *generator) planStaff(r *rand.Rand) {
	seen := map[string]bool{}
	add := func(role pd.Role, n int) []int64 {
		var ids []int64
		for range n {
			first, last := g.personName(r)
			local := emailLocal(first, last)
			email := local + "@nimbus.example"
			for k := 2; seen[email]; k++ {
				email = local + strconv.Itoa(k) + "@nimbus.example"
			}
			seen[email] = true
			ds := staffDescriptions[string(role)]
			id := int64(len(g.staff) + 1)
			g.staff = append(g.staff, staffMember{id: id, role: role, name: first + " " + last, email: email,
				description: ds[r.IntN(len(ds))]})
			ids = append(ids, id)
		}
		return ids
	}
	p, c := g.opts.Partners, g.opts.Clients
	g.admins = add(pd.RoleProgramAdmin, 3)
	managers := add(pd.RolePartnerManager, (p+29)/30)
	consultants := add(pd.RolePartnerConsultant, max(2, (p+39)/40))
	g.renewalManagers = add(pd.RoleRenewalManager, max(3, (c+2499)/2500))
	// Managers and consultants are spread evenly; a quarter of the
	// partners (never the demo ones) have no consultant.
	g.partners = make([]partner, p)
	for i := range g.partners {
		g.partners[i].manager = managers[i*len(managers)/p]
		if i < 3 || r.IntN(4) > 0 {
			g.partners[i].consultant = consultants[r.IntN(len(consultants))]
		}
	}
}

func pickCountry(r *rand.Rand) int {
	n := r.IntN(countryWeightTotal)
	for i, c := range countries {
		if n -= c.weight; n < 0 {
			return i
		}
	}
	return 0
}

var countryIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range countries {
		m[c.code] = i
	}
	return m
}()

func (g *generator) planPartners(r *rand.Rand) {
	perm := newNamePermutation(agencyNameSpace, r.Uint64())
	fixed := map[string]bool{}
	for _, d := range demoPartners {
		fixed[d.name] = true
	}
	next := uint64(0)
	for i := range g.partners {
		p := &g.partners[i]
		p.id = int64(i + 1)
		p.idv = p.id
		if i < len(demoPartners) {
			p.name, p.country = demoPartners[i].name, demoPartners[i].country
		} else {
			for {
				p.name = agencyName(perm, next)
				next++
				if !fixed[p.name] {
					break
				}
			}
			p.country = countries[pickCountry(r)].code
		}
		p.slug = slug(p.name)
	}
}

// planClients sizes each partner's book (heavy-tailed, with the first
// three partners fixed relative to the benchmark partner) and deals the
// clients out in a random order.
func (g *generator) planClients(r *rand.Rand) {
	n, ps := g.opts.Clients, g.partners
	ps[0].clients = min(FirstPartnerClients(n), n-(len(ps)-1))
	rest := n - ps[0].clients
	ps[1].clients = min(max(1, ps[0].clients*3/5), rest-(len(ps)-2))
	rest -= ps[1].clients
	ps[2].clients = min(max(1, ps[0].clients*9/20), rest-(len(ps)-3))
	rest -= ps[2].clients
	if others := ps[3:]; len(others) == 0 {
		ps[1].clients += rest
	} else {
		// Pareto weights (the 80/20 shape), capped so that no partner
		// outgrows the benchmark partner at scale; everyone gets one.
		w := make([]float64, len(others))
		var total float64
		for i := range w {
			w[i] = math.Min(math.Pow(1-r.Float64(), -1/1.16), 40)
			total += w[i]
		}
		spread := rest - len(others)
		given := 0
		for i := range others {
			others[i].clients = 1 + int(float64(spread)*w[i]/total)
			given += others[i].clients
		}
		for k := 0; given < rest; k++ {
			others[k%len(others)].clients++
			given++
		}
	}
	g.partnerOf = make([]int32, 0, n)
	for i, p := range ps {
		for range p.clients {
			g.partnerOf = append(g.partnerOf, int32(i))
		}
	}
	r.Shuffle(len(g.partnerOf), func(i, j int) { g.partnerOf[i], g.partnerOf[j] = g.partnerOf[j], g.partnerOf[i] })

	// Tiers follow the size of the book; the demo partners' are fixed.
	order := make([]int, 0, len(ps))
	for i := 3; i < len(ps); i++ {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int { return ps[b].clients - ps[a].clients })
	cut := func(share float64) int { return int(math.Ceil(share * float64(len(order)))) }
	bounds := []struct {
		upTo int
		tier string
	}{{cut(0.01), "elite"}, {cut(0.05), "diamond"}, {cut(0.15), "platinum"}, {cut(0.35), "gold"}, {cut(0.60), "silver"}}
	tierNames := []string{"partner", "silver", "gold", "platinum", "diamond", "elite"}
	for rank, i := range order {
		tier := "partner"
		for _, b := range bounds {
			if rank < b.upTo {
				tier = b.tier
				break
			}
		}
		// A third of the partners sit a tier off what their size says
		// (never into elite, which is by invitation).
		if tier != "elite" && r.IntN(3) == 0 {
			k := slices.Index(tierNames, tier) + r.IntN(2)*2 - 1
			tier = tierNames[max(0, min(len(tierNames)-2, k))]
		}
		ps[i].tier = tier
	}
	ps[0].tier, ps[1].tier, ps[2].tier = "diamond", "gold", "silver"
}

// load queues every row. Parents come first: the loader writes tables in
// the order of their first row.
func (g *generator) load(ctx context.Context) error {
	g.loadStaff()
	g.loadPartners()
	g.loadUsers()
	if g.err != nil {
		return g.err
	}
	start := time.Now()
	n := g.opts.Clients
	step := max(1, n/10)
	for id := 1; id <= n; id++ {
		g.client(int64(id))
		if g.err != nil {
			return g.err
		}
		if id%step == 0 || id == n {
			if err := ctx.Err(); err != nil {
				return err
			}
			fmt.Fprintf(g.progress, "demo: clients %d/%d (%d events) %s\n", id, n, g.eventID, since(start))
		}
	}
	return nil
}

// put queues a row; the first error sticks and stops the load.
func (g *generator) put(table string, cols []string, vals ...any) {
	if g.err == nil {
		g.err = g.b.Insert(table, cols, vals...)
	}
}

func (g *generator) loadStaff() {
	for _, s := range g.staff {
		g.put("staff", staffCols, s.id, fmt.Sprintf("staff-%04d", s.id), s.name, s.email, string(s.role), s.description, "")
	}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (g *generator) loadPartners() {
	r := g.rand(0xa9e7)
	for i := range g.partners {
		p := &g.partners[i]
		c := countries[countryIndex[p.country]]
		website := "https://www." + compact(p.name) + "." + c.tld
		crm := ""
		if i < 3 || r.IntN(10) > 0 {
			crm = crmTemplates[(i+r.IntN(len(crmTemplates)))%len(crmTemplates)]
			if i < 3 {
				crm = crmTemplates[i]
			}
			crm = strings.NewReplacer("{slug}", p.slug, "{n}", strconv.Itoa(1000000+r.IntN(9000000))).Replace(crm)
		}
		created := g.now.AddDate(-3, 0, -r.IntN(5*365)-30)
		g.put("partners", partnerCols, p.id, fmt.Sprintf("ptn-%05d", p.id), p.name, p.country, website, p.tier,
			p.tier == "elite" || p.tier == "diamond" && r.IntN(4) == 0, crm, nullID(p.manager), nullID(p.consultant), created)
	}
	// Certifications: bigger partners hold more; some have lapsed (they
	// last two years), the demo partners hold at least one valid one.
	id := int64(0)
	for i := range g.partners {
		p := &g.partners[i]
		n := 1 + r.IntN(2)
		if p.clients > 50 {
			n++
		}
		if p.clients > 300 {
			n++
		}
		for k, ci := range r.Perm(len(certificationNames))[:n] {
			id++
			first, last := g.personName(r)
			age := 30 + r.IntN(1400)
			if i < 3 && k == 0 {
				age = 30 + r.IntN(300)
			}
			earned := g.today - day(age)
			g.put("certifications", certCols, id, fmt.Sprintf("cert-%06d", id), p.id, certificationNames[ci], first+" "+last,
				earned.date(), earned.addMonths(24).date())
		}
	}
}

func (g *generator) loadUsers() {
	// The program admin signs in as the first program admin of the staff.
	id := int64(1)
	admin := g.staff[g.admins[0]-1].name
	g.put("users", userCols, id, AdminEmail, admin, g.hash, string(pd.RoleProgramAdmin), nil, g.admins[0], g.now)
	g.logins = append(g.logins, Login{Email: AdminEmail, Password: DemoPassword, Role: pd.RoleProgramAdmin, Name: admin})
	for i := range min(3, len(g.partners)) {
		p := &g.partners[i]
		for k, role := range []pd.Role{pd.RolePartnerAdmin, pd.RolePartnerEmployee} {
			id++
			email := map[pd.Role]string{pd.RolePartnerAdmin: "admin@", pd.RolePartnerEmployee: "employee@"}[role] + p.slug + ".test"
			name := demoPeople[i][k]
			g.put("users", userCols, id, email, name, g.hash, string(role), p.id, nil, g.now)
			g.logins = append(g.logins, Login{Email: email, Password: DemoPassword, Role: role, Name: name, Partner: p.name})
			if role == pd.RolePartnerEmployee {
				p.employee = id
			}
		}
	}
	// A sign-in for each of the vendor's other roles, so that the demo
	// shows what each sees: the first partner's team (their book and
	// partners), and a renewal manager (the partners whose clients'
	// renewals they manage; the first partner's clients spread over every
	// renewal manager).
	for _, s := range []struct {
		email string
		staff int64
	}{{ManagerEmail, g.partners[0].manager}, {ConsultantEmail, g.partners[0].consultant}, {RenewalsEmail, g.renewalManagers[0]}} {
		if s.staff == 0 {
			continue
		}
		m := g.staff[s.staff-1]
		id++
		g.put("users", userCols, id, s.email, m.name, g.hash, string(m.role), nil, s.staff, g.now)
		g.logins = append(g.logins, Login{Email: s.email, Password: DemoPassword, Role: m.role, Name: m.name})
	}
}
