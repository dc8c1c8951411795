-- Confirmation links: a partner asks a client (or a prospect, named by its
-- company and domain) to confirm the partner's part in a purchase. The
-- link's token is kept only as its SHA-256; the client answers once.
-- status holds what happened; "expired" (pending past expires_at) and
-- "used" (confirmed, credit window over) are read from the dates.
CREATE TABLE confirmation_links (
    id              {{pk}},
    partner_id      BIGINT    NOT NULL REFERENCES partners (id),
    client_id       BIGINT    REFERENCES clients (id),
    prospect_name   TEXT      NOT NULL DEFAULT '',
    prospect_domain TEXT      NOT NULL DEFAULT '',
    services        TEXT      NOT NULL DEFAULT '',
    expected_mrr    BIGINT    NOT NULL DEFAULT 0 CHECK (expected_mrr >= 0),
    token_hash      TEXT      NOT NULL UNIQUE,
    status          TEXT      NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected', 'cancelled')),
    created_by      BIGINT,
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    answered_at     TIMESTAMP,
    -- The credit window, in the program's days, set on confirmation.
    credit_from     DATE,
    credit_to       DATE,
    reason          TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX confirmation_links_partner ON confirmation_links (partner_id, created_at);
CREATE INDEX confirmation_links_client ON confirmation_links (client_id, status);
CREATE INDEX confirmation_links_prospect ON confirmation_links (prospect_domain, client_id);

CREATE TABLE confirmation_link_products (
    link_id      BIGINT  NOT NULL REFERENCES confirmation_links (id),
    product_code TEXT    NOT NULL REFERENCES products (code),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (link_id, product_code)
);

ALTER TABLE program ADD COLUMN confirmation_expiry_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE program ADD COLUMN confirmation_credit_days INTEGER NOT NULL DEFAULT 90;

-- How many confirmed links of clients the credit snapshot was made with:
-- a new one makes the next refresh run the ledger again.
ALTER TABLE credit_state ADD COLUMN links BIGINT NOT NULL DEFAULT 0;
