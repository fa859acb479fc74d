-- Incident benchmark data: :incidents incidents (default 100,000) over the last two years on
-- the catalog's services, about 60 % with a postmortem (most published, some drafts), a
-- timeline of four entries each, and five action items per postmortem (300,000 for the
-- default), generated set-based and deterministic. Deadlines (postmortem_due_on) are the
-- resolution day plus a week: the benchmark times reads, not the business-day clock.
--
--   psql -v ON_ERROR_STOP=1 [-v incidents=100000] -d portal -f bench/incident_seed.sql
--
-- Expects bench/seed.sql's catalog; replaces any incidents there.
\set ON_ERROR_STOP on
\if :{?incidents}
\else
\set incidents 100000
\endif

SELECT setseed(0.2424);
BEGIN;
-- Bulk load: the audit, search-refresh and version triggers have nothing to record for seed
-- data; the search vector is computed below in one statement instead.
SET LOCAL session_replication_role = replica;
TRUNCATE incident RESTART IDENTITY CASCADE;
INSERT INTO app_user (issuer, subject, email, name)
VALUES ('bench', 'bench-author', 'author@bench.example', 'Bench Author'),
       ('bench', 'bench-approver', 'approver@bench.example', 'Bench Approver')
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE words ON COMMIT DROP AS
SELECT ARRAY['Elevated 5xx after a deploy', 'Database connection pool exhausted',
             'Certificate expired on an internal endpoint', 'Queue backlog delayed processing',
             'Config change disabled a feature flag', 'Dependency timeouts under peak load',
             'Disk filled up on a storage node', 'Cache stampede after a restart',
             'DNS resolution failures in one region', 'Slow queries after an index was dropped',
             'Replication lag on the primary', 'Rate limiter rejected healthy traffic'] AS titles,
       ARRAY['deploy', 'config-change', 'capacity', 'dependency', 'data', 'infrastructure',
             'security', 'unknown'] AS causes;

-- Services weighted towards the critical ones (tier 0 and 1 have most incidents).
CREATE TEMP TABLE pick ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY tier, id) AS n, id FROM service;

INSERT INTO incident (title, severity, status, summary, service_ids, started_at, detected_at,
                      acknowledged_at, mitigated_at, resolved_at, postmortem_due_on)
SELECT w.titles[1 + (g % 12)], 1 + (g % 4)::int,
       CASE WHEN g > :incidents - 20 THEN 'identified' ELSE 'resolved' END,
       'Customers saw errors while it lasted.',
       ARRAY(SELECT p.id FROM pick p WHERE p.n IN (1 + (g::bigint * 7919) % 8000, 1 + (g::bigint * 104729) % 40000)
             LIMIT 1 + (g % 3 = 0)::int),
       t, t + interval '4 minutes', t + interval '9 minutes', t + interval '40 minutes',
       CASE WHEN g > :incidents - 20 THEN NULL ELSE t + interval '90 minutes' END,
       CASE WHEN g > :incidents - 20 OR g % 4 > 1 THEN NULL ELSE (t + interval '7 days')::date END
FROM generate_series(1, :incidents) g, words w,
     LATERAL (SELECT now() - interval '730 days' * (1 - g::float8 / :incidents) AS t) s;

INSERT INTO postmortem (incident_id, status, author_id, author_label, approver_id, approver_label,
                        root_cause, summary, impact, root_causes, resolution, submitted_at, published_at)
SELECT i.id,
       CASE WHEN i.id % 10 = 0 THEN 'draft' WHEN i.id % 10 = 1 THEN 'in_review' ELSE 'published' END,
       a.id, 'author@bench.example',
       CASE WHEN i.id % 10 > 1 THEN b.id END, CASE WHEN i.id % 10 > 1 THEN 'approver@bench.example' END,
       w.causes[1 + (i.id % 8)],
       i.title || ': the team restored service; retries were not idempotent and the pool was too small.',
       'About ' || (i.id % 40) || ' % of requests failed for ' || (i.id % 90) || ' minutes.',
       'A ' || w.causes[1 + (i.id % 8)] || ' problem met a missing safeguard.',
       'Rolled back, then fixed forward the next day.',
       i.resolved_at + interval '1 day',
       CASE WHEN i.id % 10 > 1 THEN i.resolved_at + interval '3 days' END
