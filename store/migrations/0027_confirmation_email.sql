-- The address a confirmation link was emailed to at its creation, and its
-- contact's name ("" when the partner copied the link instead): the token
-- is never stored, so the email can only go out then, and the list says
-- to whom it went.
ALTER TABLE confirmation_links ADD COLUMN emailed_to TEXT NOT NULL DEFAULT '';
ALTER TABLE confirmation_links ADD COLUMN emailed_name TEXT NOT NULL DEFAULT '';
