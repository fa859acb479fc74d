-- SLO benchmark data: :slos SLOs (default 5,000) on the most critical services, each with 30
-- days of counts in the shape the roll-up keeps (hour buckets, the last 7 hours in
-- minutes; 1,000 events a minute), generated set-based and deterministic.
--
--   psql -v ON_ERROR_STOP=1 [-v slos=5000] -d portal -f bench/slo_seed.sql
--
-- Expects bench/seed.sql's catalog; replaces any SLOs there.
\set ON_ERROR_STOP on
\if :{?slos}
\else
\set slos 5000
\endif

BEGIN;
-- Bulk load: the audit and generation triggers have nothing to record for seed data.
SET LOCAL session_replication_role = replica;
TRUNCATE slo RESTART IDENTITY CASCADE;

INSERT INTO slo (service_id, slug, name, sli_kind, good_events, total_events, objective_milli,
                 window_kind, window_days, source)
SELECT s.id, 'availability', left(s.name, 100) || ' availability', 'availability',
       'a request answered without a 5xx', 'a request',
       (ARRAY[99000, 99500, 99900, 99950, 99990])[1 + (s.id % 5)::int], 'rolling', 30, 'push'
FROM service s ORDER BY s.tier, s.id LIMIT :slos;

INSERT INTO slo_count (slo_id, start, minutes, good, total)
SELECT o.id, h, 60, 60000 - ((o.id + (extract(epoch FROM h)::int8 / 3600)) % 9), 60000
FROM slo o, generate_series(date_trunc('hour', now() - interval '30 days', 'UTC'),
                            date_trunc('hour', now() - interval '7 hours', 'UTC') - interval '1 hour',
                            interval '1 hour') h;

INSERT INTO slo_count (slo_id, start, minutes, good, total)
SELECT o.id, m, 1, 1000 - ((o.id + (extract(epoch FROM m)::int8 / 60)) % 7 = 0)::int, 1000
FROM slo o, generate_series(date_trunc('hour', now() - interval '7 hours', 'UTC'),
                            date_trunc('minute', now(), 'UTC') - interval '1 minute',
                            interval '1 minute') m;
COMMIT;
ANALYZE slo, slo_count;

SELECT (SELECT count(*) FROM slo) AS slos, (SELECT count(*) FROM slo_count) AS buckets;
