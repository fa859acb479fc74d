-- People who sign in through the identity provider, the teams they belong to, and the audit
-- trail of every change. Sessions live in tower-sessions' own table (schema tower_sessions),
-- created by its store at start-up.

CREATE TABLE app_user (
    id             BIGSERIAL PRIMARY KEY,
    -- Issuer + subject is the identity (OpenID Connect core §5.7): email and name can change.
    issuer         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL DEFAULT '',
    groups         TEXT[] NOT NULL DEFAULT '{}',
    -- The role the identity provider's groups give (refreshed at each sign-in) ...
    idp_role       TEXT NOT NULL DEFAULT 'viewer' CHECK (idp_role IN ('viewer', 'editor', 'admin')),
    -- ... and an admin's override of it, which wins while set.
    role_override  TEXT CHECK (role_override IN ('viewer', 'editor', 'admin')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login_at  TIMESTAMPTZ,
    UNIQUE (issuer, subject)
);
CREATE INDEX app_user_name_idx ON app_user (lower(name), id);

-- Membership comes from the identity provider's groups and is rebuilt at each sign-in.
CREATE TABLE team_member (
    team_id  BIGINT NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_member_user_idx ON team_member (user_id);

-- One row per change, written in the change's own transaction.
CREATE TABLE audit_event (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- NULL actor: the system itself (migrations, the demo loader).
    actor_id      BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    actor_label   TEXT NOT NULL DEFAULT 'system',
    action        TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT NOT NULL DEFAULT '',
    entity_label  TEXT NOT NULL DEFAULT '',
    before        JSONB,
    after         JSONB,
    request_id    TEXT NOT NULL DEFAULT ''
);
-- The audit page pages newest first (by id, which follows commit order closely enough for a
-- history) and filters by actor, action, entity type, entity label prefix and time.
CREATE INDEX audit_event_actor_idx ON audit_event (actor_label, id DESC);
CREATE INDEX audit_event_action_idx ON audit_event (action, id DESC);
CREATE INDEX audit_event_entity_idx ON audit_event (entity_type, id DESC);
CREATE INDEX audit_event_label_idx ON audit_event (entity_label text_pattern_ops);
CREATE INDEX audit_event_at_idx ON audit_event (at);

-- Catalog changes are audited by trigger, so no write path can forget to: the application sets
-- who is acting for the transaction (set_config('portal.actor_id', ..., true) and friends) and
-- the trigger records the row before and after. Rows removed by a cascade (a deleted service's
-- links and dependencies) are part of their parent's event and are not recorded again.
CREATE FUNCTION audit_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entity   TEXT := CASE TG_TABLE_NAME
                        WHEN 'service_link' THEN 'link'
                        WHEN 'service_dependency' THEN 'dependency'
                        ELSE TG_TABLE_NAME END;
    verb     TEXT := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    old_row  JSONB := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  JSONB := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    cur      JSONB := coalesce(new_row, old_row);
    actor    TEXT := nullif(current_setting('portal.actor_id', TRUE), '');
BEGIN
    -- A link or dependency whose service is gone was removed by that service's deletion
    -- (ON DELETE CASCADE), which is already recorded.
    IF TG_OP = 'DELETE' AND entity IN ('link', 'dependency') AND (
        NOT EXISTS (SELECT 1 FROM service WHERE id = (old_row ->> 'service_id')::BIGINT)
        OR (entity = 'dependency' AND NOT EXISTS (SELECT 1 FROM service WHERE id = (old_row ->> 'depends_on_id')::BIGINT))
    ) THEN
        RETURN NULL;
    END IF;
    -- Touching a service's updated_at (a link or dependency changed) is not a change of its own.
    IF TG_OP = 'UPDATE' AND (old_row - 'updated_at') = (new_row - 'updated_at') THEN
        RETURN NULL;
    END IF;
    -- The generated search vector is noise in a history.
    old_row := old_row - 'search';
    new_row := new_row - 'search';
    INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id)
    VALUES (
        actor::BIGINT,
        coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), 'system'),
        entity || '.' || verb,
        entity,
        coalesce(cur ->> 'id', cur ->> 'tier', (cur ->> 'service_id') || '→' || (cur ->> 'depends_on_id')),
        coalesce(CASE entity
            WHEN 'link' THEN (SELECT slug FROM service WHERE id = (cur ->> 'service_id')::BIGINT) || ' · ' || (cur ->> 'title')
            WHEN 'dependency' THEN (SELECT s.slug || ' → ' || d.slug FROM service s, service d
                                     WHERE s.id = (cur ->> 'service_id')::BIGINT AND d.id = (cur ->> 'depends_on_id')::BIGINT)
            WHEN 'tier_policy' THEN 'tier ' || (cur ->> 'tier')
            ELSE cur ->> 'slug' END, ''),
        old_row,
        new_row,
        coalesce(current_setting('portal.request_id', TRUE), ''));
    RETURN NULL;
END
$$;

CREATE TRIGGER team_audit AFTER INSERT OR UPDATE OR DELETE ON team
    FOR EACH ROW EXECUTE FUNCTION audit_catalog_change();
CREATE TRIGGER service_audit AFTER INSERT OR UPDATE OR DELETE ON service
    FOR EACH ROW EXECUTE FUNCTION audit_catalog_change();
CREATE TRIGGER service_link_audit AFTER INSERT OR UPDATE OR DELETE ON service_link
    FOR EACH ROW EXECUTE FUNCTION audit_catalog_change();
CREATE TRIGGER service_dependency_audit AFTER INSERT OR UPDATE OR DELETE ON service_dependency
    FOR EACH ROW EXECUTE FUNCTION audit_catalog_change();
CREATE TRIGGER tier_policy_audit AFTER UPDATE ON tier_policy
    FOR EACH ROW EXECUTE FUNCTION audit_catalog_change();
