-- The program admin runs partners from the browser (docs/dashboard.md):
-- deactivation, assigned tiers set by hand, and the program-wide audit log.

-- Set while a partner is deactivated: its users cannot sign in and their
-- sessions stop working; its data and credit history stay.
ALTER TABLE partners ADD COLUMN deactivated_at TIMESTAMP;

-- The partners list's first page, by name, reads its 50 rows off this
-- index instead of sorting every partner.
CREATE INDEX partners_lower_name ON partners (lower(name), id);

-- Every assigned tier a program admin set by hand, with the reason the
-- Tier tab shows.
CREATE TABLE tier_assignments (
    id          {{pk}},
    partner_id  BIGINT    NOT NULL REFERENCES partners (id),
    tier_before TEXT      NOT NULL,
    tier_code   TEXT      NOT NULL REFERENCES tiers (code),
    reason      TEXT      NOT NULL,
    user_id     BIGINT    REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL
);
CREATE INDEX tier_assignments_partner ON tier_assignments (partner_id, id);

-- What made an entry no user or token made: 'webhook:stripe', the
-- command line ('command_line'), or the daily refresh (''). Entries
-- written before say so in their detail only.
ALTER TABLE audit_log ADD COLUMN origin TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET origin = 'webhook:stripe'
    WHERE user_id IS NULL AND token_id IS NULL AND detail LIKE '%(by the stripe webhook)';

-- The program's audit log pages newest first (by id), by action (and its
-- list of actions), by user and by date.
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- The partners list tells, for each partner, whether it holds a
-- certification valid today, from this index alone.
CREATE INDEX certifications_valid ON certifications (partner_id, expires_on, earned_on);

-- The partners list counts each partner's renewal decisions due (the
-- Alerts count) by the partner owning the communication.
CREATE INDEX renewals_owner_pending ON renewals (comm_partner_id, renewal_date)
    WHERE status = 'pending' AND comm_owner = 'partner';
