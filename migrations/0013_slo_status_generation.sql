-- A counter every write to the evaluator's figures moves on, in the same transaction: the
-- `/slos` page is cached per (query, catalog generation) at this generation, so a cached page is
-- never older than the figures it shows.
CREATE TABLE slo_status_generation (
    only_row  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    value     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO slo_status_generation DEFAULT VALUES;

CREATE FUNCTION bump_slo_status_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE slo_status_generation SET value = value + 1;
    RETURN NULL;
END
$$;
-- Per statement: the evaluator writes a batch of 500 figures in one, so it bumps 10 times a
-- run, not 5,000.
CREATE TRIGGER slo_status_bumps_generation AFTER INSERT OR UPDATE OR DELETE ON slo_status
    FOR EACH STATEMENT EXECUTE FUNCTION bump_slo_status_generation();
CREATE TRIGGER slo_status_truncate_bumps_generation AFTER TRUNCATE ON slo_status
    FOR EACH STATEMENT EXECUTE FUNCTION bump_slo_status_generation();

SELECT portal_grant_server_rights();
