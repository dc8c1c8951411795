-- The Clients tab pages a partner's clients sorted and filtered by MRR,
-- usage, products, name and domain. At a million clients, joining a
-- partner's 5,000 relationships to their clients row by row costs more than
-- the page's budget, so each relationship carries a copy of those columns,
-- kept in step by triggers (0006, per dialect), and one covering index
-- serves the list, its totals and its filters without touching clients.
ALTER TABLE client_partners ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE client_partners ADD COLUMN domain TEXT NOT NULL DEFAULT '';
ALTER TABLE client_partners ADD COLUMN mrr BIGINT NOT NULL DEFAULT 0;
ALTER TABLE client_partners ADD COLUMN product_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE client_partners ADD COLUMN engagement INTEGER NOT NULL DEFAULT 0;

UPDATE client_partners SET
    name = (SELECT c.name FROM clients c WHERE c.id = client_partners.client_id),
    domain = (SELECT c.domain FROM clients c WHERE c.id = client_partners.client_id),
    mrr = (SELECT c.mrr FROM clients c WHERE c.id = client_partners.client_id),
    product_mask = (SELECT c.product_mask FROM clients c WHERE c.id = client_partners.client_id),
    engagement = (SELECT c.engagement FROM clients c WHERE c.id = client_partners.client_id);

CREATE INDEX client_partners_list ON client_partners
    (partner_id, ended_on, mrr, client_id, engagement, product_mask, relationship, started_on, name, domain);
