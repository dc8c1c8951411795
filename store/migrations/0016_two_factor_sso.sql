-- Two-factor sign-in and single sign-on.
--
-- A user's TOTP secret, sealed (encrypted) by the server before it is
-- stored; confirmed_at is set once the user has entered a code from their
-- app, and only then is a code asked at sign-in. last_step is the last
-- 30-second step whose code was accepted: a code of that step or an
-- earlier one is never accepted again.
CREATE TABLE two_factor (
    user_id      BIGINT    PRIMARY KEY REFERENCES users (id),
    secret       TEXT      NOT NULL,
    last_step    BIGINT    NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);

-- Recovery codes, each usable once, stored as SHA-256 hashes.
CREATE TABLE recovery_codes (
    user_id   BIGINT    NOT NULL REFERENCES users (id),
    code_hash TEXT      NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right and whose code is awaited: the
-- browser holds the token (signed), the database its hash; the row is
-- deleted when a code completes it, so the token works once.
CREATE TABLE pending_sign_ins (
    token_hash TEXT      PRIMARY KEY,
    user_id    BIGINT    NOT NULL REFERENCES users (id),
    next       TEXT      NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX pending_sign_ins_expiry ON pending_sign_ins (expires_at);

-- How a session was signed in: password, two_factor (password and code)
-- or sso.
ALTER TABLE sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password';

-- The program's sign-in rules: program admins who sign in with a password
-- must use two-factor sign-in; users of the listed email domains (one per
-- line) must sign in with single sign-on.
ALTER TABLE program ADD COLUMN admin_two_factor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE program ADD COLUMN sso_domains TEXT NOT NULL DEFAULT '';
