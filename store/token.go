package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// API tokens: created by a program admin, shown once, stored as a SHA-256
// hash like session tokens, scoped, revocable.

// tokenPrefix marks Partnerdesk tokens, so that secret scanners and people
// can recognise one.
const tokenPrefix = "pdk_"

// lastUsedGranularity bounds how often using a token writes its last-used
// time, so that API reads do not each take the write lock.
const lastUsedGranularity = time.Minute

// Token is an API token as listed (never with its secret).
type Token struct {
	ID          int64
	Name        string
	Scope       pd.TokenScope
	PartnerID   int64
	PartnerName string
	// PartnerExternalID is the partner's id in the vendor's systems: the
	// API's paths take it or PartnerID.
	PartnerExternalID string
	CreatedBy         string
	CreatedAt         time.Time
	LastUsedAt        *time.Time
	RevokedAt         *time.Time
}

// NewToken is what CreateToken needs: a read token names its partner (by
// id, or by external id for the command line).
type NewToken struct {
	Name              string
	Scope             pd.TokenScope
	PartnerID         int64
	PartnerExternalID string
}

// CreateToken creates an API token and returns it with its secret, which
// is not stored and cannot be shown again. Program admins only.
func (db *DB) CreateToken(ctx context.Context, nt NewToken) (*Token, string, error) {
	p, err := requireRole(ctx, pd.RoleProgramAdmin)
	if err != nil {
		return nil, "", err
	}
	nt.Name = strings.TrimSpace(nt.Name)
	switch {
	case nt.Name == "" || len(nt.Name) > 200:
		return nil, "", pd.Errorf(pd.EInvalid, "A token needs a name of at most 200 characters, saying what uses it.")
	case !nt.Scope.Valid():
		return nil, "", pd.Errorf(pd.EInvalid, "The scope must be ingest, read or partner.")
	case nt.Scope.Reads() && nt.PartnerID == 0 && nt.PartnerExternalID == "":
		return nil, "", pd.Errorf(pd.EInvalid, "A %s token reads one partner's data: choose the partner.", nt.Scope)
	case nt.Scope == pd.ScopeIngest && (nt.PartnerID != 0 || nt.PartnerExternalID != ""):
		return nil, "", pd.Errorf(pd.EInvalid, "An ingest token writes program-wide data: it has no partner.")
	}
	secret := tokenPrefix + randomToken()
	tok := &Token{Name: nt.Name, Scope: nt.Scope, CreatedBy: p.Name}
	err = db.update(ctx, func(t *tx) error {
		tok.PartnerID = nt.PartnerID
		if nt.PartnerExternalID != "" {
			err := t.queryRow(ctx, "SELECT id FROM partners WHERE external_id = ?", nt.PartnerExternalID).Scan(&tok.PartnerID)
			if err == sql.ErrNoRows {
				return pd.Errorf(pd.ENotFound, "No partner has the id %q.", nt.PartnerExternalID)
			} else if err != nil {
				return err
			}
		}
		if tok.PartnerID != 0 {
			if err := t.queryRow(ctx, "SELECT name, external_id FROM partners WHERE id = ?", tok.PartnerID).Scan(&tok.PartnerName, &tok.PartnerExternalID); err == sql.ErrNoRows {
				return pd.Errorf(pd.ENotFound, "Partner not found.")
			} else if err != nil {
				return err
			}
		}
		tok.CreatedAt = t.now
		var err error
		tok.ID, err = t.insert(ctx, `INSERT INTO api_tokens (name, token_hash, scope, partner_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, tok.Name, hashToken(secret), string(tok.Scope), nullID(tok.PartnerID), nullID(p.UserID), t.now)
		if err != nil {
			return err
		}
		return audit(ctx, t, tok.PartnerID, "create_token", "api_token", fmt.Sprint(tok.ID), fmt.Sprintf("%s (%s)", tok.Name, tok.Scope))
	})
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	return tok, secret, nil
}

// ListTokens lists every API token, newest first. Program admins only.
func (db *DB) ListTokens(ctx context.Context) ([]Token, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var ts []Token
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT k.id, k.name, k.scope, COALESCE(k.partner_id, 0), COALESCE(p.name, ''),
				COALESCE(p.external_id, ''), COALESCE(u.name, ''), k.created_at, k.last_used_at, k.revoked_at
			FROM api_tokens k LEFT JOIN partners p ON p.id = k.partner_id LEFT JOIN users u ON u.id = k.created_by
			ORDER BY k.id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k Token
			var scope string
			var used, revoked sql.NullTime
			if err := rows.Scan(&k.ID, &k.Name, &scope, &k.PartnerID, &k.PartnerName, &k.PartnerExternalID, &k.CreatedBy, &k.CreatedAt, &used, &revoked); err != nil {
				return err
			}
			k.Scope = pd.TokenScope(scope)
			if used.Valid {
				k.LastUsedAt = &used.Time
			}
			if revoked.Valid {
				k.RevokedAt = &revoked.Time
			}
			ts = append(ts, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes a token at once. Program admins only.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		var name string
		var partnerID sql.NullInt64
		err := t.queryRow(ctx, "SELECT name, partner_id FROM api_tokens WHERE id = ? AND revoked_at IS NULL", id).Scan(&name, &partnerID)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.ENotFound, "No active token has the id %d.", id)
		} else if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if _, err := t.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", t.now, id); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return audit(ctx, t, partnerID.Int64, "revoke_token", "api_token", fmt.Sprint(id), name)
	})
}

// TokenPrincipal returns the principal of a live API token and notes its
// use (at most once a minute, and only if the write lock is free at once:
// the request does not wait for it).
func (db *DB) TokenPrincipal(ctx context.Context, secret string) (*pd.Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return nil, pd.Errorf(pd.EUnauthorized, "This API token is not valid.")
	}
	var p pd.Principal
	var scope string
	var partnerID sql.NullInt64
	var used sql.NullTime
	err := db.view(ctx, func(t *tx) error {
		// A deactivated partner's read and partner tokens stop with its users.
		return t.queryRow(ctx, `SELECT k.id, k.name, k.scope, k.partner_id, k.last_used_at FROM api_tokens k
			LEFT JOIN partners p ON p.id = k.partner_id
			WHERE k.token_hash = ? AND k.revoked_at IS NULL AND p.deactivated_at IS NULL`, hashToken(secret)).
			Scan(&p.TokenID, &p.Name, &scope, &partnerID, &used)
	})
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.EUnauthorized, "This API token is not valid or has been revoked.")
	} else if err != nil {
		return nil, fmt.Errorf("load token: %w", err)
	}
	p.Scope, p.PartnerID = pd.TokenScope(scope), partnerID.Int64
	if now := db.now(); !used.Valid || now.Sub(used.Time) >= lastUsedGranularity {
		db.housekeep(ctx, "noting a token's use", func(ctx context.Context, t *tx) error {
			_, err := t.exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", t.now, p.TokenID)
			return err
		})
	}
	return &p, nil
}
