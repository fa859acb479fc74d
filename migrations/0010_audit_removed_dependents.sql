-- Deleting a service removes, by cascade, the edges of the services that depend on it. Those
-- edges belong to the other services (often other teams), whose history must show that they
-- lost a dependency: recorded here, before the row goes, while both ends can still be named.
-- (The cascaded deletes themselves stay unrecorded by audit_catalog_change, as before: the
-- service's own links and outgoing edges are part of its delete event.)
CREATE FUNCTION audit_removed_dependents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id)
    SELECT nullif(current_setting('portal.actor_id', TRUE), '')::BIGINT,
           coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), 'system'),
           'dependency.delete',
           'dependency',
           d.service_id || '→' || d.depends_on_id,
           s.slug || ' → ' || OLD.slug,
           to_jsonb(d) || jsonb_build_object('removed_with', OLD.slug),
           NULL,
           coalesce(current_setting('portal.request_id', TRUE), '')
    FROM service_dependency d JOIN service s ON s.id = d.service_id
    WHERE d.depends_on_id = OLD.id
    ORDER BY s.slug;
    RETURN OLD;
END
$$;

CREATE TRIGGER service_delete_audits_dependents BEFORE DELETE ON service
    FOR EACH ROW EXECUTE FUNCTION audit_removed_dependents();
