-- The engagement page sorts a partner's clients into size bands by
-- employees (cross-sell candidates). Reading the employees from clients
-- costs one lookup per client (5,000 for a partner among a million
-- clients, most of the page's time), so the relationship carries a copy
-- too, kept in step by 0006's triggers (redefined here), and the list's
-- covering index holds it: the page's pass reads that index only.
ALTER TABLE client_partners ADD COLUMN employees INTEGER NOT NULL DEFAULT 0;

UPDATE client_partners SET employees = c.employees FROM clients c WHERE c.id = client_partners.client_id;

DROP INDEX client_partners_list;
CREATE INDEX client_partners_list ON client_partners
    (partner_id, ended_on, mrr, client_id, engagement, product_mask, relationship, started_on, name, domain, employees);

CREATE OR REPLACE FUNCTION clients_list_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE client_partners SET name = NEW.name, domain = NEW.domain, mrr = NEW.mrr,
        product_mask = NEW.product_mask, engagement = NEW.engagement, employees = NEW.employees
    WHERE client_id = NEW.id;
    RETURN NULL;
END $$;

DROP TRIGGER clients_list_update ON clients;
CREATE TRIGGER clients_list_update AFTER UPDATE OF name, domain, mrr, product_mask, engagement, employees ON clients
    FOR EACH ROW EXECUTE FUNCTION clients_list_sync();

CREATE OR REPLACE FUNCTION client_partners_list_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name <> '' THEN
        RETURN NEW;
    END IF;
    SELECT c.name, c.domain, c.mrr, c.product_mask, c.engagement, c.employees
      INTO NEW.name, NEW.domain, NEW.mrr, NEW.product_mask, NEW.engagement, NEW.employees
      FROM clients c WHERE c.id = NEW.client_id;
    IF NOT FOUND THEN
        NEW.name := ''; NEW.domain := ''; NEW.mrr := 0; NEW.product_mask := 0; NEW.engagement := 0; NEW.employees := 0;
    END IF;
    RETURN NEW;
END $$;
