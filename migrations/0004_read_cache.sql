-- Pages read through the app's read cache (app/src/store/cache.rs) are reused only while
-- catalog_generation is unchanged, so every table a cached page shows must bump it. Links and
-- dependencies written by the app also touch their service, but a write from psql or a script
-- does not; tier policies are shown on every service page.
CREATE TRIGGER service_link_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_link
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER service_dependency_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_dependency
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER tier_policy_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tier_policy
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();

-- The catalog's name-ordered indexes also carry the name itself, so a deep page can find its ids
-- with an index-only scan (an expression index alone cannot: Postgres needs the columns the
-- expression reads). See the deferred join in app/src/store/catalog.rs.
DROP INDEX service_name_idx;
CREATE INDEX service_name_idx ON service (lower(name), id) INCLUDE (name);
DROP INDEX service_tier_name_idx;
CREATE INDEX service_tier_name_idx ON service (tier, lower(name), id) INCLUDE (name);
DROP INDEX service_owner_idx;
CREATE INDEX service_owner_idx ON service (owner_team_id, lower(name), id) INCLUDE (name);
DROP INDEX service_lifecycle_idx;
CREATE INDEX service_lifecycle_idx ON service (lifecycle, lower(name), id) INCLUDE (name);
