package store_test

import (
	"context"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Migration 0027 admits the partner scope, which SQLite can do only by
// rebuilding api_tokens: the tokens keep their ids and the audit log its
// references to them; an unknown scope is still refused.
func TestMigrationAdmitsThePartnerScopeAndKeepsTokens(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.OpenEmpty(t, st.Clock)
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, 26); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(ctx, `INSERT INTO tiers (code, name, rank) VALUES ('partner', 'Partner', 0)`); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO partners (id, external_id, name, created_at) VALUES (7, 'p-7', 'Seven', ?)`,
			`INSERT INTO api_tokens (id, name, token_hash, scope, partner_id, created_at) VALUES (41, 'BI', 'h41', 'read', 7, ?)`,
			`INSERT INTO api_tokens (id, name, token_hash, scope, created_at) VALUES (42, 'Sync', 'h42', 'ingest', ?)`,
			`INSERT INTO audit_log (at, token_id, action, entity, entity_id) VALUES (?, 42, 'ingest', 'batch', '1')`,
		} {
			if err := db.ExecForTest(ctx, q, st.Now); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := db.ExecForTest(ctx, `INSERT INTO api_tokens (name, token_hash, scope, partner_id, created_at) VALUES ('P', 'h0', 'partner', 7, ?)`, st.Now); err == nil {
			t.Fatal("a partner token before the migration")
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM api_tokens k JOIN audit_log a ON a.token_id = k.id
			WHERE k.id = 42 AND k.scope = 'ingest'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the ingest token's audit entry: %d, %v", n, err)
		}
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM api_tokens WHERE id = 41 AND partner_id = 7 AND token_hash = 'h41'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the read token: %d, %v", n, err)
		}
		if err := db.ExecForTest(ctx, `INSERT INTO api_tokens (name, token_hash, scope, partner_id, created_at) VALUES ('P', 'h43', 'partner', 7, ?)`, st.Now); err != nil {
			t.Errorf("a partner token: %v", err)
		}
		for _, q := range []string{
			`INSERT INTO api_tokens (name, token_hash, scope, created_at) VALUES ('X', 'h44', 'admin', ?)`,
			`INSERT INTO audit_log (at, token_id, action, entity, entity_id) VALUES (?, 999, 'x', 'y', '1')`,
		} {
			if err := db.ExecForTest(ctx, q, st.Now); err == nil {
				t.Errorf("%s: accepted", q)
			}
		}
	})
}
