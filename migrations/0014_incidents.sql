-- Incidents: what went wrong, on which services, and when each milestone was reached.

-- The affected services are an array of ids, not a join table: the incident row is then the
-- whole of one change, so the audit trigger records it (services included) as one event, and
-- "incidents of a team's services" is one GIN-indexed overlap.
CREATE TABLE incident (
    id               BIGSERIAL PRIMARY KEY,
    title            TEXT NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    severity         SMALLINT NOT NULL CHECK (severity BETWEEN 1 AND 4),
    status           TEXT NOT NULL
                     CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    summary          TEXT NOT NULL DEFAULT '' CHECK (length(summary) <= 10000),
    commander_id     BIGINT REFERENCES app_user (id),
    service_ids      BIGINT[] NOT NULL CHECK (cardinality(service_ids) <= 20),
    started_at       TIMESTAMPTZ NOT NULL,
    detected_at      TIMESTAMPTZ,
    acknowledged_at  TIMESTAMPTZ,
    mitigated_at     TIMESTAMPTZ,
    resolved_at      TIMESTAMPTZ,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The milestones in order where present (greatest() skips the unknown ones); the form says
    -- which field is wrong, these keep any other writer honest.
    CHECK (detected_at IS NULL OR detected_at >= started_at),
    CHECK (acknowledged_at IS NULL OR acknowledged_at >= greatest(started_at, detected_at)),
    CHECK (mitigated_at IS NULL OR mitigated_at >= greatest(started_at, detected_at, acknowledged_at)),
    CHECK (resolved_at IS NULL OR resolved_at >= greatest(started_at, detected_at, acknowledged_at, mitigated_at)),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX incident_started_idx ON incident (started_at DESC, id DESC);
CREATE INDEX incident_services_idx ON incident USING gin (service_ids);
CREATE INDEX incident_severity_idx ON incident (severity, started_at DESC);
CREATE INDEX incident_open_idx ON incident (started_at DESC) WHERE status <> 'resolved';
CREATE TRIGGER incident_version BEFORE UPDATE ON incident
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- A deleted service leaves the incidents it was part of (their history stays); the removal is
-- recorded as an update of each by the trigger below.
CREATE FUNCTION incident_forget_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident SET service_ids = array_remove(service_ids, OLD.id), updated_at = now()
    WHERE service_ids @> ARRAY[OLD.id];
    RETURN NULL;
END
$$;
CREATE TRIGGER service_leaves_incidents AFTER DELETE ON service
    FOR EACH ROW EXECUTE FUNCTION incident_forget_service();

-- Audited like the catalog, with the services' slugs beside their ids so the trail reads.
CREATE FUNCTION audit_incident_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    verb     TEXT := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    old_row  JSONB := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  JSONB := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    cur      JSONB := coalesce(new_row, old_row);
BEGIN
    IF TG_OP = 'UPDATE' AND (old_row - 'updated_at' - 'version') = (new_row - 'updated_at' - 'version') THEN
        RETURN NULL;
    END IF;
    IF old_row IS NOT NULL THEN
        old_row := old_row || jsonb_build_object('services',
            (SELECT coalesce(jsonb_agg(slug ORDER BY slug), '[]') FROM service WHERE id = ANY (OLD.service_ids)));
    END IF;
    IF new_row IS NOT NULL THEN
        new_row := new_row || jsonb_build_object('services',
            (SELECT coalesce(jsonb_agg(slug ORDER BY slug), '[]') FROM service WHERE id = ANY (NEW.service_ids)));
    END IF;
    INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id)
    VALUES (
        nullif(current_setting('portal.actor_id', TRUE), '')::BIGINT,
        coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), 'system'),
        'incident.' || verb,
        'incident',
        cur ->> 'id',
        '#' || (cur ->> 'id') || ' ' || (cur ->> 'title'),
        old_row,
        new_row,
        coalesce(current_setting('portal.request_id', TRUE), ''));
    RETURN NULL;
END
$$;
CREATE TRIGGER incident_audit AFTER INSERT OR UPDATE OR DELETE ON incident
    FOR EACH ROW EXECUTE FUNCTION audit_incident_change();
CREATE TRIGGER incident_truncate_audit AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();

SELECT portal_grant_server_rights();
