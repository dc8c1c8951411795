-- subscription_lines_client is covered by the unique (client_id,
-- product_code) index, and only cost writes. (The PostgreSQL side of this
-- migration also leaves room on pages for in-place updates and makes the
-- clients' list copy follow updates statement by statement; SQLite has
-- neither heap pages nor statement-level triggers.)
DROP INDEX subscription_lines_client;
