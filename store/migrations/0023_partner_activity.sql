-- What a partner's people did in a client's account, a day at a time, as
-- the vendor's usage feed reports it: the work is attributed to the
-- partner the user belonged to when it was reported (partner_id), so that
-- a client shared by two partners shows each only its own people.
CREATE TABLE partner_activity (
    client_id  BIGINT  NOT NULL REFERENCES clients (id),
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    partner_id BIGINT  NOT NULL REFERENCES partners (id),
    day        DATE    NOT NULL,
    actions    INTEGER NOT NULL CHECK (actions >= 0),
    PRIMARY KEY (client_id, user_id, day)
);
-- The users page's last activity of each of a partner's users.
CREATE INDEX partner_activity_user ON partner_activity (user_id, partner_id, day);

-- The Clients table's filter by employee reads the assignments of one
-- user (client_assignments_user), and the panel those of one client (the
-- primary key).
