-- The engagement page sorts a partner's clients into size bands by
-- employees (cross-sell candidates). Reading the employees from clients
-- costs one lookup per client (5,000 for a partner among a million
-- clients, most of the page's time), so the relationship carries a copy
-- too, kept in step by 0006's triggers (redefined here), and the list's
-- covering index holds it: the page's pass reads that index only.
ALTER TABLE client_partners ADD COLUMN employees INTEGER NOT NULL DEFAULT 0;

UPDATE client_partners SET
    employees = (SELECT c.employees FROM clients c WHERE c.id = client_partners.client_id);

DROP INDEX client_partners_list;
CREATE INDEX client_partners_list ON client_partners
    (partner_id, ended_on, mrr, client_id, engagement, product_mask, relationship, started_on, name, domain, employees);

DROP TRIGGER clients_list_update;
CREATE TRIGGER clients_list_update AFTER UPDATE OF name, domain, mrr, product_mask, engagement, employees ON clients
BEGIN
    UPDATE client_partners SET name = NEW.name, domain = NEW.domain, mrr = NEW.mrr,
        product_mask = NEW.product_mask, engagement = NEW.engagement, employees = NEW.employees
    WHERE client_id = NEW.id;
END;

DROP TRIGGER client_partners_list_insert;
CREATE TRIGGER client_partners_list_insert AFTER INSERT ON client_partners WHEN NEW.name = ''
BEGIN
    UPDATE client_partners SET name = c.name, domain = c.domain, mrr = c.mrr,
        product_mask = c.product_mask, engagement = c.engagement, employees = c.employees
    FROM clients c WHERE c.id = NEW.client_id AND client_partners.id = NEW.id;
END;
