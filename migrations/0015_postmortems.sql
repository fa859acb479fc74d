-- Postmortems, their timelines and action items, and the settings their deadlines run on.

-- How postmortems are owed, by severity: required or not, and due this many business days
-- after the incident's resolution (a tier with a stricter `postmortem_due_days` shortens it).
CREATE TABLE postmortem_policy (
    severity           SMALLINT PRIMARY KEY CHECK (severity BETWEEN 1 AND 4),
    required           BOOLEAN NOT NULL,
    due_business_days  SMALLINT NOT NULL CHECK (due_business_days BETWEEN 1 AND 90)
);
INSERT INTO postmortem_policy VALUES (1, TRUE, 3), (2, TRUE, 5), (3, FALSE, 10), (4, FALSE, 10);

-- The organisation's settings for the learning loop: the zone its business days are counted
-- in, and how far back an incident with the same cause on the same service makes a repeat.
CREATE TABLE learning_settings (
    only_row            BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    zone                TEXT NOT NULL DEFAULT 'UTC' CHECK (length(zone) BETWEEN 1 AND 64),
    repeat_window_days  SMALLINT NOT NULL DEFAULT 90 CHECK (repeat_window_days BETWEEN 1 AND 365)
);
INSERT INTO learning_settings DEFAULT VALUES;

-- Days that are not business days besides weekends.
CREATE TABLE holiday (
    day   DATE PRIMARY KEY,
    name  TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100)
);

CREATE TABLE root_cause_category (
    slug      TEXT PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 40),
    name      TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    position  SMALLINT NOT NULL DEFAULT 0
);
INSERT INTO root_cause_category (slug, name, position) VALUES
    ('deploy', 'Deploy', 1), ('config-change', 'Config change', 2), ('capacity', 'Capacity', 3),
    ('dependency', 'Dependency', 4), ('data', 'Data', 5), ('infrastructure', 'Infrastructure', 6),
    ('security', 'Security', 7), ('unknown', 'Unknown', 8);

-- When the incident's postmortem is due (the organisation's local day), derived by the write
-- path from the resolution time, the severity's policy, the affected tiers, the zone and the
-- holidays, and derived again whenever one of those changes. NULL: none owed (not resolved,
-- or not required for the severity).
ALTER TABLE incident ADD COLUMN postmortem_due_on DATE;
CREATE INDEX incident_postmortem_due_idx ON incident (postmortem_due_on) WHERE postmortem_due_on IS NOT NULL;

-- Derived bookkeeping, like `search`: deriving it again is no change of the incident's own, so
-- it neither moves the version (a form opened before a settings change still saves) nor makes
-- an audit event (the settings change that moved it is the event). The same holds for
-- `repeat_of_id` (migration 0016), named here so the two functions are declared once.
CREATE OR REPLACE FUNCTION bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'updated_at' - 'version' - 'search' - 'postmortem_due_on' - 'repeat_of_id')
       IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at' - 'version' - 'search' - 'postmortem_due_on' - 'repeat_of_id') THEN
        NEW.version := OLD.version + 1;
    ELSE
        NEW.version := OLD.version;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION audit_incident_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    verb     TEXT := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    old_row  JSONB := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - 'postmortem_due_on' - 'repeat_of_id' END;
    new_row  JSONB := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - 'postmortem_due_on' - 'repeat_of_id' END;
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

