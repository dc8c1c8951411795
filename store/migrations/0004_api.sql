-- Data in and out (API, CSV import, Stripe): the keys that upserts by the
-- caller's external ids and idempotent batches need.

-- A subscription line is one product of one client: billing events name
-- the line by client and product.
CREATE UNIQUE INDEX subscription_lines_client_product ON subscription_lines (client_id, product_code);
-- When the line's terms were last changed in the billing system; an older
-- record of the terms arriving late is ignored.
ALTER TABLE subscription_lines ADD COLUMN updated_at TIMESTAMP;

-- A line's MRR is its latest event's, by (occurred_at, external_id): the
-- line keeps which one that is, so that a batch of events is compared with
-- it rather than with the line's whole history.
ALTER TABLE subscription_lines ADD COLUMN mrr_event_at TIMESTAMP;
ALTER TABLE subscription_lines ADD COLUMN mrr_event_id TEXT;

-- Certifications are upserted by the caller's id.
ALTER TABLE certifications ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX certifications_external_id ON certifications (external_id);

-- Stripe webhooks find the client by its Stripe customer id.
CREATE UNIQUE INDEX clients_stripe_customer ON clients (stripe_customer_id);

CREATE INDEX api_tokens_partner ON api_tokens (partner_id);
