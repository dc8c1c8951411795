package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
)

// ServerSecret returns the secret named name, 32 random bytes made the
// first time any server asks for it, so that every server sharing the
// database holds the same one. Once made, it is only read.
func (db *DB) ServerSecret(ctx context.Context, name string) ([]byte, error) {
	const get = "SELECT value FROM server_secrets WHERE name = ?"
	var v string
	err := db.view(ctx, func(t *tx) error { return t.queryRow(ctx, get, name).Scan(&v) })
	if err == sql.ErrNoRows {
		err = db.update(ctx, func(t *tx) error {
			// Another server may make it first: then its value is the one.
			if _, err := t.exec(ctx, `INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)
				ON CONFLICT (name) DO NOTHING`, name, randomToken(), t.now); err != nil {
				return err
			}
			return t.queryRow(ctx, get, name).Scan(&v)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("read the server secret %s: %w", name, err)
	}
	key, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("read the server secret %s: %w", name, err)
	}
	return key, nil
}
