-- The tier rules over time, and revoked certifications (docs/tiers.md).
--
-- A program admin's change of the tier rules takes effect from a date and
-- the rules before it stay, so that each day is judged by the rules in
-- force on it. Before the first change, the rules are those the program
-- started with: the tiers table and program.review_dates,
-- tier_grace_reviews and tier_min_app_usage. Each change is a whole rule
-- set; the rules in force on a day are the set with the latest
-- effective_from on or before it. A set that has not taken effect yet may
-- be replaced or cancelled; the others are history.
CREATE TABLE tier_rule_sets (
    id             {{pk}},
    effective_from DATE      NOT NULL UNIQUE,
    review_dates   TEXT      NOT NULL, -- MM-DD separated by commas, as program.review_dates
    grace_reviews  INTEGER   NOT NULL CHECK (grace_reviews >= 0),
    min_app_usage  INTEGER   NOT NULL CHECK (min_app_usage >= 0),
    created_at     TIMESTAMP NOT NULL
);

-- Each tier of a rule set. The tiers table stays the catalogue of tiers
-- (their codes and ranks, which partners.tier_code refers to).
CREATE TABLE tier_rule_tiers (
    rule_set_id     BIGINT  NOT NULL REFERENCES tier_rule_sets (id),
    tier_code       TEXT    NOT NULL REFERENCES tiers (code),
    name            TEXT    NOT NULL,
    sold_credit_min BIGINT  NOT NULL CHECK (sold_credit_min >= 0),
    managed_mrr_min BIGINT  NOT NULL CHECK (managed_mrr_min >= 0),
    invitation_only BOOLEAN NOT NULL,
    PRIMARY KEY (rule_set_id, tier_code)
);

-- A revoked certification is valid until the day of its revocation, so
-- that the days before it are still judged with it.
ALTER TABLE certifications ADD COLUMN revoked_on DATE;

-- The program's list of certifications filters and sorts by expiry.
CREATE INDEX certifications_expires ON certifications (expires_on);
