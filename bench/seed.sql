-- Benchmark data set: a large, varied service catalog, generated set-based (no loops).
--
--   psql -v ON_ERROR_STOP=1 [-v teams=500] [-v services=50000] -d portal -f bench/seed.sql
--
-- Expects a migrated, otherwise unused database (bench/run.sh creates one per run); it empties
-- the catalog tables first, so running it twice gives the same data. Deterministic: setseed()
-- fixes random(), and nothing here runs in parallel, so every run yields the same rows.
\set ON_ERROR_STOP on
\if :{?teams}
\else
\set teams 500
\endif
\if :{?services}
\else
\set services 50000
\endif

SELECT setseed(0.4242);

BEGIN;

-- Bulk load: skip the audit and cache-generation triggers (a fresh server has no cache, and a
-- benchmark has no history to keep). Foreign keys are not checked either; the data is built
-- consistent.
SET LOCAL session_replication_role = replica;

TRUNCATE service_dependency, service_link, service, team RESTART IDENTITY CASCADE;

-- Word lists. Service names combine a domain with a role and a code name, so a prefix search
-- such as "pay" (payments, payouts, paywall) matches some services but far from all.
CREATE TEMP TABLE vocab ON COMMIT DROP AS
SELECT
    ARRAY['payments', 'payouts', 'paywall', 'ledger', 'billing', 'invoice', 'checkout', 'cart',
          'pricing', 'tax', 'refunds', 'fraud', 'risk', 'identity', 'auth', 'session', 'profile',
          'account', 'search', 'catalog', 'inventory', 'shipping', 'fulfillment', 'orders',
          'notifications', 'email', 'sms', 'media', 'images', 'video', 'feed', 'recommendations',
          'analytics', 'metrics', 'logging', 'audit', 'config', 'routing', 'geo', 'maps',
          'loyalty', 'reviews', 'support', 'chat'] AS domains,
    ARRAY['api', 'worker', 'gateway', 'store', 'cache', 'indexer', 'scheduler', 'proxy', 'sync',
          'exporter', 'importer', 'processor', 'router', 'engine', 'broker', 'consumer',
          'publisher', 'monitor', 'adapter', 'bridge', 'collector', 'frontend', 'backend', 'batch'] AS roles,
    ARRAY['Aurora', 'Basalt', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iris',
          'Juniper', 'Kestrel', 'Lumen', 'Meridian', 'Nimbus', 'Onyx', 'Pioneer', 'Quartz',
          'Raven', 'Sierra', 'Tundra', 'Umber', 'Vector', 'Willow', 'Xenon', 'Yarrow', 'Zephyr'] AS codenames,
    ARRAY['Platform', 'Core', 'Squad', 'Infrastructure', 'Experience', 'Foundations',
          'Enablement', 'Reliability'] AS team_kinds,
    -- 40 tags; earlier ones are drawn more often.
    ARRAY['internal', 'public-api', 'customer-facing', 'postgres', 'kafka', 'redis', 'grpc',
          'rest', 'go', 'java', 'python', 'k8s', 'pci', 'gdpr', 'batch', 'streaming', 'rust',
          'kotlin', 'node', 'critical-path', 'realtime', 'graphql', 'mysql', 'elasticsearch',
          's3', 'cdn', 'edge', 'ml', 'legacy', 'sox', 'hipaa', 'cassandra', 'scala', 'ruby',
          'lambda', 'ec2', 'oncall-24x7', 'shared', 'migration', 'sunset'] AS tags,
    ARRAY['Owns its data and exposes it through a versioned interface.',
          'Scales horizontally behind the shared load balancer.',
          'Reads from the primary database and caches hot keys for five minutes.',
          'Publishes change events for downstream consumers.',
          'Runs in three regions with active-active failover.',
          'Batch jobs run nightly and are safe to re-run.',
          'Latency-sensitive: keep the p99 under 200 ms.',
          'Scheduled for consolidation with its sibling services next year.',
          'Maintained by a rotation; see the runbook before restarting.',
          'Stateless; deploys are rolling and need no coordination.',
          'Depends on the message bus for asynchronous work.',
          'Handles personal data: follow the data-retention policy.'] AS sentences;

