-- The service catalog: teams, tier policies, services, their links and dependencies.
-- Slug, URL and range rules are validated in app/src/domain first (for field-level messages);
-- the CHECK constraints here are the backstop for anything that bypasses the app.

CREATE TABLE team (
    id                BIGSERIAL PRIMARY KEY,
    slug              TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    name              TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    description       TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    chat_channel      TEXT NOT NULL DEFAULT '',
    oncall_url        TEXT NOT NULL DEFAULT '' CHECK (oncall_url = '' OR oncall_url ~* '^https?://'),
    escalation_policy TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX team_name_idx ON team (lower(name), id);

-- What each tier requires. Rows for all four tiers always exist (seeded here); admins edit them.
CREATE TABLE tier_policy (
    tier                 SMALLINT PRIMARY KEY CHECK (tier BETWEEN 0 AND 3),
    name                 TEXT NOT NULL,
    description          TEXT NOT NULL,
    oncall_required      BOOLEAN NOT NULL,
    runbook_required     BOOLEAN NOT NULL,
    -- Percent, e.g. 99.95. NULL: no SLO required.
    min_slo_objective    DOUBLE PRECISION CHECK (min_slo_objective IS NULL OR (min_slo_objective > 0 AND min_slo_objective < 100)),
    -- Business days after resolution within which the postmortem is due. NULL: none required.
    postmortem_due_days  SMALLINT CHECK (postmortem_due_days IS NULL OR postmortem_due_days BETWEEN 1 AND 90),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO tier_policy (tier, name, description, oncall_required, runbook_required, min_slo_objective, postmortem_due_days) VALUES
    (0, 'Tier 0 · Critical platform', 'Everything breaks without it. 24×7 paging, runbook, and the strictest SLO.', TRUE, TRUE, 99.95, 5),
    (1, 'Tier 1 · Customer-facing', 'Customers notice within minutes. Paged on-call and a current runbook.', TRUE, TRUE, 99.9, 5),
    (2, 'Tier 2 · Internal', 'Internal users are affected; business-hours response is acceptable.', FALSE, TRUE, 99.5, 10),
    (3, 'Tier 3 · Best effort', 'Experimental or low-impact. No paging or SLO required.', FALSE, FALSE, NULL, NULL);

CREATE TABLE service (
    id             BIGSERIAL PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    name           TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    description    TEXT NOT NULL DEFAULT '',
    tier           SMALLINT NOT NULL REFERENCES tier_policy (tier),
    lifecycle      TEXT NOT NULL CHECK (lifecycle IN ('experimental', 'production', 'deprecated', 'retired')),
    -- NULL means unowned: shown as such, never hidden. A team that owns services cannot be deleted.
    owner_team_id  BIGINT REFERENCES team (id) ON DELETE RESTRICT,
    tags           TEXT[] NOT NULL DEFAULT '{}',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- 'simple' (no stemming) so that prefix queries like "pay:*" match "payments".
    search         TSVECTOR GENERATED ALWAYS AS (
                       setweight(to_tsvector('simple', slug || ' ' || name), 'A')
                       || setweight(to_tsvector('simple', description), 'B')
                   ) STORED
);
-- Sort orders the catalog offers, each ending in id so paging is stable. Names sort
-- case-insensitively (lower) whatever the database's collation.
CREATE INDEX service_name_idx ON service (lower(name), id);
CREATE INDEX service_tier_name_idx ON service (tier, lower(name), id);
CREATE INDEX service_updated_idx ON service (updated_at DESC, id);
CREATE INDEX service_owner_idx ON service (owner_team_id, lower(name), id);
CREATE INDEX service_lifecycle_idx ON service (lifecycle, lower(name), id);
CREATE INDEX service_tags_idx ON service USING GIN (tags);
CREATE INDEX service_search_idx ON service USING GIN (search);

CREATE TABLE service_link (
    id                BIGSERIAL PRIMARY KEY,
    service_id        BIGINT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('runbook', 'dashboard', 'repo', 'docs', 'oncall', 'chat', 'other')),
    title             TEXT NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    url               TEXT NOT NULL CHECK (url ~* '^https?://'),
    last_reviewed_on  DATE,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX service_link_service_idx ON service_link (service_id, kind);

CREATE TABLE service_dependency (
    service_id     BIGINT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    depends_on_id  BIGINT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, depends_on_id),
    -- Cycles between services are real and allowed; a service depending on itself is not.
    CONSTRAINT service_dependency_not_self CHECK (service_id <> depends_on_id)
);
CREATE INDEX service_dependency_reverse_idx ON service_dependency (depends_on_id);
