-- Facet counts (tier, owner, lifecycle, tag) change only when a service comes or goes, or one of
-- those fields (or a team's name or slug) changes; most writes (a description, a link, a
-- dependency) leave every count as it was. They get their own generation, bumped at commit like
-- the catalog's (migration 0005), so such writes no longer make readers recount the whole
-- catalog. Counts of a text search also depend on names and descriptions, and keep using the
-- catalog generation (app/src/store/catalog.rs).
ALTER TABLE catalog_generation ADD COLUMN facets BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_facet_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('portal.facets_bumped', TRUE), '') = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.facets_bumped', 'on', TRUE);
    UPDATE catalog_generation SET facets = facets + 1;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER service_rows_bump_facet_generation
    AFTER INSERT OR DELETE ON service DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_facet_generation();
CREATE CONSTRAINT TRIGGER service_fields_bump_facet_generation
    AFTER UPDATE ON service DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.tier IS DISTINCT FROM NEW.tier OR OLD.owner_team_id IS DISTINCT FROM NEW.owner_team_id
          OR OLD.lifecycle IS DISTINCT FROM NEW.lifecycle OR OLD.tags IS DISTINCT FROM NEW.tags)
    EXECUTE FUNCTION bump_facet_generation();
CREATE CONSTRAINT TRIGGER team_rows_bump_facet_generation
    AFTER INSERT OR DELETE ON team DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_facet_generation();
CREATE CONSTRAINT TRIGGER team_fields_bump_facet_generation
    AFTER UPDATE ON team DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION bump_facet_generation();
CREATE TRIGGER service_truncate_bumps_facet_generation
    AFTER TRUNCATE ON service FOR EACH STATEMENT EXECUTE FUNCTION bump_facet_generation();
CREATE TRIGGER team_truncate_bumps_facet_generation
    AFTER TRUNCATE ON team FOR EACH STATEMENT EXECUTE FUNCTION bump_facet_generation();
