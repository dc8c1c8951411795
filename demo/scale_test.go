package demo_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/demo"
	"github.com/partnerdesk/partnerdesk/store/storetest"
)

// ScaleEnv turns on TestGenerateAtScale: "1" for the full program (10,000
// partners, 1,000,000 clients), "default" for the default one (25 and
// 1,500), or a number of clients (with a partner per hundred).
const ScaleEnv = "PARTNERDESK_DEMO_SCALE"

// TestGenerateAtScale generates the full-size program on every engine and
// holds it to the time budget: five minutes on a two-core machine.
func TestGenerateAtScale(t *testing.T) {
	v := os.Getenv(ScaleEnv)
	if v == "" {
		t.Skipf("set %s=1 to generate the full-size demo (1,000,000 clients)", ScaleEnv)
	}
	partners, clients := 10_000, 1_000_000
	if v == "default" {
		partners, clients = 25, 1500
	} else if n, err := strconv.Atoi(v); err == nil && n > 1 {
		clients, partners = n, max(3, n/100)
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := e.Open(t, func() time.Time { return now })
		start := time.Now()
		res, err := demo.Generate(context.Background(), db, demo.Options{Seed: 1, Partners: partners, Clients: clients,
			Now: now, PasswordParams: cheap}, os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		elapsed := time.Since(start)
		t.Logf("%s: %d partners, %d clients in %s; rows %v", e.Name, partners, clients, elapsed.Round(time.Millisecond), res.Rows)
		if elapsed > 5*time.Minute {
			t.Errorf("took %s, over the five-minute budget", elapsed)
		}
		perClient := float64(res.Rows["billing_events"]) / float64(clients)
		if perClient < 18 || perClient > 22 {
			t.Errorf("%.1f events per client, want about 20", perClient)
		}
		first := count(t, db, "SELECT COUNT(*) FROM client_partners WHERE partner_id = 1 AND ended_on IS NULL")
		if want := int64(demo.FirstPartnerClients(clients)); first != want {
			t.Errorf("partner 1 has %d active clients, want %d", first, want)
		}
		checks := []struct{ name, q string }{
			{"client mrr is the sum of its active lines", `SELECT COUNT(*) FROM clients c LEFT JOIN
				(SELECT client_id, SUM(mrr) m FROM subscription_lines WHERE status = 'active' GROUP BY client_id) l
				ON l.client_id = c.id WHERE c.mrr <> COALESCE(l.m, 0)`},
			{"ids continue", `SELECT COUNT(*) FROM billing_events WHERE id > ?`},
		}
		for _, c := range checks {
			var args []any
			if c.name == "ids continue" {
				args = []any{res.Rows["billing_events"]}
			}
			s := time.Now()
			if n := count(t, db, c.q, args...); n != 0 {
				t.Errorf("%s: %d rows break it", c.name, n)
			}
			t.Logf("%s: checked in %s", c.name, time.Since(s).Round(time.Millisecond))
		}
	})
}
