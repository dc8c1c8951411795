-- Partnerdesk schema, version 1. Portable SQL for SQLite and PostgreSQL;
-- {{pk}} is the one dialect-specific phrase (store/dialect.go). Money is
-- BIGINT minor units; dates are DATE ("YYYY-MM-DD"); times are UTC.

CREATE TABLE program (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    name                   TEXT    NOT NULL,
    currency               TEXT    NOT NULL DEFAULT 'USD',
    time_zone              TEXT    NOT NULL DEFAULT 'UTC',
    refresh_start          TEXT    NOT NULL DEFAULT '06:00',
    refresh_end            TEXT    NOT NULL DEFAULT '08:00',
    credit_expiry_months   INTEGER NOT NULL DEFAULT 12,
    renewal_horizon_days   INTEGER NOT NULL DEFAULT 120,
    decision_deadline_days INTEGER NOT NULL DEFAULT 45,
    review_dates           TEXT    NOT NULL DEFAULT '01-15,07-15'
);

CREATE TABLE tiers (
    code             TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    rank             INTEGER NOT NULL UNIQUE,
    sold_credit_min  BIGINT  NOT NULL DEFAULT 0,
    managed_mrr_min  BIGINT  NOT NULL DEFAULT 0,
    invitation_only  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE products (
    code    TEXT    PRIMARY KEY,
    hub     TEXT    NOT NULL,
    edition TEXT    NOT NULL,
    name    TEXT    NOT NULL,
    bit     INTEGER NOT NULL UNIQUE
);

CREATE TABLE staff (
    id          {{pk}},
    external_id TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('program_admin', 'partner_manager', 'partner_consultant', 'renewal_manager')),
    description TEXT NOT NULL DEFAULT '',
    photo_url   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE partners (
    id                    {{pk}},
    external_id           TEXT      NOT NULL UNIQUE,
    name                  TEXT      NOT NULL,
    country               TEXT      NOT NULL DEFAULT '',
    website               TEXT      NOT NULL DEFAULT '',
    tier_code             TEXT      NOT NULL DEFAULT 'partner' REFERENCES tiers (code),
    elite_invited         BOOLEAN   NOT NULL DEFAULT FALSE,
    crm_link_template     TEXT      NOT NULL DEFAULT '',
    partner_manager_id    BIGINT    REFERENCES staff (id),
    partner_consultant_id BIGINT    REFERENCES staff (id),
    created_at            TIMESTAMP NOT NULL
);
CREATE INDEX partners_name ON partners (name);

CREATE TABLE certifications (
    id         {{pk}},
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    name       TEXT   NOT NULL,
    holder     TEXT   NOT NULL,
    earned_on  DATE   NOT NULL,
    expires_on DATE   NOT NULL
);
CREATE INDEX certifications_partner ON certifications (partner_id);

CREATE TABLE clients (
    id           {{pk}},
    account_id   TEXT      NOT NULL UNIQUE,
    name         TEXT      NOT NULL,
    domain       TEXT      NOT NULL DEFAULT '',
    industry     TEXT      NOT NULL DEFAULT '',
    country      TEXT      NOT NULL DEFAULT '',
    employees    INTEGER   NOT NULL DEFAULT 0,
    account_url  TEXT      NOT NULL DEFAULT '',
    stripe_customer_id TEXT,
    -- Derived from subscription_lines and usage_snapshots, kept in step by
    -- the store so that the clients table sorts and pages without joins.
    mrr          BIGINT    NOT NULL DEFAULT 0,
    product_mask BIGINT    NOT NULL DEFAULT 0,
    engagement   INTEGER   NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE client_contacts (
    id        {{pk}},
    client_id BIGINT NOT NULL REFERENCES clients (id),
    name      TEXT   NOT NULL,
    email     TEXT   NOT NULL,
    title     TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX client_contacts_client ON client_contacts (client_id);

-- A partner's relationship to a client; End services sets ended_on and the
-- row stays as history.
CREATE TABLE client_partners (
    id           {{pk}},
    client_id    BIGINT NOT NULL REFERENCES clients (id),
    partner_id   BIGINT NOT NULL REFERENCES partners (id),
    relationship TEXT   NOT NULL CHECK (relationship IN ('sold', 'managed', 'sold_managed')),
    started_on   DATE   NOT NULL,
    ended_on     DATE
);
CREATE INDEX client_partners_partner ON client_partners (partner_id, ended_on, client_id);
CREATE INDEX client_partners_client ON client_partners (client_id);

-- A partner employee's assigned clients.
CREATE TABLE client_assignments (
    client_id  BIGINT NOT NULL REFERENCES clients (id),
    user_id    BIGINT NOT NULL,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    PRIMARY KEY (client_id, user_id)
);
CREATE INDEX client_assignments_user ON client_assignments (user_id);

CREATE TABLE subscription_lines (
    id                {{pk}},
    external_id       TEXT    NOT NULL UNIQUE,
    client_id         BIGINT  NOT NULL REFERENCES clients (id),
    product_code      TEXT    NOT NULL REFERENCES products (code),
    quantity          INTEGER NOT NULL DEFAULT 1,
    contacts          BIGINT  NOT NULL DEFAULT 0,
    email_send_limit  BIGINT  NOT NULL DEFAULT 0,
    mrr               BIGINT  NOT NULL DEFAULT 0 CHECK (mrr >= 0),
    billing_period    TEXT    NOT NULL DEFAULT 'monthly' CHECK (billing_period IN ('monthly', 'quarterly', 'annual')),
    commitment_months INTEGER NOT NULL DEFAULT 1,
    renewal_date      DATE,
    auto_renew        BOOLEAN NOT NULL DEFAULT TRUE,
    status            TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled'))
);
CREATE INDEX subscription_lines_client ON subscription_lines (client_id);

-- Every change of a subscription line's MRR: the source of truth for credit.
CREATE TABLE billing_events (
    id           {{pk}},
    external_id  TEXT      NOT NULL UNIQUE,
    occurred_at  TIMESTAMP NOT NULL,
    client_id    BIGINT    NOT NULL REFERENCES clients (id),
    partner_id   BIGINT    REFERENCES partners (id),
    product_code TEXT      NOT NULL REFERENCES products (code),
    mrr          BIGINT    NOT NULL CHECK (mrr >= 0),
    received_at  TIMESTAMP NOT NULL
);
CREATE INDEX billing_events_client ON billing_events (client_id, occurred_at);

-- Tools in use (a bitmask over the tool catalogue), active users and seats,
-- per client and day; a day without a row repeats the previous one.
CREATE TABLE usage_snapshots (
    client_id    BIGINT  NOT NULL REFERENCES clients (id),
    day          DATE    NOT NULL,
    tools        BIGINT  NOT NULL DEFAULT 0,
    active_users INTEGER NOT NULL DEFAULT 0,
    seats        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, day)
);

CREATE TABLE renewals (
    id                 {{pk}},
    client_id          BIGINT  NOT NULL REFERENCES clients (id),
    renewal_date       DATE    NOT NULL,
    contract_type      TEXT    NOT NULL CHECK (contract_type IN ('renewal', 'contact_tier_upgrade', 'email_overage')),
    comm_owner         TEXT    NOT NULL DEFAULT 'vendor' CHECK (comm_owner IN ('vendor', 'partner')),
    status             TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'renewed', 'confirmed', 'cancellation_requested')),
    primary_contact_id BIGINT  REFERENCES client_contacts (id),
    renewal_manager_id BIGINT  REFERENCES staff (id),
    current_mrr        BIGINT  NOT NULL DEFAULT 0,
    proposed_mrr       BIGINT  NOT NULL DEFAULT 0,
    proposed_contacts  BIGINT  NOT NULL DEFAULT 0,
    auto_renew         BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (client_id, renewal_date, contract_type)
);
CREATE INDEX renewals_date ON renewals (renewal_date);

