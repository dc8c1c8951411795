-- The address a confirmation link was emailed to at its creation, and its
-- contact's name ("" when the partner copied the link instead): the token
-- is never stored, so the email can only go out then, and the list says
-- to whom it went.
ALTER TABLE confirmation_links ADD COLUMN emailed_to TEXT NOT NULL DEFAULT '';
ALTER TABLE confirmation_links ADD COLUMN emailed_name TEXT NOT NULL DEFAULT '';

-- A partner token reads one partner's data, like a read token, and creates
-- its confirmation links. SQLite cannot change a CHECK constraint: the
-- table is rebuilt. audit_log's references to it stay by name; deferred,
-- they are checked at commit, once the rows are back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE api_tokens_0027 AS SELECT * FROM api_tokens;
DROP TABLE api_tokens;
CREATE TABLE api_tokens (
    id           {{pk}},
    name         TEXT      NOT NULL,
    token_hash   TEXT      NOT NULL UNIQUE,
    scope        TEXT      NOT NULL CHECK (scope IN ('ingest', 'read', 'partner')),
    partner_id   BIGINT    REFERENCES partners (id),
    created_by   BIGINT    REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
INSERT INTO api_tokens (id, name, token_hash, scope, partner_id, created_by, created_at, last_used_at, revoked_at)
    SELECT id, name, token_hash, scope, partner_id, created_by, created_at, last_used_at, revoked_at FROM api_tokens_0027;
DROP TABLE api_tokens_0027;
CREATE INDEX api_tokens_partner ON api_tokens (partner_id);
