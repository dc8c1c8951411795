-- Renewals page, platform engagement index page and Team tab.

-- Who owns renewal communication for a client that has no setting of its
-- own (clients.comm_owner NULL).
ALTER TABLE program ADD COLUMN default_comm_owner TEXT NOT NULL DEFAULT 'vendor'
    CHECK (default_comm_owner IN ('vendor', 'partner'));

-- A client's communication owner; NULL follows the program's default.
-- Setting it also sets the owner of the client's upcoming pending renewals.
ALTER TABLE clients ADD COLUMN comm_owner TEXT CHECK (comm_owner IN ('vendor', 'partner'));

-- What a history entry changed, besides the decision itself: the new
-- owner, or the new primary contact's name.
ALTER TABLE renewal_decisions ADD COLUMN detail TEXT NOT NULL DEFAULT '';

-- The Renewals page and the Alerts filter and count a partner's renewals
-- by date, status, owner and type without reading the rows.
CREATE INDEX renewals_client_date ON renewals (client_id, renewal_date, status, comm_owner, contract_type);

-- The daily refresh finds pending renewals past their deadline, and the
-- subscription lines whose renewal comes inside the horizon.
CREATE INDEX renewals_status_date ON renewals (status, renewal_date);
CREATE INDEX subscription_lines_renewal ON subscription_lines (renewal_date);

-- A partner's engagement at the end of each closed month, kept by the
-- daily refresh (RefreshEngagement) so that the trend does not replay a
-- year of usage snapshots on every page view.
CREATE TABLE engagement_monthly (
    partner_id  BIGINT    NOT NULL REFERENCES partners (id),
    month       DATE      NOT NULL, -- its first day; figures as of its last day
    clients     INTEGER   NOT NULL,
    index_sum   INTEGER   NOT NULL,
    low         INTEGER   NOT NULL,
    medium      INTEGER   NOT NULL,
    high        INTEGER   NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, month)
);
