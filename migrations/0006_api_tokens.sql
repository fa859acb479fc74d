-- API tokens for machine clients (CI jobs, SLO pushers, importers). Only a SHA-256 hash of the
-- secret is kept; the secret itself is shown once, when it is made. A token acts for one team
-- (its editors' rights) or for the organisation (an admin's), and only within its scopes.
CREATE TABLE api_token (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL,
    -- The secret's first characters, so a person can tell tokens apart in lists and logs.
    prefix        TEXT NOT NULL,
    secret_hash   BYTEA NOT NULL UNIQUE,
    -- NULL: organisation-wide.
    team_id       BIGINT REFERENCES team (id) ON DELETE CASCADE,
    scopes        TEXT[] NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ,
    -- Rate limiting across every replica: requests counted in the current minute.
    window_start  TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    window_count  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_token_list_idx ON api_token (created_at DESC, id DESC);
