-- Keeps client_partners' copy of the list columns (0005) in step with
-- clients: a changed client updates its relationships, and a relationship
-- inserted without the copy (name '') takes it from its client. Bulk loads
-- write the copy themselves, so that no trigger runs a lookup per row.
CREATE TRIGGER clients_list_update AFTER UPDATE OF name, domain, mrr, product_mask, engagement ON clients
BEGIN
    UPDATE client_partners SET name = NEW.name, domain = NEW.domain, mrr = NEW.mrr,
        product_mask = NEW.product_mask, engagement = NEW.engagement
    WHERE client_id = NEW.id;
END;

CREATE TRIGGER client_partners_list_insert AFTER INSERT ON client_partners WHEN NEW.name = ''
BEGIN
    UPDATE client_partners SET name = c.name, domain = c.domain, mrr = c.mrr,
        product_mask = c.product_mask, engagement = c.engagement
    FROM clients c WHERE c.id = NEW.client_id AND client_partners.id = NEW.id;
END;
