-- Sign-in attempts are counted in the database, so that every server
-- process behind a balancer shares one limit. A row counts the attempts of
-- one scope (account, address or account_address) and subject within a
-- window that ends at window_end; the first attempt after it starts a new
-- one. An attempt is counted before its password is checked and given back
-- if the password was right. known_until, on an account_address row, says
-- that the account signed in from the address: until then the address is
-- judged by that row alone, whatever others spend on the account.
CREATE TABLE sign_in_counters (
    scope       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    window_end  TIMESTAMP NOT NULL,
    attempts    INTEGER NOT NULL,
    known_until TIMESTAMP,
    PRIMARY KEY (scope, subject)
);
