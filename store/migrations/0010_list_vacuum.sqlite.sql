-- PostgreSQL only: client_partners is vacuumed sooner there, to keep its
-- index-only scans. SQLite's covering indexes need no visibility map.
SELECT 1;
