package storetest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
)

// DefaultToday is the fixture's "today" unless PARTNERDESK_TEST_TODAY
// moves it. Runs stay deterministic: the real date never enters.
const DefaultToday = "2026-11-27"

// Now is the fixture's "today" at noon UTC: renewals and history are placed
// around it. Set PARTNERDESK_TEST_TODAY=YYYY-MM-DD to run the whole suite on
// another day (a leap day, a month or year end) and prove that no test and
// no code depends on the date the suite happens to run.
var Now = today()

// todayEnv names the variable that moves the fixture's today.
const todayEnv = "PARTNERDESK_TEST_TODAY"

func today() time.Time {
	s := os.Getenv(todayEnv)
	if s == "" {
		s = DefaultToday
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(fmt.Sprintf("PARTNERDESK_TEST_TODAY=%q: want YYYY-MM-DD", s))
	}
	return d.Add(12 * time.Hour)
}

// Clock returns Now.
func Clock() time.Time { return Now }

// recordToday reads the variable again while a test runs: go test keys its
// result cache on the variables a test reads, and a read during package
// initialisation (where Now is set) is not seen, so without this a moved
// date would be answered from the cache of another date's run.
func recordToday() { _ = os.Getenv(todayEnv) }

// Password is every fixture user's password.
const Password = "fixture-password"

// PasswordParams are the cheap argon2id costs of the fixture's hashes; a
// test server hashes with them too, so that signing in upgrades nothing.
var PasswordParams = password.Params{Memory: 1024, Time: 1, Threads: 1}

// Fixture users, by email.
const (
	AdminEmail    = "admin@vendor.test"
	ManagerEmail  = "manager@vendor.test" // partner manager of Alpha only
	AlphaAdmin    = "admin@alpha.test"
	AlphaEmployee = "employee@alpha.test"
	BetaAdmin     = "admin@beta.test"
)

// Fixture ids.
const (
	// The users, in the order above: AdminID (Ada Admin), AlphaAdminID
	// (Alice Alpha), AlphaEmployeeID (Emil Employee), BetaAdminID (Bob
	// Beta), ManagerID (Maya Manager).
	AdminID, AlphaAdminID, AlphaEmployeeID, BetaAdminID, ManagerID = 1, 2, 3, 4, 5

	AlphaID = 1
	BetaID  = 2
	// Alpha's active clients, by MRR: Northwind 89,000, Initech 40,000,
	// Globex 30,000, Umbrella 1,500 (cents). Old Client's relationship
	// with Alpha has ended.
	Northwind, Globex, Initech, Umbrella, OldClient = 101, 102, 103, 104, 105
	// Beta's clients.
	Hooli, Vandelay = 201, 202
	// AlphaAlerts is Alpha's count of upcoming renewal decisions.
	AlphaAlerts = 2
)

type client struct {
	id             int64
	name, domain   string
	partner        int64
	rel            string
	ended          bool
	lines          []line
	tools          []string
	assignedToEmpl bool
}

type line struct {
	product  string
	mrr      int64
	contacts int64
}

var clients = []client{
	{Northwind, "Northwind Traders", "northwind.example", AlphaID, "sold_managed", false,
		[]line{{"marketing-pro", 87000, 5000}, {"sales-starter", 2000, 0}},
		[]string{"contacts", "deals", "tasks", "email-tracking", "meetings", "forms", "email-marketing", "landing-pages", "social", "seo", "quotes"}, false},
	{Globex, "Globex Corp", "globex.example", AlphaID, "managed", false,
		[]line{{"service-pro", 30000, 2000}}, []string{"contacts", "tickets"}, false},
	{Initech, "Initech", "initech.example", AlphaID, "sold", false,
		[]line{{"content-pro", 40000, 1000}}, []string{"contacts", "deals", "tasks", "website-pages", "blog"}, true},
	{Umbrella, "Umbrella Co", "umbrella.example", AlphaID, "sold", false,
		[]line{{"service-starter", 1500, 1000}}, nil, true},
	{OldClient, "Old Client", "old.example", AlphaID, "managed", true,
		[]line{{"sales-pro", 50000, 0}}, []string{"contacts"}, false},
	{Hooli, "Hooli", "hooli.example", BetaID, "sold", false,
		[]line{{"marketing-enterprise", 50000, 10000}}, []string{"contacts", "forms"}, false},
	{Vandelay, "Vandelay Industries", "vandelay.example", BetaID, "managed", false,
		[]line{{"sales-pro", 12000, 0}}, []string{"contacts", "deals", "sequences"}, false},
}

