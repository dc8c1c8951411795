-- Tier credit, tier snapshots and the daily refresh (docs/credit.md,
-- docs/tiers.md, docs/refresh.md).
--
-- The daily refresh runs the credit ledger over the billing events and
-- writes snapshots that the Tier tab reads: the pages never run the ledger.
-- Every snapshot row carries the number of the snapshot that wrote it, and
-- credit_state names the one the pages read, so that a page never mixes two
-- refreshes while the next one is being written. The snapshot tables are
-- derived and replaced wholesale: they have no foreign keys.

-- Tier settings besides the tiers table and program.review_dates.
ALTER TABLE program ADD COLUMN tier_grace_reviews INTEGER NOT NULL DEFAULT 1; -- reviews below the assigned tier before a demotion
ALTER TABLE program ADD COLUMN tier_min_app_usage INTEGER NOT NULL DEFAULT 3; -- every tier above the entry tier needs this average app usage

-- One row a program day: the claim that makes the daily refresh run once a
-- day whatever the number of server processes, and how it went. A run that
-- failed, or stopped answering, may be claimed again.
CREATE TABLE refresh_runs (
    id          {{pk}},
    day         DATE      NOT NULL UNIQUE,
    status      TEXT      NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    worker      TEXT      NOT NULL DEFAULT '', -- host and process that claimed it
    attempts    INTEGER   NOT NULL DEFAULT 1,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    mode        TEXT      NOT NULL DEFAULT '', -- full, expiries or unchanged: what the credit needed
    events      BIGINT    NOT NULL DEFAULT 0,  -- billing events read
    message     TEXT      NOT NULL DEFAULT ''  -- the error of a failed run
);

-- The snapshot the pages read, and what the ledger last read to make it.
CREATE TABLE credit_state (
    id            INTEGER   PRIMARY KEY CHECK (id = 1),
    snapshot      BIGINT    NOT NULL,
    as_of         DATE      NOT NULL, -- the ledger is closed through this day
    taken_at      TIMESTAMP NOT NULL,
    events        BIGINT    NOT NULL, -- billing events when the ledger read them
    max_event_id  BIGINT    NOT NULL, -- and the largest id: new events change either
    later_events  BIGINT    NOT NULL, -- events dated after as_of, left for their day
    expiry_months INTEGER   NOT NULL,
    time_zone     TEXT      NOT NULL,
    last_review   DATE              -- the last tier review applied
);

-- Each partner's credit month by month, from its first month with credit
-- to the month of as_of (month to date).
CREATE TABLE credit_months (
    snapshot     BIGINT NOT NULL,
    partner_id   BIGINT NOT NULL,
    month        DATE   NOT NULL, -- its first day
    opening      BIGINT NOT NULL,
    new          BIGINT NOT NULL,
    upgraded     BIGINT NOT NULL, -- returning clients included
    decreased    BIGINT NOT NULL,
    expired_lost BIGINT NOT NULL, -- expired, lost and transferred
    closing      BIGINT NOT NULL,
    PRIMARY KEY (snapshot, partner_id, month)
);

-- Each client's credit with each partner it ever moved credit for: where
-- it stands on as_of, and all its movements, oldest first, as
-- "YYYY-MM-DD k amount" separated by ";", k being n(ew), u(pgraded),
-- r(eturning), d(ecreased), l(ost), e(xpired) or t(ransferred). One row a
-- client and partner rather than one a movement: the refresh writes a
-- million of these, not fifteen million.
CREATE TABLE credit_clients (
    snapshot      BIGINT NOT NULL,
    partner_id    BIGINT NOT NULL,
    client_id     BIGINT NOT NULL,
    credit        BIGINT NOT NULL, -- on as_of; 0 unless the partner holds the client's credit
    last_purchase DATE,            -- set while the partner holds it: the client's last purchase
    expires       DATE,            -- and when the credit ends unless the client buys again
    last_sale     DATE   NOT NULL, -- the last purchase credited to this partner
    movements     TEXT   NOT NULL
);
-- Covers the queries that need no movements: a partner's current credit,
-- its expiries, its recent sales.
CREATE INDEX credit_clients_partner ON credit_clients (snapshot, partner_id, client_id, credit, expires, last_sale);
-- A page of the Total list, largest credit first, without a sort.
CREATE INDEX credit_clients_credit ON credit_clients (snapshot, partner_id, credit, client_id, expires);

-- Each partner's tier figures on as_of.
CREATE TABLE tier_snapshots (
    snapshot         BIGINT  NOT NULL,
    partner_id       BIGINT  NOT NULL,
    performance_tier TEXT    NOT NULL,
    assigned_tier    TEXT    NOT NULL,
    sold_credit      BIGINT  NOT NULL,
    managed_mrr      BIGINT  NOT NULL,
    managed_clients  INTEGER NOT NULL,
    usage_x2         INTEGER NOT NULL, -- twice the median tools in use, so that a median of an even count stays whole
    usage_clients    INTEGER NOT NULL,
    certified        BOOLEAN NOT NULL,
    reviews_below    INTEGER NOT NULL, -- the grace used: reviews in a row that found it below its assigned tier
    PRIMARY KEY (snapshot, partner_id)
);

-- Every tier review of every partner.
CREATE TABLE tier_reviews (
    partner_id       BIGINT  NOT NULL REFERENCES partners (id),
    review_on        DATE    NOT NULL,
    performance_tier TEXT    NOT NULL,
    tier_before      TEXT    NOT NULL,
    tier_after       TEXT    NOT NULL,
    reviews_below    INTEGER NOT NULL,
    PRIMARY KEY (partner_id, review_on)
);
