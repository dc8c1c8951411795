-- The address a confirmation link was emailed to at its creation, and its
-- contact's name ("" when the partner copied the link instead): the token
-- is never stored, so the email can only go out then, and the list says
-- to whom it went.
ALTER TABLE confirmation_links ADD COLUMN emailed_to TEXT NOT NULL DEFAULT '';
ALTER TABLE confirmation_links ADD COLUMN emailed_name TEXT NOT NULL DEFAULT '';

-- A partner token reads one partner's data, like a read token, and creates
-- its confirmation links.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('ingest', 'read', 'partner'));
