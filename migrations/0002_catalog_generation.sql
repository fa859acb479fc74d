-- A counter bumped by every statement that changes services or teams. The catalog caches its
-- facet counts (the expensive part of the list page) and reuses them only while this value is
-- unchanged, so a cached count is never stale, on any replica.
CREATE TABLE catalog_generation (
    id     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    value  BIGINT NOT NULL
);
INSERT INTO catalog_generation (id, value) VALUES (TRUE, 0);

CREATE FUNCTION bump_catalog_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_generation SET value = value + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER service_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER team_bumps_catalog_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON team
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
