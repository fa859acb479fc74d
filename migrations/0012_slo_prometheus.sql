-- The evaluator's latest answers from Prometheus, per Prometheus-sourced SLO: the event counts
-- over the SLO's window and each burn-rate window at the last successful evaluation, and, while
-- Prometheus or a query fails, since when and why. Pages turn these into budgets the same way
-- as pushed counts; a failing source makes the SLO "unknown since …", never healthy.
CREATE TABLE slo_prometheus (
    slo_id         BIGINT PRIMARY KEY REFERENCES slo (id) ON DELETE CASCADE,
    -- The definition these answers are for (queries and window); another one's are ignored.
    signature      TEXT NOT NULL,
    evaluated_at   TIMESTAMPTZ NOT NULL,
    succeeded_at   TIMESTAMPTZ,
    -- good/total per window, in the order the code keeps them (the SLO window first).
    good           BIGINT[] NOT NULL DEFAULT '{}',
    total          BIGINT[] NOT NULL DEFAULT '{}',
    failing_since  TIMESTAMPTZ,
    failure        TEXT NOT NULL DEFAULT '' CHECK (length(failure) <= 1000)
);

SELECT portal_grant_server_rights();