INSERT INTO team (slug, name, description, email, chat_channel, oncall_url, escalation_policy, created_at, updated_at)
SELECT 'team-' || lpad(g::text, 3, '0'),
       initcap(v.domains[1 + (g * 7) % array_length(v.domains, 1)]) || ' '
           || v.team_kinds[1 + (g * 3) % array_length(v.team_kinds, 1)] || ' ' || g,
       'Team ' || g || ': builds and runs the '
           || v.domains[1 + (g * 7) % array_length(v.domains, 1)] || ' stack.',
       'team-' || lpad(g::text, 3, '0') || '@example.com',
       '#team-' || lpad(g::text, 3, '0'),
       CASE WHEN g % 10 = 0 THEN '' ELSE 'https://oncall.example.com/schedules/team-' || lpad(g::text, 3, '0') END,
       CASE WHEN g % 4 = 0 THEN '' ELSE 'Page primary, then secondary after 15 minutes, then the manager.' END,
       now() - make_interval(days => 400 + g),
       now() - make_interval(days => g % 90)
FROM generate_series(1, :teams) AS g, vocab v;

-- Services. Every random draw happens in the target list of a materialized CTE, so each row
-- gets its own values.
INSERT INTO service (slug, name, description, tier, lifecycle, owner_team_id, tags, created_at, updated_at)
WITH team_ids AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM team
), r AS MATERIALIZED (
    SELECT g,
           1 + floor(random() * array_length(v.domains, 1))::int AS d,
           1 + floor(random() * array_length(v.roles, 1))::int AS ro,
           1 + floor(random() * array_length(v.codenames, 1))::int AS c,
           random() AS r_tier, random() AS r_life, random() AS r_owner, random() AS r_team,
           floor(40 * random() ^ 1.5)::int AS tag0, 1 + floor(random() * 19)::int AS tag_step,
           1 + floor(random() * 3)::int AS tag_n,
           1 + floor(random() * array_length(v.sentences, 1))::int AS s1,
           1 + floor(random() * array_length(v.sentences, 1))::int AS s2,
           random() AS r_desc, random() AS r_created, random() AS r_updated
    FROM generate_series(1, :services) AS g, vocab v
)
SELECT v.domains[r.d] || '-' || v.roles[r.ro] || '-' || r.g,
       initcap(v.domains[r.d]) || ' '
           || CASE v.roles[r.ro] WHEN 'api' THEN 'API' ELSE initcap(v.roles[r.ro]) END || ' '
           || v.codenames[r.c],
       'Handles ' || v.domains[r.d] || ' ' || v.roles[r.ro] || ' work for the ' || v.codenames[r.c]
           || ' product line. ' || v.sentences[r.s1]
           || CASE WHEN r.r_desc < 0.6 THEN ' ' || v.sentences[r.s2] ELSE '' END
           || CASE WHEN r.r_desc < 0.2 THEN ' Contact the owning team before changing its schema or '
                   || 'its public contract; several services read from it directly and a migration '
                   || 'needs a coordinated rollout plan.' ELSE '' END,
       -- The first 1% are core platform services (tier 0, production): dependencies favour them.
       CASE WHEN r.g <= :services / 100 THEN 0
            WHEN r.r_tier < 0.05 THEN 0 WHEN r.r_tier < 0.25 THEN 1 WHEN r.r_tier < 0.65 THEN 2 ELSE 3 END,
       CASE WHEN r.g <= :services / 100 THEN 'production'
            WHEN r.r_life < 0.65 THEN 'production' WHEN r.r_life < 0.80 THEN 'experimental'
            WHEN r.r_life < 0.92 THEN 'deprecated' ELSE 'retired' END,
       CASE WHEN r.r_owner < 0.02 THEN NULL
            ELSE t.ids[1 + floor(array_length(t.ids, 1) * r.r_team ^ 1.6)::int] END,
       (ARRAY[v.tags[1 + r.tag0],
              v.tags[1 + (r.tag0 + r.tag_step) % 40],
              v.tags[1 + (r.tag0 + 2 * r.tag_step) % 40]])[1:r.tag_n],
       now() - make_interval(days => 30 + floor(r.r_created * 1500)::int),
       now() - make_interval(days => 30 + floor(r.r_created * 1500)::int)
           + (make_interval(days => 30 + floor(r.r_created * 1500)::int) * r.r_updated ^ 0.3)
