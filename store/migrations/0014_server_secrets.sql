-- Secrets that every server sharing the database must agree on, made by
-- the first server that needs one: the key that signs the sign-in form's
-- CSRF token, so that a form served by one server may be posted to another.
CREATE TABLE server_secrets (
    name       TEXT      PRIMARY KEY,
    value      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);
