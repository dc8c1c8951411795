package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// API tokens of the fixture, with known secrets (the store keeps only
// their SHA-256, like for any token).
const (
	IngestToken = "pdk_fixture-ingest-token-0000000000000000000000"
	AlphaToken  = "pdk_fixture-alpha-read-token-00000000000000000000"
	BetaToken   = "pdk_fixture-beta-read-token-000000000000000000000"
	// RevokedToken was an ingest token.
	RevokedToken = "pdk_fixture-revoked-token-000000000000000000000000"

	IngestTokenID, AlphaReadTokenID, BetaReadTokenID, RevokedTokenID = 1, 2, 3, 4
)

// loadAPI adds the fixture's API tokens and Stripe customer ids: Northwind
// is cus_northwind, Hooli cus_hooli.
func loadAPI(t testing.TB, db *store.DB) {
	t.Helper()
	hash := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		cols := []string{"id", "name", "token_hash", "scope", "partner_id", "created_at", "revoked_at"}
		b.Insert("api_tokens", cols, IngestTokenID, "Billing sync", hash(IngestToken), "ingest", nil, Now, nil)
		b.Insert("api_tokens", cols, AlphaReadTokenID, "Alpha's BI", hash(AlphaToken), "read", AlphaID, Now, nil)
		b.Insert("api_tokens", cols, BetaReadTokenID, "Beta's BI", hash(BetaToken), "read", BetaID, Now, nil)
		return b.Insert("api_tokens", cols, RevokedTokenID, "Old sync", hash(RevokedToken), "ingest", nil, Now, Now)
	})
	if err != nil {
		t.Fatal(err)
	}
	stripe := map[int64]string{Northwind: "cus_northwind", Hooli: "cus_hooli"}
	var recs []pd.ClientRecord
	for _, c := range clients {
		if id, ok := stripe[c.id]; ok {
			recs = append(recs, pd.ClientRecord{ID: "acct-" + c.domain, Name: c.name, Domain: c.domain, Industry: "Software",
				Country: "FR", Employees: 120, AccountURL: "https://app.vendor.example/accounts/" + c.domain, StripeCustomerID: id})
		}
	}
	operator := pd.WithPrincipal(context.Background(), &pd.Principal{Name: "Fixture", Role: pd.RoleProgramAdmin})
	if _, err := db.Ingest(operator, false, func(in *store.Ingest) error { return in.Clients(recs, 0) }); err != nil {
		t.Fatal(err)
	}
}

// BenchProducts are the products of the clients LoadBenchClients adds.
var BenchProducts = []string{"marketing-pro", "sales-starter", "service-enterprise"}

// LoadBenchClients adds n clients (account ids acct-b000000 on, ids from
// 10,000), each with a line of every BenchProducts product whose latest
// event is from 2019: a program that ingest benchmarks feed with events.
func LoadBenchClients(t testing.TB, db *store.DB, n int) {
	t.Helper()
	then := time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC)
	var mask int64
	for _, code := range BenchProducts {
		p, _ := pd.ProductByCode(code)
		mask |= p.Mask()
	}
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		for i := range n {
			id := int64(10_000 + i)
			if err := b.Insert("clients", []string{"id", "account_id", "name", "mrr", "product_mask", "created_at"},
				id, fmt.Sprintf("acct-b%06d", i), fmt.Sprintf("Client %d", i), int64(3000), mask, Now); err != nil {
				return err
			}
		}
		for i := range n {
			for j, code := range BenchProducts {
				if err := b.Insert("subscription_lines", []string{"id", "external_id", "client_id", "product_code", "mrr", "mrr_event_at", "mrr_event_id"},
					int64(1000+3*i+j), fmt.Sprintf("line-b%06d-%d", i, j), int64(10_000+i), code, int64(1000), then, "seed"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
