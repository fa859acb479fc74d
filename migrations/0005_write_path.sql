-- Writes that survive each other, and reads that survive writes.
--
-- 1. The catalog generation is bumped once per transaction, at commit, not by every statement.
--    A statement trigger took the one generation row's lock mid-transaction: a link add (lock the
--    generation, then touch its service) and a service save (lock the service, then the
--    generation) deadlocked, and every write queued behind the slowest open one. A deferred
--    constraint trigger runs after all of the transaction's own row locks are taken, so the
--    generation row is always locked last and held only for the commit: no lock cycle can
--    include it. Readers still read the generation before the data, so an entry read at a
--    generation can only be newer than it, never older (see app/src/store/cache.rs).
CREATE OR REPLACE FUNCTION bump_catalog_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the setting is transaction-local and gone at commit.
    IF coalesce(current_setting('portal.generation_bumped', TRUE), '') = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.generation_bumped', 'on', TRUE);
    UPDATE catalog_generation SET value = value + 1;
    RETURN NULL;
END
$$;

DROP TRIGGER service_bumps_catalog_generation ON service;
DROP TRIGGER team_bumps_catalog_generation ON team;
DROP TRIGGER service_link_bumps_catalog_generation ON service_link;
DROP TRIGGER service_dependency_bumps_catalog_generation ON service_dependency;
DROP TRIGGER tier_policy_bumps_catalog_generation ON tier_policy;

CREATE CONSTRAINT TRIGGER service_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE ON service DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_generation();
CREATE CONSTRAINT TRIGGER team_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE ON team DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_generation();
CREATE CONSTRAINT TRIGGER service_link_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE ON service_link DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_generation();
CREATE CONSTRAINT TRIGGER service_dependency_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE ON service_dependency DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_generation();
CREATE CONSTRAINT TRIGGER tier_policy_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE ON tier_policy DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_catalog_generation();
-- Constraint triggers cannot fire on TRUNCATE; a truncate is rare and takes the lock at once.
CREATE TRIGGER service_truncate_bumps_catalog_generation
    AFTER TRUNCATE ON service FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER team_truncate_bumps_catalog_generation
    AFTER TRUNCATE ON team FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER service_link_truncate_bumps_catalog_generation
    AFTER TRUNCATE ON service_link FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER service_dependency_truncate_bumps_catalog_generation
    AFTER TRUNCATE ON service_dependency FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();

-- 2. A version per service and team, for optimistic concurrency: a form (or an API client's
--    If-Match) says which version it was opened at, and a save from an older one is refused
--    instead of silently overwriting someone else's change. It moves with any change of the
--    row's own fields, from any writer; touching updated_at alone (a link or dependency
--    changed) is not a change of the service's fields and leaves it alone.
ALTER TABLE service ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE team ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- `search` is generated (NULL in a BEFORE trigger); updated_at and version are bookkeeping.
    IF (to_jsonb(NEW) - 'updated_at' - 'version' - 'search')
       IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at' - 'version' - 'search') THEN
        NEW.version := OLD.version + 1;
    ELSE
        NEW.version := OLD.version;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER service_version BEFORE UPDATE ON service
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER team_version BEFORE UPDATE ON team
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();


-- A record's own history (the last change of a service, for the "changed by X at T" refusal).
CREATE INDEX audit_event_record_idx ON audit_event (entity_type, entity_id, id DESC);