-- One per incident. The sections are Markdown, rendered and sanitised on the server.
CREATE TABLE postmortem (
    incident_id           BIGINT PRIMARY KEY REFERENCES incident (id) ON DELETE CASCADE,
    status                TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'published')),
    author_id             BIGINT REFERENCES app_user (id),
    author_label          TEXT NOT NULL CHECK (length(author_label) <= 254),
    approver_id           BIGINT REFERENCES app_user (id),
    approver_label        TEXT CHECK (length(approver_label) <= 254),
    root_cause            TEXT REFERENCES root_cause_category (slug) ON UPDATE CASCADE,
    summary               TEXT NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
    impact                TEXT NOT NULL DEFAULT '' CHECK (length(impact) <= 20000),
    root_causes           TEXT NOT NULL DEFAULT '' CHECK (length(root_causes) <= 20000),
    trigger               TEXT NOT NULL DEFAULT '' CHECK (length(trigger) <= 20000),
    detection             TEXT NOT NULL DEFAULT '' CHECK (length(detection) <= 20000),
    resolution            TEXT NOT NULL DEFAULT '' CHECK (length(resolution) <= 20000),
    contributing_factors  TEXT NOT NULL DEFAULT '' CHECK (length(contributing_factors) <= 20000),
    went_well             TEXT NOT NULL DEFAULT '' CHECK (length(went_well) <= 20000),
    went_wrong            TEXT NOT NULL DEFAULT '' CHECK (length(went_wrong) <= 20000),
    got_lucky             TEXT NOT NULL DEFAULT '' CHECK (length(got_lucky) <= 20000),
    -- Why it is published without action items ("no action needed: …"); empty otherwise.
    no_action_reason      TEXT NOT NULL DEFAULT '' CHECK (length(no_action_reason) <= 2000),
    submitted_at          TIMESTAMPTZ,
    published_at          TIMESTAMPTZ,
    -- Kept by the trigger below from the incident's title, the sections and the timeline.
    search                TSVECTOR,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'published') = (published_at IS NOT NULL)),
    -- Separation of duties, for every writer: whoever approves did not write it.
    CHECK (approver_id IS NULL OR author_id IS NULL OR approver_id <> author_id)
);
CREATE INDEX postmortem_search_idx ON postmortem USING gin (search);
CREATE INDEX postmortem_root_cause_idx ON postmortem (root_cause) WHERE root_cause IS NOT NULL;
CREATE TRIGGER postmortem_version BEFORE UPDATE ON postmortem
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE timeline_entry (
    id           BIGSERIAL PRIMARY KEY,
    incident_id  BIGINT NOT NULL REFERENCES postmortem (incident_id) ON DELETE CASCADE,
    at           TIMESTAMPTZ NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('detection', 'diagnosis', 'repair', 'key_moment', 'communication')),
    body         TEXT NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 2000)
);
CREATE INDEX timeline_entry_incident_idx ON timeline_entry (incident_id, at, id);

CREATE TABLE action_item (
    id              BIGSERIAL PRIMARY KEY,
    incident_id     BIGINT NOT NULL REFERENCES postmortem (incident_id) ON DELETE CASCADE,
    title           TEXT NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    kind            TEXT NOT NULL CHECK (kind IN ('mitigate', 'prevent', 'detect', 'process')),
    priority        SMALLINT NOT NULL CHECK (priority BETWEEN 0 AND 3),
    team_id         BIGINT NOT NULL REFERENCES team (id),
    owner_id        BIGINT REFERENCES app_user (id),
    service_id      BIGINT REFERENCES service (id) ON DELETE SET NULL,
    due_on          DATE,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'wont_do')),
    wont_do_reason  TEXT NOT NULL DEFAULT '' CHECK (length(wont_do_reason) <= 2000),
    url             TEXT NOT NULL DEFAULT '' CHECK (length(url) <= 2000),
    completed_at    TIMESTAMPTZ,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status IN ('done', 'wont_do')) = (completed_at IS NOT NULL)),
    CHECK (status <> 'wont_do' OR length(btrim(wont_do_reason)) > 0)
);
CREATE INDEX action_item_incident_idx ON action_item (incident_id, id);
-- The open items are what every list shows: by due day (overdue first), team, service, owner.
CREATE INDEX action_item_open_due_idx ON action_item (due_on NULLS LAST, priority, id) WHERE status IN ('open', 'in_progress');
CREATE INDEX action_item_team_idx ON action_item (team_id, priority, due_on) WHERE status IN ('open', 'in_progress');
CREATE INDEX action_item_service_idx ON action_item (service_id) WHERE status IN ('open', 'in_progress');
CREATE INDEX action_item_owner_idx ON action_item (owner_id) WHERE status IN ('open', 'in_progress');
CREATE TRIGGER action_item_version BEFORE UPDATE ON action_item
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- The search vector: the incident's title weighs most, then the summary, then the causes, the
-- rest and, least, the timeline.
CREATE FUNCTION postmortem_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search :=
        setweight(to_tsvector('english', coalesce((SELECT title FROM incident WHERE id = NEW.incident_id), '')), 'A') ||
        setweight(to_tsvector('english', NEW.summary), 'B') ||
        setweight(to_tsvector('english', NEW.root_causes || ' ' || NEW.trigger || ' ' || NEW.impact
            || ' ' || NEW.detection || ' ' || NEW.resolution || ' ' || NEW.contributing_factors
            || ' ' || NEW.went_well || ' ' || NEW.went_wrong || ' ' || NEW.got_lucky), 'C') ||
        setweight(to_tsvector('english', coalesce((SELECT string_agg(body, ' ' ORDER BY at, id)
            FROM timeline_entry WHERE incident_id = NEW.incident_id), '')), 'D');
    RETURN NEW;
