-- Accounts that people run themselves: invitations, password resets,
-- deactivation, digests, and the sessions they see on their account page.

-- A user is invited (no password yet: password_hash is ''), active, or
-- deactivated (deactivated_at set: it cannot sign in, its sessions are
-- gone, its history stays).
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE users ADD COLUMN invited_at TIMESTAMP;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMP;
-- Whether the user gets the daily digest of renewal decisions.
ALTER TABLE users ADD COLUMN digest_emails BOOLEAN NOT NULL DEFAULT TRUE;

-- When a session last made a request (written at most every few minutes).
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
UPDATE sessions SET last_seen_at = created_at;

-- The secrets of the links sent by email (a password reset, an
-- invitation): only their SHA-256 is stored, like a session's. A link
-- works once (used_at), until expires_at.
CREATE TABLE user_tokens (
    token_hash TEXT      PRIMARY KEY,
    purpose    TEXT      NOT NULL CHECK (purpose IN ('password_reset', 'invitation')),
    user_id    BIGINT    NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- The daily digest lists the renewal decisions whose deadline comes within
-- this many days (0: no digest).
ALTER TABLE program ADD COLUMN digest_days INTEGER NOT NULL DEFAULT 14;
