-- SLOs: objectives on a service's SLI, judged from good/total event counts that are pushed to
-- the API (or, later, read from Prometheus).

-- The tier policy says whether a service of the tier must have an SLO, and below what share of
-- budget left an SLO is "at risk". The defaults are schema defaults, not anyone's change, so the
-- audit trigger is kept out of this one update.
ALTER TABLE tier_policy
    ADD COLUMN slo_required BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN budget_at_risk_pct SMALLINT NOT NULL DEFAULT 25
        CHECK (budget_at_risk_pct BETWEEN 1 AND 99);
ALTER TABLE tier_policy DISABLE TRIGGER tier_policy_audit;
UPDATE tier_policy SET slo_required = TRUE WHERE tier IN (0, 1);
-- The generation bump is deferred to commit; fire it now, or the table counts as in use.
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE tier_policy ENABLE TRIGGER tier_policy_audit;

CREATE TABLE slo (
    id               BIGSERIAL PRIMARY KEY,
    service_id       BIGINT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    slug             TEXT NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    name             TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    description      TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    sli_kind         TEXT NOT NULL
                     CHECK (sli_kind IN ('availability', 'latency', 'freshness', 'correctness', 'other')),
    good_events      TEXT NOT NULL DEFAULT '' CHECK (length(good_events) <= 500),
    total_events     TEXT NOT NULL DEFAULT '' CHECK (length(total_events) <= 500),
    -- Thousandths of a percent (99.95 % is 99950): exact, where a float would drift.
    objective_milli  INTEGER NOT NULL CHECK (objective_milli > 0 AND objective_milli < 100000),
    window_kind      TEXT NOT NULL CHECK (window_kind IN ('rolling', 'week', 'month', 'quarter')),
    window_days      SMALLINT CHECK (window_days BETWEEN 1 AND 90),
    source           TEXT NOT NULL CHECK (source IN ('push', 'prometheus')),
    error_query      TEXT NOT NULL DEFAULT '' CHECK (length(error_query) <= 2000),
    total_query      TEXT NOT NULL DEFAULT '' CHECK (length(total_query) <= 2000),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (service_id, slug),
    CHECK ((window_kind = 'rolling') = (window_days IS NOT NULL))
);
CREATE TRIGGER slo_version BEFORE UPDATE ON slo
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- Definitions are audited by trigger like the catalog; an SLO removed with its service is part
-- of that service's deletion and not recorded again.
CREATE FUNCTION audit_slo_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    verb     TEXT := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    old_row  JSONB := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  JSONB := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    cur      JSONB := coalesce(new_row, old_row);
    svc      TEXT := (SELECT slug FROM service WHERE id = (cur ->> 'service_id')::BIGINT);
BEGIN
    IF TG_OP = 'DELETE' AND svc IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND (old_row - 'updated_at' - 'version') = (new_row - 'updated_at' - 'version') THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id)
    VALUES (
        nullif(current_setting('portal.actor_id', TRUE), '')::BIGINT,
        coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), 'system'),
        'slo.' || verb,
        'slo',
        cur ->> 'id',
        coalesce(svc, '') || ' · ' || (cur ->> 'slug'),
        old_row,
        new_row,
        coalesce(current_setting('portal.request_id', TRUE), ''));
    RETURN NULL;
END
$$;
CREATE TRIGGER slo_audit AFTER INSERT OR UPDATE OR DELETE ON slo
    FOR EACH ROW EXECUTE FUNCTION audit_slo_change();

-- Pushed counts: one row per bucket of whole minutes inside one clock hour. Pushing a bucket
-- again replaces it. Minute buckets older than seven hours are rolled up into hour buckets and
-- everything older than 93 days is deleted, so storage is bounded by SLOs × (7 hours of minutes
-- + 93 days of hours), whatever the number of pushes.
CREATE TABLE slo_count (
    slo_id   BIGINT NOT NULL REFERENCES slo (id) ON DELETE CASCADE,
    start    TIMESTAMPTZ NOT NULL,
    minutes  SMALLINT NOT NULL CHECK (minutes BETWEEN 1 AND 60),
    good     BIGINT NOT NULL CHECK (good >= 0),
    total    BIGINT NOT NULL CHECK (total >= good),
    PRIMARY KEY (slo_id, start)
);

-- Who pushed last and when. Counts are measurements, not changes of anyone's configuration:
-- auditing each push would grow the trail with every minute of every SLO, so the trail keeps
-- definitions and this row keeps the last pusher (the token's last use is recorded too).
CREATE TABLE slo_push (
    slo_id     BIGINT PRIMARY KEY REFERENCES slo (id) ON DELETE CASCADE,
    pushed_at  TIMESTAMPTZ NOT NULL,
    pushed_by  TEXT NOT NULL,
    buckets    BIGINT NOT NULL DEFAULT 0
);

-- Background jobs that must run once per interval across every replica: the replica that moves
-- `last_run_at` forward runs it; the row lock makes the others see it moved and skip.
CREATE TABLE job_run (
    name         TEXT PRIMARY KEY,
    last_run_at  TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    runs         BIGINT NOT NULL DEFAULT 0
);


-- A definition change is a catalog change: the service page and the overview show whether a
-- service has the SLO its tier requires, and their caches follow the catalog generation.
-- (Counts are not: they change every minute and the pages read them live.)
CREATE CONSTRAINT TRIGGER slo_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE ON slo DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER slo_truncate_bumps_catalog_generation
    AFTER TRUNCATE ON slo FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER slo_truncate_audit AFTER TRUNCATE ON slo
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();

-- The evaluator's latest figures per SLO, for the lists that sort and filter every SLO (the
-- /slos page, the overview). Written once per evaluation interval by whichever replica claims
-- the run; the service and SLO pages compute their own figures per request instead.
CREATE TABLE slo_status (
    slo_id            BIGINT PRIMARY KEY REFERENCES slo (id) ON DELETE CASCADE,
    computed_at       TIMESTAMPTZ NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('ok', 'unknown', 'at-risk', 'exhausted')),
    budget_remaining  DOUBLE PRECISION,
    attainment        DOUBLE PRECISION,
    burn_1h           DOUBLE PRECISION,
    paging            BOOLEAN NOT NULL,
    reason            TEXT NOT NULL
);
CREATE INDEX slo_status_budget_idx ON slo_status (budget_remaining, slo_id);
CREATE INDEX slo_status_state_idx ON slo_status (state);

SELECT portal_grant_server_rights();