// Load fills db with two partners (Alpha and Beta), their clients,
// subscriptions, usage, renewals, and users of every kind.
func Load(t testing.TB, db *store.DB) {
	t.Helper()
	recordToday()
	ctx := context.Background()
	prog := store.DefaultProgram
	prog.Name = "Test Program"
	if err := db.SaveProgram(ctx, prog); err != nil {
		t.Fatal(err)
	}
	day := func(d int) pd.Date { return pd.DateOf(Now, time.UTC).AddDays(d) }
	err := db.Bulk(ctx, func(b *store.Bulk) error {
		staff := []string{"id", "external_id", "name", "email", "role", "description"}
		b.Insert("staff", staff, 1, "st-maya", "Maya Manager", "maya@vendor.test", "partner_manager", "Plans your growth with you.")
		b.Insert("staff", staff, 2, "st-colin", "Colin Consultant", "colin@vendor.test", "partner_consultant", "Helps you deliver.")
		b.Insert("staff", staff, 3, "st-rita", "Rita Renewals", "rita@vendor.test", "renewal_manager", "Owns renewals.")
		partners := []string{"id", "external_id", "name", "country", "tier_code", "crm_link_template", "partner_manager_id", "partner_consultant_id", "created_at"}
		b.Insert("partners", partners, AlphaID, "p-alpha", "Alpha Agency", "FR", "gold", "https://crm.example/companies?domain={domain}", 1, 2, Now)
		b.Insert("partners", partners, BetaID, "p-beta", "Beta Works", "DE", "silver", "", nil, nil, Now)
		lineID := int64(1)
		for _, c := range clients {
			var mask, mrr int64
			for _, l := range c.lines {
				p, _ := pd.ProductByCode(l.product)
				mask |= p.Mask()
				mrr += l.mrr
			}
			var tools int64
			for _, code := range c.tools {
				for _, tl := range pd.Tools {
					if tl.Code == code {
						tools |= tl.Mask()
					}
				}
			}
			b.Insert("clients", []string{"id", "account_id", "name", "domain", "industry", "country", "employees", "account_url", "mrr", "product_mask", "engagement", "created_at"},
				c.id, "acct-"+c.domain, c.name, c.domain, "Software", "FR", 120, "https://app.vendor.example/accounts/"+c.domain,
				mrr, mask, pd.EngagementIndex(mask, tools).Index, Now)
			b.Insert("client_contacts", []string{"id", "client_id", "name", "email"}, c.id, c.id, "Contact of "+c.name, "it@"+c.domain)
			var ended any
			if c.ended {
				ended = day(-30)
			}
			// Bulk loads fire no trigger: the relationship carries its copy
			// of the client's list columns (migrations 0005, 0008) itself.
			b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on", "ended_on",
				"name", "domain", "mrr", "product_mask", "engagement", "employees"},
				c.id, c.partner, c.rel, day(-400), ended, c.name, c.domain, mrr, mask, pd.EngagementIndex(mask, tools).Index, 120)
			for _, l := range c.lines {
				p, _ := pd.ProductByCode(l.product)
				period, term := "annual", 12
				if p.Edition == pd.Starter {
					period, term = "monthly", 1
				}
				b.Insert("subscription_lines", []string{"id", "external_id", "client_id", "product_code", "contacts", "email_send_limit", "mrr", "billing_period", "commitment_months", "renewal_date"},
					lineID, "line-"+c.domain+"-"+l.product, c.id, l.product, l.contacts, pd.EmailSendLimit(p.Edition, l.contacts), l.mrr, period, term, day(60))
				b.Insert("billing_events", []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"},
					"ev-"+c.domain+"-"+l.product, Now.AddDate(0, -3, 0), c.id, c.partner, l.product, l.mrr, Now)
				lineID++
			}
			b.Insert("usage_snapshots", []string{"client_id", "day", "tools", "active_users", "seats"}, c.id, day(-1), tools, 7, 10)
			if c.assignedToEmpl {
				b.Insert("client_assignments", []string{"client_id", "user_id", "partner_id"}, c.id, 3, AlphaID)
			}
		}
		ren := []string{"client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status", "primary_contact_id", "renewal_manager_id", "current_mrr", "proposed_mrr"}
		b.Insert("renewals", ren, Northwind, day(23), "renewal", "partner", AlphaID, "pending", Northwind, 3, 89000, 93450)
		b.Insert("renewals", ren, Globex, day(49), "contact_tier_upgrade", "partner", AlphaID, "pending", nil, 3, 30000, 36000)
		b.Insert("renewals", ren, Initech, day(66), "renewal", "vendor", nil, "pending", nil, 3, 40000, 40000)        // vendor-owned: no alert
		b.Insert("renewals", ren, Umbrella, day(186), "renewal", "partner", AlphaID, "pending", nil, nil, 1500, 1500) // beyond the horizon
		b.Insert("renewals", ren, Globex, day(-10), "renewal", "partner", AlphaID, "pending", nil, nil, 30000, 30000) // past
		b.Insert("renewals", ren, Hooli, day(30), "renewal", "partner", BetaID, "pending", nil, 3, 50000, 50000)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(Password, PasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.NewUser{
		{Email: AdminEmail, Name: "Ada Admin", Role: pd.RoleProgramAdmin},
		{Email: AlphaAdmin, Name: "Alice Alpha", Role: pd.RolePartnerAdmin, PartnerID: AlphaID},
		{Email: AlphaEmployee, Name: "Emil Employee", Role: pd.RolePartnerEmployee, PartnerID: AlphaID}, // id 3
		{Email: BetaAdmin, Name: "Bob Beta", Role: pd.RolePartnerAdmin, PartnerID: BetaID},
		{Email: ManagerEmail, Name: "Maya Manager", Role: pd.RolePartnerManager, StaffID: 1},
	} {
		u.PasswordHash = hash
		if _, err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	loadRenewals(t, db)
	loadAccounts(t, db)
	loadAPI(t, db)
	loadCredit(t, db)
	loadDirectory(t, db)
}

// AlphaPathIDs maps each path value name used in routes ({client},
// {renewal}, …) to the id of one of Alpha's entities of that kind, so that
// tests walking every route can aim at Alpha's data. A new route with a new
// path value needs its entity here.
func AlphaPathIDs(t testing.TB, db *store.DB) map[string]int64 {
	return map[string]int64{"client": Northwind, "renewal": NorthwindOverage, "staff": 1, "token": AlphaReadTokenID,
		"user": AlphaEmployeeID, "message": AlphaDigestEmail, "certification": AlphaCertification, "link": alphaLink(t, db),
		"lead": AlphaLead}
}

// alphaLink creates a pending confirmation link of Alpha's, for Northwind,
// and returns its id.
func alphaLink(t testing.TB, db *store.DB) int64 {
	t.Helper()
	ctx := pd.WithPrincipal(context.Background(), &pd.Principal{UserID: 2, Role: pd.RolePartnerAdmin, PartnerID: AlphaID})
	l, _, err := db.CreateConfirmationLink(ctx, nil, pd.NewConfirmationLink{ClientID: Northwind,
		Products: []pd.LinkProduct{{Code: "sales-pro", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return l.ID
}
