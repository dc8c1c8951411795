-- The Stripe webhook's own state (docs/stripe.md). A client's subscription
-- line is one product; Stripe may bill that product in several
-- subscriptions of one customer, so the webhook keeps each subscription's
-- latest state and gives the line the sum of them all.
CREATE TABLE stripe_subscriptions (
    subscription_id TEXT      PRIMARY KEY,
    client_id       BIGINT    NOT NULL REFERENCES clients (id),
    -- The event the state is from, and how it orders among events of the
    -- same second (Stripe's created is in whole seconds).
    event_id        TEXT      NOT NULL,
    event_at        TIMESTAMP NOT NULL,
    event_rank      INTEGER   NOT NULL,
    status          TEXT      NOT NULL,
    prev_status     TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX stripe_subscriptions_client ON stripe_subscriptions (client_id);

-- Each item of those subscriptions: its product and its exact MRR in the
-- program's minor units (a fraction, "n" or "n/d", rounded only in the sum).
-- unconfirmed: discounts the delivery named by id only could not be read.
CREATE TABLE stripe_items (
    subscription_id TEXT    NOT NULL REFERENCES stripe_subscriptions (subscription_id),
    item_id         TEXT    NOT NULL,
    product_code    TEXT    NOT NULL,
    mrr             TEXT    NOT NULL,
    unconfirmed     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (subscription_id, item_id)
);

-- Every subscription event the webhook accepted, so that a redelivery is a
-- no-op; attention lists, space-separated, what a program admin should look
-- at (docs/stripe.md), and detail the ids or amounts concerned.
CREATE TABLE stripe_events (
    event_id        TEXT      PRIMARY KEY,
    received_at     TIMESTAMP NOT NULL,
    occurred_at     TIMESTAMP NOT NULL,
    event_type      TEXT      NOT NULL,
    customer        TEXT      NOT NULL,
    subscription_id TEXT      NOT NULL,
    partner         TEXT      NOT NULL DEFAULT '',
    attention       TEXT      NOT NULL DEFAULT '',
    detail          TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX stripe_events_attention ON stripe_events (attention, received_at);

-- The program's own exchange rates, as partner programs fix them: one unit
-- of currency is worth rate units of the program's currency (a decimal).
-- The Stripe webhook converts subscriptions in these currencies with them
-- and refuses those in any other.
CREATE TABLE currency_rates (
    currency TEXT PRIMARY KEY,
    rate     TEXT NOT NULL
);
