-- The public partner directory and its leads.
--
-- A partner's profile has at most two rows: the published one, which the
-- directory shows, and the one waiting for a vendor staff member's
-- approval when the program asks for it. Approving replaces the first by
-- the second. Lists are kept as '|a|b|' so that a filter is one LIKE; the
-- pipe is refused in entries. search holds the lower-case name and
-- description that the text search reads.
CREATE TABLE directory_profiles (
    partner_id  BIGINT    NOT NULL REFERENCES partners (id),
    state       TEXT      NOT NULL CHECK (state IN ('published', 'pending')),
    slug        TEXT      NOT NULL,
    description TEXT      NOT NULL DEFAULT '',
    services    TEXT      NOT NULL DEFAULT '|',
    industries  TEXT      NOT NULL DEFAULT '|',
    countries   TEXT      NOT NULL DEFAULT '|',
    languages   TEXT      NOT NULL DEFAULT '|',
    website     TEXT      NOT NULL DEFAULT '',
    logo_url    TEXT      NOT NULL DEFAULT '',
    lead_email  TEXT      NOT NULL DEFAULT '',
    search      TEXT      NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, state)
);
CREATE UNIQUE INDEX directory_profiles_slug ON directory_profiles (slug, state);

-- Publishing is automatic unless the program asks for approval; the
-- services a profile may list are the program's, one per line.
ALTER TABLE program ADD COLUMN directory_approval BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE program ADD COLUMN directory_services TEXT NOT NULL DEFAULT '';

-- Leads sent through a profile's contact form, for the partner's Leads page.
CREATE TABLE leads (
    id         {{pk}},
    partner_id BIGINT    NOT NULL REFERENCES partners (id),
    name       TEXT      NOT NULL,
    email      TEXT      NOT NULL,
    company    TEXT      NOT NULL DEFAULT '',
    message    TEXT      NOT NULL,
    status     TEXT      NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'won', 'lost')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX leads_partner ON leads (partner_id, created_at);