FROM r, vocab v, team_ids t;

-- Links: 1-4 per service; most services have a runbook, some not reviewed for a long time.
INSERT INTO service_link (service_id, kind, title, url, last_reviewed_on, created_at, updated_at)
WITH per_service AS MATERIALIZED (
    SELECT id, slug, created_at,
           1 + floor(random() * 4)::int AS n,
           CASE WHEN random() < 0.6 THEN 0 ELSE floor(random() * 4)::int END AS first_kind
    FROM service
), per_link AS MATERIALIZED (
    SELECT p.id, p.slug, p.created_at,
           (ARRAY['runbook', 'dashboard', 'repo', 'oncall'])[1 + (p.first_kind + i - 1) % 4] AS kind,
           random() AS r_null, random() AS r_age
    FROM per_service p CROSS JOIN LATERAL generate_series(1, p.n) AS i
)
SELECT id, kind,
       CASE kind WHEN 'runbook' THEN 'Runbook' WHEN 'dashboard' THEN 'Grafana dashboard'
                 WHEN 'repo' THEN 'Source repository' ELSE 'On-call schedule' END,
       CASE kind WHEN 'runbook' THEN 'https://runbooks.example.com/' || slug
                 WHEN 'dashboard' THEN 'https://grafana.example.com/d/' || slug
                 WHEN 'repo' THEN 'https://git.example.com/services/' || slug
                 ELSE 'https://oncall.example.com/services/' || slug END,
       CASE WHEN kind <> 'runbook' OR r_null < 0.1 THEN NULL
            ELSE current_date - floor(720 * r_age ^ 4)::int END,    -- ~30% older than 180 days
       created_at, created_at
FROM per_link;

-- Dependencies: 0-4 per service (about 2 on average), 40% of them on the core services (skewed
-- to the first ones), the rest anywhere. No self-dependencies; duplicate pairs are skipped.
INSERT INTO service_dependency (service_id, depends_on_id, kind, created_at)
WITH ids AS (
    SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM service
), per_service AS MATERIALIZED (
    SELECT id, floor(random() * 5)::int AS n FROM service
), per_edge AS MATERIALIZED (
    SELECT p.id, random() AS r_hub, random() AS r_pos, random() AS r_kind
    FROM per_service p CROSS JOIN LATERAL generate_series(1, p.n) AS i
), edge AS (
    SELECT e.id AS service_id,
           ids.ids[1 + CASE WHEN e.r_hub < 0.4 THEN floor((ids.n / 100 + 1) * e.r_pos ^ 2)::int
                            ELSE floor(ids.n * e.r_pos)::int END % ids.n] AS depends_on_id,
           CASE WHEN e.r_kind < 0.6 THEN 'hard' ELSE 'soft' END AS kind
    FROM per_edge e, ids
)
SELECT service_id, depends_on_id, kind, now() - interval '10 days'
FROM edge
WHERE depends_on_id <> service_id
ON CONFLICT DO NOTHING;

COMMIT;

VACUUM ANALYZE;

SELECT (SELECT count(*) FROM team) AS teams,
       (SELECT count(*) FROM service) AS services,
       (SELECT count(*) FROM service WHERE owner_team_id IS NULL) AS unowned,
       (SELECT count(*) FROM service_link) AS links,
       (SELECT count(*) FROM service_dependency) AS dependencies,
       (SELECT count(DISTINCT tag) FROM service, unnest(tags) AS tag) AS distinct_tags;