END
$$;
CREATE TRIGGER postmortem_search BEFORE INSERT OR UPDATE ON postmortem
    FOR EACH ROW EXECUTE FUNCTION postmortem_search_vector();

-- A timeline change or a retitled incident refreshes the vector (the row's own trigger
-- recomputes it; nothing else about the row changes, so no version, audit or revision moves).
CREATE FUNCTION postmortem_search_touch(incident BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE postmortem SET search = NULL WHERE incident_id = incident;
$$;
CREATE FUNCTION timeline_touches_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM postmortem_search_touch(OLD.incident_id);
    ELSE
        PERFORM postmortem_search_touch(NEW.incident_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION incident_title_touches_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM postmortem_search_touch(NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER timeline_touches_search AFTER INSERT OR UPDATE OR DELETE ON timeline_entry
    FOR EACH ROW EXECUTE FUNCTION timeline_touches_search();
CREATE TRIGGER incident_title_touches_search AFTER UPDATE OF title ON incident
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION incident_title_touches_search();

-- Edits after publication are kept as revisions: who, when, which sections, before and after.
CREATE TABLE postmortem_revision (
    id           BIGSERIAL PRIMARY KEY,
    incident_id  BIGINT NOT NULL REFERENCES postmortem (incident_id) ON DELETE CASCADE,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_id     BIGINT REFERENCES app_user (id),
    actor_label  TEXT NOT NULL,
    fields       TEXT[] NOT NULL,
    before       JSONB NOT NULL,
    after        JSONB NOT NULL
);
CREATE INDEX postmortem_revision_idx ON postmortem_revision (incident_id, id DESC);

CREATE FUNCTION postmortem_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    content  TEXT[] := ARRAY['summary', 'impact', 'root_causes', 'trigger', 'detection', 'resolution',
                             'contributing_factors', 'went_well', 'went_wrong', 'got_lucky', 'root_cause',
                             'no_action_reason'];
    o JSONB := to_jsonb(OLD);
    n JSONB := to_jsonb(NEW);
    changed TEXT[];
BEGIN
    IF OLD.status <> 'published' OR NEW.status <> 'published' THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(array_agg(f ORDER BY ord), '{}') INTO changed
    FROM unnest(content) WITH ORDINALITY AS c(f, ord) WHERE o -> f IS DISTINCT FROM n -> f;
    IF cardinality(changed) = 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO postmortem_revision (incident_id, actor_id, actor_label, fields, before, after)
    VALUES (NEW.incident_id,
            nullif(current_setting('portal.actor_id', TRUE), '')::BIGINT,
            coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), 'system'),
            changed,
            (SELECT jsonb_object_agg(f, o -> f) FROM unnest(changed) f),
            (SELECT jsonb_object_agg(f, n -> f) FROM unnest(changed) f));
    RETURN NULL;
END
$$;
CREATE TRIGGER postmortem_revision AFTER UPDATE ON postmortem
    FOR EACH ROW EXECUTE FUNCTION postmortem_keep_revision();

-- Audited like the catalog and incidents: one event per row change, in the change's own
-- transaction. The label names the incident so the trail reads.
CREATE FUNCTION audit_learning_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entity   TEXT := TG_ARGV[0];
    verb     TEXT := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    old_row  JSONB := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - 'search' END;
    new_row  JSONB := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - 'search' END;
    cur      JSONB := coalesce(new_row, old_row);
    label    TEXT;
BEGIN
    IF TG_OP = 'UPDATE' AND (old_row - 'updated_at' - 'version') = (new_row - 'updated_at' - 'version') THEN
        RETURN NULL;
    END IF;
    -- Rows removed with their incident or postmortem go with its own event.
    IF TG_OP = 'DELETE' AND entity IN ('timeline_entry', 'action_item')
       AND NOT EXISTS (SELECT 1 FROM postmortem WHERE incident_id = (old_row ->> 'incident_id')::BIGINT) THEN
        RETURN NULL;
    END IF;
    label := CASE entity
        WHEN 'postmortem' THEN 'postmortem of #' || (cur ->> 'incident_id')
        WHEN 'timeline_entry' THEN '#' || (cur ->> 'incident_id') || ' timeline · ' || left(cur ->> 'body', 80)
        WHEN 'action_item' THEN '#' || (cur ->> 'incident_id') || ' action · ' || (cur ->> 'title')
        WHEN 'holiday' THEN (cur ->> 'day') || ' ' || (cur ->> 'name')
        WHEN 'root_cause_category' THEN cur ->> 'slug'
        WHEN 'postmortem_policy' THEN 'SEV' || (cur ->> 'severity')
        ELSE entity END;
    INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id)
    VALUES (
        nullif(current_setting('portal.actor_id', TRUE), '')::BIGINT,
        coalesce(nullif(current_setting('portal.actor_label', TRUE), ''), 'system'),
        entity || '.' || verb,
        entity,
        coalesce(cur ->> 'id', cur ->> 'incident_id', cur ->> 'day', cur ->> 'slug', cur ->> 'severity', ''),
        left(label, 200),
        old_row,
        new_row,
        coalesce(current_setting('portal.request_id', TRUE), ''));
    RETURN NULL;
