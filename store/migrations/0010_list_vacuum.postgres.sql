-- The Clients, Renewals and engagement pages read client_partners through
-- index-only scans, which skip the table's pages only while PostgreSQL's
-- visibility map says they are all-visible. A batch of billing events
-- rewrites the list copy of thousands of relationships (0005, 0009) and
-- clears that bit on their pages, and with the default thresholds
-- autovacuum would wait for a fifth of the table to change before setting
-- it again: the pages would read the table for hours. Vacuum it after 1%.
ALTER TABLE client_partners SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01,
    autovacuum_analyze_scale_factor = 0.02);