CREATE TABLE users (
    id            {{pk}},
    email         TEXT      NOT NULL UNIQUE,
    name          TEXT      NOT NULL,
    password_hash TEXT      NOT NULL,
    role          TEXT      NOT NULL CHECK (role IN ('program_admin', 'partner_manager', 'partner_consultant', 'renewal_manager', 'partner_admin', 'partner_employee')),
    partner_id    BIGINT    REFERENCES partners (id),
    staff_id      BIGINT    REFERENCES staff (id),
    created_at    TIMESTAMP NOT NULL,
    CHECK ((role IN ('partner_admin', 'partner_employee')) = (partner_id IS NOT NULL))
);
CREATE INDEX users_partner ON users (partner_id);

CREATE TABLE renewal_decisions (
    id         {{pk}},
    renewal_id BIGINT    NOT NULL REFERENCES renewals (id),
    decision   TEXT      NOT NULL,
    note       TEXT      NOT NULL DEFAULT '',
    user_id    BIGINT    REFERENCES users (id),
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX renewal_decisions_renewal ON renewal_decisions (renewal_id);

-- Sessions hold a hash of the cookie's token, never the token itself.
CREATE TABLE sessions (
    id           {{pk}},
    token_hash   TEXT      NOT NULL UNIQUE,
    user_id      BIGINT    NOT NULL REFERENCES users (id),
    csrf_token   TEXT      NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT      NOT NULL DEFAULT '',
    user_agent   TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           {{pk}},
    name         TEXT      NOT NULL,
    token_hash   TEXT      NOT NULL UNIQUE,
    scope        TEXT      NOT NULL CHECK (scope IN ('ingest', 'read')),
    partner_id   BIGINT    REFERENCES partners (id),
    created_by   BIGINT    REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE TABLE audit_log (
    id         {{pk}},
    at         TIMESTAMP NOT NULL,
    user_id    BIGINT    REFERENCES users (id),
    token_id   BIGINT    REFERENCES api_tokens (id),
    partner_id BIGINT    REFERENCES partners (id),
    action     TEXT      NOT NULL,
    entity     TEXT      NOT NULL,
    entity_id  TEXT      NOT NULL,
    detail     TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_partner ON audit_log (partner_id, at);
