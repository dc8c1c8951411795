-- Keeps client_partners' copy of the list columns (0005) in step with
-- clients: a changed client updates its relationships, and a relationship
-- inserted without the copy (name '') takes it from its client. Bulk loads
-- write the copy themselves, so that no trigger runs a lookup per row.
CREATE FUNCTION clients_list_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE client_partners SET name = NEW.name, domain = NEW.domain, mrr = NEW.mrr,
        product_mask = NEW.product_mask, engagement = NEW.engagement
    WHERE client_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER clients_list_update AFTER UPDATE OF name, domain, mrr, product_mask, engagement ON clients
    FOR EACH ROW EXECUTE FUNCTION clients_list_sync();

CREATE FUNCTION client_partners_list_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name <> '' THEN
        RETURN NEW;
    END IF;
    SELECT c.name, c.domain, c.mrr, c.product_mask, c.engagement
      INTO NEW.name, NEW.domain, NEW.mrr, NEW.product_mask, NEW.engagement
      FROM clients c WHERE c.id = NEW.client_id;
    IF NOT FOUND THEN
        NEW.name := ''; NEW.domain := ''; NEW.mrr := 0; NEW.product_mask := 0; NEW.engagement := 0;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER client_partners_list_fill BEFORE INSERT ON client_partners
    FOR EACH ROW EXECUTE FUNCTION client_partners_list_fill();
