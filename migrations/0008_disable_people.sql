-- An admin can disable a person: every session of theirs stops working at its next request
-- (the sign-in gate reads this row on each one) and they cannot sign in again until re-enabled.
ALTER TABLE app_user ADD COLUMN disabled_at TIMESTAMPTZ;
