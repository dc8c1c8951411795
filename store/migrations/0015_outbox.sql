-- Outgoing email waits here, rendered, until a worker delivers it: queued
-- in the transaction of the change it tells about (an invitation and its
-- email commit together, or neither does), so that an SMTP outage or a
-- restart loses nothing. A worker claims a message for a while
-- (claimed_by, claimed_until) before sending it, so that two servers never
-- send one twice; a claim that ran out (its worker died) is taken again.
-- After a failed attempt the message waits until next_attempt_at; it ends
-- sent, or failed when the worker gives up. dedupe_key, when set, makes a
-- message once only (a user's digest of a day).
CREATE TABLE outbox (
    id               {{pk}},
    kind             TEXT      NOT NULL,
    recipient        TEXT      NOT NULL,
    recipient_name   TEXT      NOT NULL DEFAULT '',
    user_id          BIGINT    REFERENCES users (id),
    subject          TEXT      NOT NULL,
    text_body        TEXT      NOT NULL,
    html_body        TEXT      NOT NULL,
    list_unsubscribe TEXT      NOT NULL DEFAULT '',
    message_id       TEXT      NOT NULL UNIQUE,
    dedupe_key       TEXT      UNIQUE,
    status           TEXT      NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    created_at       TIMESTAMP NOT NULL,
    attempts         INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    claimed_by       TEXT,
    claimed_until    TIMESTAMP,
    sent_at          TIMESTAMP,
    last_error       TEXT      NOT NULL DEFAULT ''
);
-- The worker's question: which queued messages are due.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
-- The program admin's list, newest first, and the purge of old ones.
CREATE INDEX outbox_created ON outbox (created_at, id);
