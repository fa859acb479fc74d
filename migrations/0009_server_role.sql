-- The server runs as its own role, not as the owner of the schema, so the portal cannot rewrite
-- its own history: `portal_app` may read and write the portal's data and append to the audit
-- trail, but not update, delete or truncate audit rows, nor alter a table (so it cannot disable
-- a trigger), nor set session_replication_role (superuser only). Migrations run as the owner.
-- The login role the server uses is a member of portal_app (README: "Database roles").
--
-- Created here if missing, so a fresh database works; where the migrating role may not create
-- roles, create it beforehand (CREATE ROLE portal_app NOLOGIN) and this leaves it be. Tests
-- migrate many databases of one cluster at once, hence the duplicate errors are tolerated.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN
        CREATE ROLE portal_app NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
    -- A migrating role that may not create roles, and nobody made portal_app: the grants are
    -- skipped and the server, running as this one role, warns that the trail is unprotected.
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'portal_app does not exist and cannot be created here: see README, "Database roles"';
END
$$;

-- Sessions: the table tower-sessions' store would create at start-up, made here so that the
-- server's role needs no right to create schemas.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id text PRIMARY KEY NOT NULL,
    data bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
-- The rights, as a function: `server restore` loads a backup without its privileges (they name
-- roles of the cluster it came from) and calls this to grant them afresh.
CREATE FUNCTION portal_grant_server_rights() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN
        RETURN;
    END IF;
    GRANT USAGE ON SCHEMA tower_sessions TO portal_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON tower_sessions.session TO portal_app;
    GRANT USAGE ON SCHEMA public TO portal_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;
    -- Tables and sequences later migrations create get the same rights; a migration that adds
    -- another append-only table revokes explicitly (and adds it below).
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO portal_app;
    -- Append-only history; the migration bookkeeping is the owner's alone.
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM portal_app;
    -- Deleting a person would blank the actor of their audit rows (ON DELETE SET NULL runs as
    -- the owner); the portal never deletes people, it disables them.
    REVOKE DELETE ON app_user FROM portal_app;
    -- (Absent where the migrations are applied by hand, as bench/run.sh does with psql.)
    IF to_regclass('_sqlx_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM portal_app;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION portal_grant_server_rights() FROM PUBLIC;
SELECT portal_grant_server_rights();

-- TRUNCATE bypasses row triggers. The server's role may not truncate anything; an owner who
-- truncates an audited table leaves a record of it, and cannot truncate the trail at all.
CREATE FUNCTION audit_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_event (actor_label, action, entity_type, entity_label, request_id)
    VALUES (coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), session_user::TEXT),
            TG_TABLE_NAME || '.truncate', TG_TABLE_NAME, 'every row', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER team_truncate_audit AFTER TRUNCATE ON team
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();
CREATE TRIGGER service_truncate_audit AFTER TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();
CREATE TRIGGER service_link_truncate_audit AFTER TRUNCATE ON service_link
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();
CREATE TRIGGER service_dependency_truncate_audit AFTER TRUNCATE ON service_dependency
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();
CREATE TRIGGER tier_policy_truncate_audit AFTER TRUNCATE ON tier_policy
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();

CREATE FUNCTION refuse_audit_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE audit_event is refused';
END
$$;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_truncate();
