package storetest

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// Fixture data for the Tier tab, added to Load's: certifications, and an
// older history for Globex, which Alpha first sold fifteen months before
// Now, lost when it stopped paying two months later, and won back three
// months before Now (a returning client). After a refresh on Now, Alpha
// holds 210,500 of credit (Northwind 89,000, Initech 40,000, Globex
// 30,000, Umbrella 1,500 and Old Client 50,000: ending services does not
// take sold credit away), manages 119,000 of MRR (Northwind and Globex),
// and its average app usage is 2 (its five clients use 11, 2, 5, 0 and 1
// tools): it qualifies for Partner only, one usage short of Silver.
const (
	AlphaSoldCredit = 210500
	AlphaManagedMRR = 119000
)

// The fixture's certifications: Alpha's valid one (it expires 165 days
// after Now) and expired one, and Beta's expired one.
const AlphaCertification, AlphaExpiredCertification, BetaCertification = 1, 2, 3

func loadCredit(t testing.TB, db *store.DB) {
	t.Helper()
	day := func(d int) pd.Date { return pd.DateOf(Now, Now.Location()).AddDays(d) }
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		certs := []string{"id", "partner_id", "name", "holder", "earned_on", "expires_on"}
		b.Insert("certifications", certs, AlphaCertification, AlphaID, "Inbound Marketing", "Alice Alpha", day(-200), day(165))
		b.Insert("certifications", certs, AlphaExpiredCertification, AlphaID, "Sales Enablement", "Emil Employee", day(-760), day(-30))
		b.Insert("certifications", certs, BetaCertification, BetaID, "Inbound Marketing", "Bob Beta", day(-900), day(-170))
		events := []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"}
		b.Insert("billing_events", events, "ev-globex-2025-1", Now.AddDate(0, -15, 0), Globex, AlphaID, "service-pro", 25000, Now.AddDate(0, -15, 0))
		return b.Insert("billing_events", events, "ev-globex-2025-2", Now.AddDate(0, -13, 0), Globex, AlphaID, "service-pro", 0, Now.AddDate(0, -13, 0))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// WorkedExamplePartners are the partners of credit/testdata's worked
// example, by the names its events give them: LoadEvents creates them.
var WorkedExamplePartners = map[string]int64{"p7": 7, "p9": 9}

// LoadEvents loads a file of billing events in the format of "partnerdesk
// credit replay" (credit/testdata/worked-example.jsonl) into db: its
// partners (named in WorkedExamplePartners, external id = the name), one
// client per client name (account id = the name, ids from 901), and the
// events. Load may have run before, or only SaveProgram.
func LoadEvents(t testing.TB, db *store.DB, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []fileEvent
	dec := json.NewDecoder(f)
	for dec.More() {
		var e fileEvent
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		events = append(events, e)
	}
	err = db.Bulk(context.Background(), func(b *store.Bulk) error {
		for name, id := range WorkedExamplePartners {
			b.Insert("partners", []string{"id", "external_id", "name", "created_at"}, id, name, "Partner "+strings.ToUpper(name), Now)
		}
		clients := map[string]int64{}
		for _, e := range events {
			if _, ok := clients[e.Client]; !ok {
				clients[e.Client] = 901 + int64(len(clients))
				b.Insert("clients", []string{"id", "account_id", "name", "created_at"}, clients[e.Client], e.Client,
					strings.ToUpper(e.Client[:1])+e.Client[1:], Now)
			}
		}
		for _, e := range events {
			b.Insert("billing_events", []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"},
				e.ID, e.OccurredAt, clients[e.Client], WorkedExamplePartners[e.Partner], e.Product, e.MRR, e.OccurredAt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fileEvent is a line of an event file.
type fileEvent struct {
	ID         string    `json:"id"`
	OccurredAt time.Time `json:"occurred_at"`
	Partner    string    `json:"partner"`
	Client     string    `json:"client"`
	Product    string    `json:"product"`
	MRR        int64     `json:"mrr"`
}