END
$$;
CREATE TRIGGER postmortem_audit AFTER INSERT OR UPDATE OR DELETE ON postmortem
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('postmortem');
CREATE TRIGGER timeline_entry_audit AFTER INSERT OR UPDATE OR DELETE ON timeline_entry
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('timeline_entry');
CREATE TRIGGER action_item_audit AFTER INSERT OR UPDATE OR DELETE ON action_item
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('action_item');
CREATE TRIGGER holiday_audit AFTER INSERT OR UPDATE OR DELETE ON holiday
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('holiday');
CREATE TRIGGER root_cause_category_audit AFTER INSERT OR UPDATE OR DELETE ON root_cause_category
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('root_cause_category');
CREATE TRIGGER postmortem_policy_audit AFTER UPDATE ON postmortem_policy
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('postmortem_policy');
CREATE TRIGGER learning_settings_audit AFTER UPDATE ON learning_settings
    FOR EACH ROW EXECUTE FUNCTION audit_learning_change('learning_settings');
CREATE TRIGGER postmortem_truncate_audit AFTER TRUNCATE ON postmortem
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();
CREATE TRIGGER action_item_truncate_audit AFTER TRUNCATE ON action_item
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();
CREATE TRIGGER timeline_entry_truncate_audit AFTER TRUNCATE ON timeline_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_truncate();

-- Revisions are history like the trail: the server appends them (by trigger) and never rewrites.
SELECT portal_grant_server_rights();
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON postmortem_revision FROM portal_app;
    END IF;
END
$$;
