-- The claim of a day's refresh is a lease: its worker renews lease_until
-- while the refresh runs, and a running claim whose lease ran out (its
-- worker died) may be taken over. Claims made before leases keep the 30
-- minutes they were given.
ALTER TABLE refresh_runs ADD COLUMN lease_until TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE refresh_runs SET lease_until = strftime('%Y-%m-%d %H:%M:%f+00:00', started_at, '+30 minutes');
