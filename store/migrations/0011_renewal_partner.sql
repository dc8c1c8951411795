-- The communication of a renewal is owned by the vendor or by one named
-- partner of the client: only that partner's users decide on the renewal
-- or change its owner, and the client's other partners see it read-only.
-- comm_owner stays 'vendor' or 'partner'; with 'partner', comm_partner_id
-- names the partner (the store keeps both in step: a partner-owned row
-- always names its partner, which the CHECK cannot say here because the
-- rows already stored get their partner only below).
ALTER TABLE renewals ADD COLUMN comm_partner_id BIGINT REFERENCES partners (id)
    CHECK (comm_partner_id IS NULL OR comm_owner = 'partner');

-- A client's setting of 'partner' names its partner the same way.
ALTER TABLE clients ADD COLUMN comm_partner_id BIGINT REFERENCES partners (id)
    CHECK (comm_partner_id IS NULL OR comm_owner = 'partner');

-- The partner an owner change in a renewal's history gave the
-- communication to, for the history to name it.
ALTER TABLE renewal_decisions ADD COLUMN comm_partner_id BIGINT REFERENCES partners (id);

-- An owner of 'partner' becomes the client's selling partner, else its
-- managing partner with the lowest id, among its active relationships
-- (the rule store.defaultPartner spells for a program default of
-- 'partner'). A client no partner serves any more goes to the vendor: no
-- partner could see it.
UPDATE renewals SET comm_partner_id = (SELECT cp.partner_id FROM client_partners cp
        WHERE cp.client_id = renewals.client_id AND cp.ended_on IS NULL
        ORDER BY CASE WHEN cp.relationship = 'managed' THEN 1 ELSE 0 END, cp.partner_id LIMIT 1)
    WHERE comm_owner = 'partner';
UPDATE renewals SET comm_owner = 'vendor' WHERE comm_owner = 'partner' AND comm_partner_id IS NULL;

UPDATE clients SET comm_partner_id = (SELECT cp.partner_id FROM client_partners cp
        WHERE cp.client_id = clients.id AND cp.ended_on IS NULL
        ORDER BY CASE WHEN cp.relationship = 'managed' THEN 1 ELSE 0 END, cp.partner_id LIMIT 1)
    WHERE comm_owner = 'partner';
UPDATE clients SET comm_owner = 'vendor' WHERE comm_owner = 'partner' AND comm_partner_id IS NULL;

-- The history's past owner changes to 'partner' name the partner whose
-- user made them (a partner user could only take it for its own agency);
-- those to the program default name the renewal's partner.
UPDATE renewal_decisions SET comm_partner_id = (SELECT u.partner_id FROM users u WHERE u.id = renewal_decisions.user_id)
    WHERE decision = 'owner' AND detail = 'partner';
UPDATE renewal_decisions SET comm_partner_id = (SELECT r.comm_partner_id FROM renewals r WHERE r.id = renewal_decisions.renewal_id)
    WHERE decision = 'owner' AND (detail = 'default:partner' OR detail = 'partner' AND comm_partner_id IS NULL);

-- The Alerts count only the renewals the partner itself owns: the partial
-- index (0007) gains the owning partner, so that each probe of a client's
-- renewals stays an index seek. The Renewals page's covering index gains
-- it too, so that the page, its owner filter and its Alerts count still
-- read no renewal row.
DROP INDEX renewals_alerts;
CREATE INDEX renewals_alerts ON renewals (client_id, comm_partner_id, renewal_date)
    WHERE status = 'pending' AND comm_owner = 'partner';

DROP INDEX renewals_client_date;
CREATE INDEX renewals_client_date ON renewals (client_id, renewal_date, status, comm_owner, contract_type, comm_partner_id);