FROM incident i, words w,
     (SELECT id FROM app_user WHERE subject = 'bench-author') a,
     (SELECT id FROM app_user WHERE subject = 'bench-approver') b
WHERE i.resolved_at IS NOT NULL AND i.id % 5 < 3;

INSERT INTO timeline_entry (incident_id, at, kind, body)
SELECT p.incident_id, i.started_at + k * interval '10 minutes',
       (ARRAY['detection', 'diagnosis', 'repair', 'communication'])[k],
       (ARRAY['Alert fired on the error rate', 'Found the change that caused it',
              'Rolled the change back', 'Status page updated'])[k]
FROM postmortem p JOIN incident i ON i.id = p.incident_id, generate_series(1, 4) k;

-- Five items a postmortem (300,000 for the default), every state, a few overdue.
INSERT INTO action_item (incident_id, title, kind, priority, team_id, service_id, due_on, status,
                         wont_do_reason, completed_at)
SELECT p.incident_id,
       (ARRAY['Alert on the symptom users saw', 'Add a canary stage', 'Write the runbook step',
              'Make retries idempotent', 'Size the pool for peak'])[k],
       (ARRAY['detect', 'prevent', 'process', 'mitigate'])[1 + (p.incident_id + k) % 4],
       (p.incident_id + k) % 4,
       coalesce(s.owner_team_id, (SELECT min(id) FROM team)),
       s.id,
       i.started_at::date + 30 + k * 7,
       st.status,
       CASE WHEN st.status = 'wont_do' THEN 'Superseded.' ELSE '' END,
       CASE WHEN st.status IN ('done', 'wont_do') THEN i.started_at + interval '20 days' END
FROM postmortem p JOIN incident i ON i.id = p.incident_id
JOIN service s ON s.id = i.service_ids[1],
     generate_series(1, 5) k,
     LATERAL (SELECT CASE WHEN i.started_at > now() - interval '60 days' AND (p.incident_id + k) % 3 = 0 THEN 'open'
                          WHEN i.started_at > now() - interval '60 days' THEN 'in_progress'
                          WHEN (p.incident_id + k) % 50 = 0 THEN 'open'
                          WHEN (p.incident_id + k) % 7 = 0 THEN 'wont_do'
                          ELSE 'done' END AS status) st;

-- The search vector, as the trigger would have made it.
UPDATE postmortem p SET search =
    setweight(to_tsvector('english', i.title), 'A') ||
    setweight(to_tsvector('english', p.summary), 'B') ||
    setweight(to_tsvector('english', p.root_causes || ' ' || p.impact || ' ' || p.resolution), 'C') ||
    setweight(to_tsvector('english', coalesce((SELECT string_agg(body, ' ' ORDER BY at, id)
        FROM timeline_entry t WHERE t.incident_id = p.incident_id), '')), 'D')
FROM incident i WHERE i.id = p.incident_id;
COMMIT;
VACUUM ANALYZE incident, postmortem, timeline_entry, action_item;
-- Repeats, by the rule the triggers keep (they were off for the load), planned with the
-- statistics just gathered, for the incidents whose postmortem names a cause.
SET session_replication_role = replica;
UPDATE incident i SET repeat_of_id = r.earlier
FROM (SELECT x.id, (SELECT e.id FROM incident e JOIN postmortem pe ON pe.incident_id = e.id
                    WHERE pe.root_cause = p.root_cause AND e.service_ids && x.service_ids AND e.id <> x.id
                      AND e.started_at < x.started_at AND e.started_at >= x.started_at - interval '90 days'
                    ORDER BY e.started_at DESC, e.id DESC LIMIT 1) AS earlier
      FROM incident x JOIN postmortem p ON p.incident_id = x.id WHERE p.root_cause <> 'unknown') r
WHERE i.id = r.id AND r.earlier IS NOT NULL;
RESET session_replication_role;
VACUUM ANALYZE incident;

SELECT (SELECT count(*) FROM incident) AS incidents, (SELECT count(*) FROM postmortem) AS postmortems,
       (SELECT count(*) FROM action_item) AS action_items,
       (SELECT count(*) FROM action_item WHERE status IN ('open', 'in_progress') AND due_on < current_date) AS overdue;
