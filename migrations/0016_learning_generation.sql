-- Reads of the learning loop that stay fast with 100,000 incidents: repeats kept on the
-- incident instead of found by a join per row, and a generation the list caches are keyed on.

-- The earlier incident this one repeats (same root-cause category, not "unknown", on one of
-- the same services, started within the repeat window before it), kept by the triggers below in
-- the same transaction as any change that can alter it, so it is never stale. The rule is
-- `domain::postmortem::repeat_of`; a database test checks the two agree.
ALTER TABLE incident ADD COLUMN repeat_of_id BIGINT REFERENCES incident (id) ON DELETE SET NULL;
CREATE INDEX incident_repeat_idx ON incident (repeat_of_id) WHERE repeat_of_id IS NOT NULL;

-- Like postmortem_due_on, derived bookkeeping: migration 0015's version and audit functions
-- already leave it out, so keeping it moves neither the version nor the trail.

-- Sets repeat_of_id for the incidents that start in [lo, hi] and share a service with
-- `services` (NULL: every incident).
CREATE FUNCTION refresh_repeats(services BIGINT[], lo TIMESTAMPTZ, hi TIMESTAMPTZ) RETURNS void
LANGUAGE sql AS $$
    WITH w AS (SELECT make_interval(days => repeat_window_days) AS d FROM learning_settings),
    target AS (
        SELECT i.id,
               (SELECT e.id FROM postmortem p, incident e JOIN postmortem pe ON pe.incident_id = e.id, w
                WHERE p.incident_id = i.id AND p.root_cause IS NOT NULL AND p.root_cause <> 'unknown'
                  AND pe.root_cause = p.root_cause AND e.service_ids && i.service_ids AND e.id <> i.id
                  AND e.started_at < i.started_at AND e.started_at >= i.started_at - w.d
                ORDER BY e.started_at DESC, e.id DESC LIMIT 1) AS repeat_of
        FROM incident i
        WHERE (services IS NULL OR i.service_ids && services)
          AND (lo IS NULL OR i.started_at >= lo) AND (hi IS NULL OR i.started_at <= hi)
          -- Only an incident with a cause can repeat, and only a marked one can stop repeating.
          AND (i.repeat_of_id IS NOT NULL OR EXISTS (SELECT 1 FROM postmortem p WHERE p.incident_id = i.id
                   AND p.root_cause IS NOT NULL AND p.root_cause <> 'unknown')))
    UPDATE incident i SET repeat_of_id = target.repeat_of FROM target
    WHERE i.id = target.id AND i.repeat_of_id IS DISTINCT FROM target.repeat_of;
$$;

-- An incident's cause changed (its postmortem came, went or was re-categorised): it and the
-- incidents after it on its services, within the window, may repeat differently.
CREATE FUNCTION postmortem_refreshes_repeats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    inc  BIGINT := CASE WHEN TG_OP = 'DELETE' THEN OLD.incident_id ELSE NEW.incident_id END;
    win  INTERVAL := (SELECT make_interval(days => repeat_window_days) FROM learning_settings);
    i    RECORD;
BEGIN
    SELECT service_ids, started_at INTO i FROM incident WHERE id = inc;
    IF FOUND THEN
        PERFORM refresh_repeats(i.service_ids, i.started_at, i.started_at + win);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER postmortem_cause_refreshes_repeats AFTER INSERT OR DELETE OR UPDATE OF root_cause ON postmortem
    FOR EACH ROW EXECUTE FUNCTION postmortem_refreshes_repeats();

-- An incident came, or moved in time or between services: refresh it and the incidents after
-- it, on its old and new services, within the window of its old and new start.
CREATE FUNCTION incident_refreshes_repeats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    win  INTERVAL := (SELECT make_interval(days => repeat_window_days) FROM learning_settings);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM refresh_repeats(OLD.service_ids, OLD.started_at, OLD.started_at + win);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM refresh_repeats(NEW.service_ids, NEW.started_at, NEW.started_at + win);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER incident_refreshes_repeats AFTER INSERT OR UPDATE OF service_ids, started_at ON incident
    FOR EACH ROW EXECUTE FUNCTION incident_refreshes_repeats();

-- A new window: every incident again.
CREATE FUNCTION settings_refresh_repeats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_repeats(NULL, NULL, NULL);
    RETURN NULL;
END
$$;
CREATE TRIGGER settings_refresh_repeats AFTER UPDATE OF repeat_window_days ON learning_settings
    FOR EACH ROW WHEN (OLD.repeat_window_days IS DISTINCT FROM NEW.repeat_window_days)
    EXECUTE FUNCTION settings_refresh_repeats();

SELECT refresh_repeats(NULL, NULL, NULL);

-- A counter every committed change to what the incident and action lists show moves on: the
-- lists' counts and pages are cached at it (app/src/store/learning_cache.rs), so a cached entry
-- is never older than the data. Bumped once per transaction, at commit (as the catalog's
-- generation is, migration 0005), so it is locked only for the commit.
CREATE TABLE learning_generation (
    only_row  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    value     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO learning_generation DEFAULT VALUES;

CREATE FUNCTION bump_learning_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('portal.learning_bumped', TRUE), '') = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.learning_bumped', 'on', TRUE);
    UPDATE learning_generation SET value = value + 1;
    RETURN NULL;
END
$$;
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['incident', 'postmortem', 'timeline_entry', 'action_item', 'learning_settings'] LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_learning_generation()',
                       t || '_bumps_learning_generation', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION bump_learning_generation()',
                       t || '_truncate_bumps_learning_generation', t);
    END LOOP;
END
$$;
-- The lists show people's names and e-mails (owners, commanders): a change of either is a
-- change of the lists.
CREATE CONSTRAINT TRIGGER app_user_bumps_learning_generation AFTER UPDATE ON app_user
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION bump_learning_generation();

-- The lists filter services by slug and show their slugs and names: renames join the changes
-- that move the facet generation (which the list caches are keyed on too).
DROP TRIGGER service_fields_bump_facet_generation ON service;
CREATE CONSTRAINT TRIGGER service_fields_bump_facet_generation
    AFTER UPDATE ON service DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.tier IS DISTINCT FROM NEW.tier OR OLD.owner_team_id IS DISTINCT FROM NEW.owner_team_id
          OR OLD.lifecycle IS DISTINCT FROM NEW.lifecycle OR OLD.tags IS DISTINCT FROM NEW.tags
          OR OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION bump_facet_generation();

SELECT portal_grant_server_rights();
