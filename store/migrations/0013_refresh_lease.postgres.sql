-- The claim of a day's refresh is a lease: its worker renews lease_until
-- while the refresh runs, and a running claim whose lease ran out (its
-- worker died) may be taken over. Claims made before leases keep the 30
-- minutes they were given.
ALTER TABLE refresh_runs ADD COLUMN lease_until TIMESTAMP;
UPDATE refresh_runs SET lease_until = started_at + INTERVAL '30 minutes';
ALTER TABLE refresh_runs ALTER COLUMN lease_until SET NOT NULL;
