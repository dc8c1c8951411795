-- The language a user chose on their account page ('' follows the
-- browser); the pages and the emails they get are in it.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
