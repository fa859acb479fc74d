#!/usr/bin/env bash
# Benchmark the portal's catalog and service pages against a large seeded catalog.
#
#   bench/run.sh                          # uses target/release/server (or target/debug/server)
#   SERVER_BIN=/path/to/server bench/run.sh
#
# Starts a throwaway PostgreSQL cluster on a free loopback port, applies the migrations, seeds
# 50,000 services (bench/seed.sql), starts the server, loads it with wrk, times the same SQL with
# pgbench, prints a summary with budget checks and saves everything to bench/results/. Only
# 127.0.0.1 is ever contacted. See bench/README.md for the variables that tune it.
set -euo pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_DIR=${PROJECT_DIR:-$(cd "$BENCH_SRC/.." && pwd)}
DURATION=${BENCH_DURATION:-15}           # seconds per measured wrk / pgbench run
WARMUP=${BENCH_WARMUP:-3}                # seconds of discarded load before each wrk run
SQL_SINGLE_DURATION=${BENCH_SQL_SINGLE_DURATION:-10}
THREADS=2
CONNECTIONS=32
SERVICES=${BENCH_SERVICES:-50000}
TEAMS=${BENCH_TEAMS:-500}
SCHEMA_MODE=${BENCH_SCHEMA:-psql}        # psql: apply migrations/*.sql; server: let the binary do it
KEEP=${BENCH_KEEP:-0}                    # 1: keep the temp dir (logs, pgbench logs) after the run
WRITES_PER_SEC=${BENCH_WRITES_PER_SEC:-5} # writes per second during the "with writes" runs (0: none)
SLOS=${BENCH_SLOS:-5000}                  # SLOs with 30 days of counts for the SLO runs (0: skip them)
INCIDENTS=${BENCH_INCIDENTS:-100000}      # incidents (with postmortems and 3 action items each) (0: skip)
LUA=$BENCH_SRC/paths.lua
STARTED_AT=$(date +%s)

die() {
    echo "bench: error: $*" >&2
    exit 1
}
step() { printf '\n== [%3ds] %s\n' "$(($(date +%s) - STARTED_AT))" "$*"; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

for v in DURATION WARMUP SQL_SINGLE_DURATION SERVICES TEAMS WRITES_PER_SEC SLOS INCIDENTS; do
    is_uint "${!v}" || die "$v must be a whole number (got \"${!v}\")"
done
((SERVICES >= 1000 && TEAMS >= 10)) || die "BENCH_SERVICES must be >= 1000 and BENCH_TEAMS >= 10"
[[ $SCHEMA_MODE == psql || $SCHEMA_MODE == server ]] || die "BENCH_SCHEMA must be psql or server"
[[ -f $BENCH_SRC/seed.sql && -f $LUA ]] || die "bench/seed.sql or bench/paths.lua is missing"

# ---------------------------------------------------------------------------------------------
# Results file: everything printed from here on is also saved.
mkdir -p "$BENCH_SRC/results"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$BENCH_SRC/results/$STAMP.txt
EXPLAIN_FILE=$BENCH_SRC/results/$STAMP-explain.txt
# tee ignores Ctrl-C so that the cleanup messages still reach the file.
exec > >(trap '' INT TERM; exec tee "$RESULTS") 2>&1
TEE_PID=$!

# ---------------------------------------------------------------------------------------------
# Tools.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[[ -n $PG_BIN && -x $PG_BIN/initdb ]] || die "no PostgreSQL binaries in /usr/lib/postgresql/*/bin (set PG_BIN)"
for tool in initdb pg_ctl psql pgbench; do
    [[ -x $PG_BIN/$tool ]] || die "$PG_BIN/$tool not found (install postgresql and postgresql-contrib)"
done
for tool in curl awk sort sha384sum; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
if ! command -v wrk >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "wrk is missing; installing it with apt-get"
        apt-get install -y wrk || { apt-get update && apt-get install -y wrk; } || die "could not install wrk"
    else
        die "wrk is required (apt-get install wrk)"
    fi
fi

if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user (PostgreSQL refuses to run as root)"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

# Server binary.
if [[ -n ${SERVER_BIN:-} ]]; then
    [[ -x $SERVER_BIN ]] || die "SERVER_BIN=$SERVER_BIN is not an executable file"
elif [[ -x $PROJECT_DIR/target/release/server ]]; then
    SERVER_BIN=$PROJECT_DIR/target/release/server
elif [[ -x $PROJECT_DIR/target/debug/server ]]; then
    SERVER_BIN=$PROJECT_DIR/target/debug/server
else
    die "no server binary: build one (cargo leptos build --release) or set SERVER_BIN"
fi
BUILD=release
if [[ $SERVER_BIN == */debug/* ]]; then
    BUILD=debug
elif command -v readelf >/dev/null && readelf -S -W "$SERVER_BIN" 2>/dev/null | grep -q '\.debug_info'; then
    BUILD=debug   # has debug info: almost certainly an unoptimised dev build
fi

# ---------------------------------------------------------------------------------------------
# Working directory, ports, cleanup.
if [[ -n ${BENCH_DIR:-} ]]; then
    mkdir -p "$BENCH_DIR"
    WORK=$(mktemp -d "$BENCH_DIR/portal-bench.XXXXXX")
else
    WORK=$(mktemp -d /tmp/portal-bench.XXXXXX)
fi
chmod 755 "$WORK"
PGHOME=$WORK/pg
mkdir -p "$PGHOME" "$WORK/site" "$WORK/pgbench"
[[ $(id -u) == 0 ]] && chown postgres:postgres "$PGHOME"
as_pg test -w "$PGHOME" || die "the postgres user cannot write to $PGHOME (check the permissions of BENCH_DIR's parents)"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { # a free loopback port in [base, base+2000)
    local base=$1 p i
    for ((i = 0; i < 100; i++)); do
        p=$((base + RANDOM % 2000))
        if ! port_in_use "$p" && [[ $p != "${PG_PORT:-}" ]]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
PG_PORT=${BENCH_PG_PORT:-$(pick_port 55000)} || die "no free port for PostgreSQL"
APP_PORT=${BENCH_APP_PORT:-$(pick_port 38000)} || die "no free port for the server"
IDP_PORT=${BENCH_IDP_PORT:-$(pick_port 44000)} || die "no free port for the identity provider"
port_in_use "$PG_PORT" && die "port $PG_PORT is in use"
port_in_use "$APP_PORT" && die "port $APP_PORT is in use"

SERVER_PID=
IDP_PID=
PG_STARTED=0
CLEANED=0
cleanup() {
    local rc=$?
    ((CLEANED)) && return
    CLEANED=1
    set +e
    stop_server
    [[ -n $IDP_PID ]] && kill "$IDP_PID" 2>/dev/null
    if ((PG_STARTED)); then
        as_pg "$PG_BIN/pg_ctl" -D "$PGHOME/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            echo "bench: warning: could not stop PostgreSQL in $PGHOME/data" >&2
    fi
    if [[ $KEEP == 1 ]]; then
        echo "bench: kept $WORK (server.log, postgres.log, pgbench logs)"
    else
        rm -rf -- "$WORK"
    fi
    ((rc == 0)) || echo "bench: failed (exit $rc); output saved to $RESULTS" >&2
    exec >&- 2>&-
    wait "$TEE_PID" 2>/dev/null
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
sql() { "${PSQL[@]}" -d portal "$@"; }
DB_URL=postgres://postgres@127.0.0.1:$PG_PORT/portal
APP_URL=http://127.0.0.1:$APP_PORT
if [[ -d $PROJECT_DIR/target/site ]]; then SITE_ROOT=$PROJECT_DIR/target/site; else SITE_ROOT=$WORK/site; fi

# Everything is behind sign-in: the load carries the session cookie of an admin who signed in
# through the development identity provider (devidp/), by the same OIDC path as production.
start_idp() {
    { read -r IDP_PID; read -r IDP_URL; } < <("$PROJECT_DIR/scripts/devidp.sh" "$IDP_PORT" "$APP_URL" "$WORK/devidp.log") ||
        die "the development identity provider did not start"
}
sign_in() { # prints the portal session cookie ("portal_session=...")
    local jar=$WORK/cookies.txt action
    rm -f "$jar"
    curl -s -c "$jar" -b "$jar" -L -o "$WORK/login.html" --max-time 30 "$APP_URL/auth/login?next=%2F" ||
        die "could not reach the sign-in page"
    action=$(grep -m 1 -o 'action="/interaction/[^"]*"' "$WORK/login.html" | sed 's/^action="//; s/"$//')
    [[ -n $action ]] || die "no login form from the identity provider (see $WORK/login.html)"
    curl -s -c "$jar" -b "$jar" -L -o /dev/null --max-time 30 \
        --data-urlencode username=alice --data-urlencode password=demo "$IDP_URL$action" ||
        die "signing in failed"
    awk '$6 == "portal_session" {print "portal_session=" $7}' "$jar" | tail -n 1
}

start_server() {
    (cd "$WORK" && exec env DATABASE_URL="$DB_URL" LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT" \
        PORTAL_PUBLIC_URL="$APP_URL" PORTAL_OIDC_ISSUER="$IDP_URL" PORTAL_OIDC_CLIENT_ID=portal \
        PORTAL_OIDC_CLIENT_SECRET=portal-dev-secret PORTAL_GROUP_ROLES="sre-admins=admin" \
        LEPTOS_SITE_ROOT="$SITE_ROOT" LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-portal}" \
        LEPTOS_ENV="${LEPTOS_ENV:-PROD}" RUST_LOG="${RUST_LOG:-warn}" \
        PORTAL_API_RATE_PER_MINUTE=1000000 \
        "$SERVER_BIN" >>"$WORK/server.log" 2>&1) &
    SERVER_PID=$!
    local deadline=$(($(date +%s) + 60)) code
    while (($(date +%s) < deadline)); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            SERVER_PID=
            tail -n 30 "$WORK/server.log" >&2
            die "the server exited during startup (log above). With BENCH_SCHEMA=psql, a migration on disk that the binary does not know (or a changed one) makes it refuse to start: rebuild, or use BENCH_SCHEMA=server."
        fi
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP_URL/healthz" || true)
        [[ $code == 200 ]] && return 0
        sleep 0.5
    done
    tail -n 30 "$WORK/server.log" >&2
    die "the server did not answer 200 on $APP_URL/healthz within 60 s"
}

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    [[ -n ${WRITER_PID:-} ]] && kill "$WRITER_PID" 2>/dev/null
    kill -TERM "$SERVER_PID" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "bench: the server ignored SIGTERM for 10 s; killing it" >&2
        kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# ---------------------------------------------------------------------------------------------
step "Setup"
echo "project        $PROJECT_DIR"
echo "server binary  $SERVER_BIN ($BUILD build, modified $(date -r "$SERVER_BIN" '+%F %T'))"
if [[ $BUILD == debug ]]; then
    echo "WARNING: this is a debug (unoptimised) build: its numbers are NOT meaningful. Build with"
    echo "         cargo leptos build --release and run again for real figures."
fi
echo "PostgreSQL     $("$PG_BIN/postgres" --version) ($PG_BIN)"
echo "wrk            $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')"
echo "machine        $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "load average   $(cut -d ' ' -f 1-3 /proc/loadavg) (before the run)"
if awk -v l="$(cut -d ' ' -f 1 /proc/loadavg)" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
    echo "WARNING: the machine is busy: other processes will compete with the benchmark for CPU,"
    echo "         so the figures will be lower and noisier than on an idle machine."
fi
echo "load           ${THREADS} wrk threads, ${CONNECTIONS} connections, ${WARMUP}s warm-up + ${DURATION}s per run"
echo "work dir       $WORK (PostgreSQL on 127.0.0.1:$PG_PORT, server on 127.0.0.1:$APP_PORT)"

step "PostgreSQL: initdb and start"
as_pg "$PG_BIN/initdb" -D "$PGHOME/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
# Durability is irrelevant for a throwaway cluster (it only speeds up seeding); the rest is stock.
as_pg "$PG_BIN/pg_ctl" -D "$PGHOME/data" -l "$PGHOME/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PGHOME -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -n 30 "$PGHOME/postgres.log" >&2; die "PostgreSQL did not start"; }
PG_STARTED=1
"${PSQL[@]}" -d postgres -c 'DROP DATABASE IF EXISTS portal' -c 'CREATE DATABASE portal'
echo "cluster up, database portal created"

step "Identity provider"
start_idp
echo "devidp at $IDP_URL (pid $IDP_PID)"

step "Schema ($SCHEMA_MODE)"
apply_migrations() {
    local files=() f base version desc sum
    shopt -s nullglob
    files=("$PROJECT_DIR"/migrations/*.sql)
    shopt -u nullglob
    ((${#files[@]})) || die "no migrations in $PROJECT_DIR/migrations"
    mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)
    # The server runs sqlx's migrator at startup; record what we applied exactly as sqlx would
    # (version, description, SHA-384 of the file) so that it finds nothing left to do.
    sql <<'SQL'
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);
SQL
    for f in "${files[@]}"; do
        base=${f##*/}
        [[ $base == *.down.sql ]] && continue
        if [[ ! $base =~ ^([0-9]+)_(.+)\.sql$ ]]; then
            echo "skipping $base (not <version>_<description>.sql)"
            continue
        fi
        version=$((10#${BASH_REMATCH[1]}))
        desc=${BASH_REMATCH[2]%.up}
        desc=${desc//_/ }
        if [[ $(head -c 17 "$f") == "-- no-transaction" ]]; then
            sql -f "$f" || die "migration $base failed"
        else
            sql --single-transaction -f "$f" || die "migration $base failed"
        fi
        sum=$(sha384sum "$f" | cut -d ' ' -f 1)
        sql -v version="$version" -v description="$desc" -v checksum="$sum" <<'SQL'
INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
VALUES (:version, :'description', TRUE, decode(:'checksum', 'hex'), 0);
SQL
        echo "applied $base"
    done
}
if [[ $SCHEMA_MODE == psql ]]; then
    apply_migrations
else
    start_server
    stop_server
    echo "the server applied its migrations"
fi

step "Seed: $TEAMS teams, $SERVICES services (bench/seed.sql)"
seed_start=$(date +%s.%N)
{ sql -v teams="$TEAMS" -v services="$SERVICES" -f "$BENCH_SRC/seed.sql" -P pager=off | sed -n '/teams/,$p'; } ||
    die "seeding failed (see the psql error above)"
SEED_SECONDS=$(awk -v a="$seed_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
echo "seeded in ${SEED_SECONDS}s (including VACUUM ANALYZE); database size $(sql -Atc "SELECT pg_size_pretty(pg_database_size('portal'))")"

step "Server: start"
echo "site root $SITE_ROOT"
start_server
echo "healthy at $APP_URL (pid $SERVER_PID)"

# ---------------------------------------------------------------------------------------------
# Request mixes, built from the seeded data.
CATALOG_MIX=$WORK/catalog-mix.txt
SERVICE_PAGES=$WORK/service-pages.txt
CATALOG_PLAIN=$WORK/catalog-plain.txt
{
    for i in 1 2 3 4; do echo /services; done
    for n in $(seq 1 20); do echo "/services?page=$n"; done
    for t in 0 1 2 3; do echo "/services?tier=$t"; done
    # Teams of every size: the seed gives low-numbered teams the most services.
    sql -At -c "SELECT '/services?team=' || slug FROM (SELECT slug, row_number() OVER (ORDER BY id) AS n FROM team) t
                WHERE n IN (1, 2, 5, 12, 30, 75, 150, 300) OR n = (SELECT count(*) FROM team)"
    echo "/services?team=none"
    for q in pay auth inv ledg sear pay%20api; do echo "/services?q=$q"; done
    # Common and rare tags.
    sql -At -c "SELECT '/services?tag=' || tag FROM (
                  SELECT tag, row_number() OVER (ORDER BY count(*) DESC, tag) AS n
                  FROM service, unnest(tags) AS tag GROUP BY tag) t WHERE n IN (1, 4, 10, 20, 40)"
    echo "/services?lifecycle=production&tier=1"
    echo "/services?sort=updated"
    echo "/services?sort=updated&page=2"
    echo "/services?sort=tier"
} >"$CATALOG_MIX.sorted"
# Interleave cheap and expensive URLs (deterministically).
awk 'BEGIN {srand(7)} {print rand() "\t" $0}' "$CATALOG_MIX.sorted" | sort -k1,1 | cut -f 2- >"$CATALOG_MIX"
# ~200 service pages spread over the catalog, including the 5 most depended-upon services.
sql -At -c "(SELECT '/services/' || s.slug FROM service s JOIN (SELECT depends_on_id, count(*) AS n FROM service_dependency
             GROUP BY depends_on_id ORDER BY n DESC LIMIT 5) d ON d.depends_on_id = s.id)
            UNION ALL
            (SELECT '/services/' || slug FROM (SELECT slug, row_number() OVER (ORDER BY id) AS n FROM service) s
             WHERE n % ($SERVICES / 195) = 0 LIMIT 195)" >"$SERVICE_PAGES"
echo /services >"$CATALOG_PLAIN"
echo "catalog mix: $(wc -l <"$CATALOG_MIX") URLs; service pages: $(wc -l <"$SERVICE_PAGES") slugs"

step "Sign in (development identity provider, as alice)"
COOKIE=$(sign_in)
[[ -n $COOKIE ]] || die "signing in gave no session cookie"
export BENCH_COOKIE=$COOKIE
echo "signed in; the load sends the session cookie"

step "Smoke test"
smoke() {
    local path=$1 out
    out=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' --max-time 30 -H "Cookie: $COOKIE" "$APP_URL$path") || true
    read -r code size secs <<<"$out"
    printf '  %-60s %s  %7s bytes  %6.1f ms\n' "$path" "${code:-000}" "${size:-0}" "$(awk -v s="${secs:-0}" 'BEGIN {print s * 1000}')"
    [[ ${code:-} == 200 ]] || die "GET $path answered ${code:-nothing}, not 200 (see $WORK/server.log; BENCH_KEEP=1 keeps it)"
}
smoke /services
smoke "$(head -n 1 "$SERVICE_PAGES")"
smoke "/services?q=pay"

# ---------------------------------------------------------------------------------------------
declare -A R=()
require_server() {
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 20 "$WORK/server.log" >&2
        SERVER_PID=
        die "the server is no longer running (interrupted, or it crashed: its log is above)"
    fi
}
run_wrk() { # label paths-file description
    local label=$1 file=$2 line kv
    step "wrk: $3"
    require_server
    BENCH_LABEL="$label (warm-up)" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" --timeout 10s \
        -s "$LUA" "$APP_URL" -- "$file" >"$WORK/$label-warmup.txt" 2>&1 ||
        { cat "$WORK/$label-warmup.txt"; die "wrk failed"; }
    echo "warm-up: $(grep -o 'requests/s.*' "$WORK/$label-warmup.txt" | tr -s ' ')"
    BENCH_LABEL=$label wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s \
        -s "$LUA" "$APP_URL" -- "$file" >"$WORK/$label.txt" 2>&1 || { cat "$WORK/$label.txt"; die "wrk failed"; }
    grep -v '^BENCH_RESULT' "$WORK/$label.txt" || true
    line=$(grep '^BENCH_RESULT' "$WORK/$label.txt") || die "wrk printed no result line (see above)"
    for kv in ${line#BENCH_RESULT }; do
        R[$label.${kv%%=*}]=${kv#*=}
    done
    R[$label.errors]=$((R[$label.non2xx] + R[$label.socket_errors]))
}
# An API token for the write stream and the API runs, made by the signed-in admin through the
# token page's server function (the secret is shown once, in its answer).
API_TOKEN=$(curl -s --max-time 30 -H "Cookie: $COOKIE" -H "Origin: $APP_URL" \
    --data-urlencode "form[name]=bench" --data-urlencode "form[scopes]=catalog:read,catalog:write" \
    --data-urlencode "form[expires_in_days]=1" "$APP_URL/fn/create_token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])') || die "could not make an API token"
echo "API token made (${API_TOKEN:0:12}...)"

# The write stream: service saves through the REST API with that token (PUT
# /api/v1/services/<slug>: scope and team checks, validation, a transaction with the audit
# trigger), at a fixed rate whatever their latency, each with a new description, to services
# spread over the catalog. Every write moves the catalog generation, so no read can lean on an
# idle catalog.
WRITE_TARGETS=$WORK/write-targets.txt
sql -At -c "SELECT s.slug || ' ' || json_build_object('slug', s.slug, 'name', s.name, 'tier', s.tier,
                     'lifecycle', s.lifecycle, 'owner', t.slug, 'tags', s.tags)::text
            FROM service s LEFT JOIN team t ON t.id = s.owner_team_id ORDER BY md5(s.slug) LIMIT 500" >"$WRITE_TARGETS"
WRITER_PID=
write_stream() { # log-file: one "status seconds" line per write
    local log=$1 n=0 interval slug json
    interval=$(awk -v r="$WRITES_PER_SEC" 'BEGIN {printf "%.4f", 1 / r}')
    while true; do
        while read -r slug json; do
            n=$((n + 1))
            curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 10 -X PUT \
                -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/json" \
                --data "${json%\}},\"description\":\"Bench write $n at $(date +%s.%N)\"}" \
                "$APP_URL/api/v1/services/$slug" >>"$log" &
            sleep "$interval"
        done <"$WRITE_TARGETS"
    done
}
start_writes() { # label
    ((WRITES_PER_SEC > 0)) || return 0
    : >"$WORK/writes-$1.log"
    write_stream "$WORK/writes-$1.log" &
    WRITER_PID=$!
}
stop_writes() { # label
    [[ -n $WRITER_PID ]] || return 0
    kill "$WRITER_PID" 2>/dev/null
    wait "$WRITER_PID" 2>/dev/null || true
    WRITER_PID=
    sleep 1 # let the last writes answer
    local log=$WORK/writes-$1.log
    R[$1.writes]=$(wc -l <"$log")
    R[$1.write_errors]=$(awk '$1 !~ /^[23]/' "$log" | wc -l)
    awk '{print $2 * 1000}' "$log" | sort -n >"$log.sorted"
    R[$1.write_p50]=$(awk '{v[NR] = $1} END {if (NR == 0) {print "nan"; exit} i = int(NR * 0.5 + 0.999999); printf "%.1f", v[i]}' "$log.sorted")
    R[$1.write_p99]=$(awk '{v[NR] = $1} END {if (NR == 0) {print "nan"; exit} i = int(NR * 0.99 + 0.999999); printf "%.1f", v[i]}' "$log.sorted")
    echo "writes during the run: ${R[$1.writes]} (${R[$1.write_errors]} failed), p50 ${R[$1.write_p50]} ms, p99 ${R[$1.write_p99]} ms"
}

run_wrk catalog "$CATALOG_MIX" "catalog page, mixed filters (GET /services?...)"
run_wrk service "$SERVICE_PAGES" "service page (GET /services/<slug>, $(wc -l <"$SERVICE_PAGES") slugs)"
run_wrk plain "$CATALOG_PLAIN" "catalog page, unfiltered (GET /services)"
if ((WRITES_PER_SEC > 0)); then
    start_writes catalog_w
    run_wrk catalog_w "$CATALOG_MIX" "catalog page, mixed filters, with $WRITES_PER_SEC writes/s"
    stop_writes catalog_w
    start_writes service_w
    run_wrk service_w "$SERVICE_PAGES" "service page, with $WRITES_PER_SEC writes/s"
    stop_writes service_w
    start_writes plain_w
    run_wrk plain_w "$CATALOG_PLAIN" "catalog page, unfiltered, with $WRITES_PER_SEC writes/s"
    stop_writes plain_w
fi
# The API's list, with the token instead of the cookie: the catalog mix's filters as API queries.
API_MIX=$WORK/api-mix.txt
grep -v 'page=\|sort=' "$CATALOG_MIX" | sed 's|^/services?|/api/v1/services?limit=50\&|; s|^/services$|/api/v1/services?limit=50|' >"$API_MIX"
BENCH_COOKIE="" BENCH_AUTH="Bearer $API_TOKEN" run_wrk api "$API_MIX" "API list (GET /api/v1/services?...), no writes"
if ((WRITES_PER_SEC > 0)); then
    start_writes api_w
    BENCH_COOKIE="" BENCH_AUTH="Bearer $API_TOKEN" run_wrk api_w "$API_MIX" "API list, with $WRITES_PER_SEC writes/s"
    stop_writes api_w
fi

# ---------------------------------------------------------------------------------------------
# SLOs: 5,000 with 30 days of counts (bench/slo_seed.sql), the evaluator's full run
# (`server evaluate-slos`), the ingest rate through the API (bench/ingest.py), and /slos and
# service pages with SLOs while counts are pushed, next to the /slos SQL alone.
if ((SLOS > 0)); then
    step "Seed: $SLOS SLOs with 30 days of counts (bench/slo_seed.sql)"
    sql -v slos="$SLOS" -f "$BENCH_SRC/slo_seed.sql" -P pager=off || die "bench/slo_seed.sql failed"
    step "Evaluate every SLO (server evaluate-slos), twice: cold, then warm"
    R[slo_eval_cold]=$(DATABASE_URL=$DB_URL RUST_LOG=error "$SERVER_BIN" evaluate-slos 2>/dev/null) || die "evaluate-slos failed"
    R[slo_eval_warm]=$(DATABASE_URL=$DB_URL RUST_LOG=error "$SERVER_BIN" evaluate-slos 2>/dev/null) || die "evaluate-slos failed"
    echo "cold: ${R[slo_eval_cold]}; warm: ${R[slo_eval_warm]}"
    SLO_TOKEN=$(curl -s --max-time 30 -H "Cookie: $COOKIE" -H "Origin: $APP_URL" \
        --data-urlencode "form[name]=bench pusher" --data-urlencode "form[scopes]=catalog:read,slo:write" \
        --data-urlencode "form[expires_in_days]=1" "$APP_URL/fn/create_token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])') || die "could not make an SLO token"
    SLO_TARGETS=$WORK/slo-targets.txt
    sql -At -c "SELECT s.slug || '/' || o.slug FROM slo o JOIN service s ON s.id = o.service_id ORDER BY md5(s.slug) LIMIT 1000" >"$SLO_TARGETS"
    step "ingest: pushes of 360 minute buckets, 8 at a time, nothing else running"
    R[slo_ingest]=$(python3 "$BENCH_SRC/ingest.py" --url "$APP_URL" --token "$SLO_TOKEN" \
        --targets "$SLO_TARGETS" --threads 8 --seconds "$DURATION") || die "bench/ingest.py failed"
    echo "${R[slo_ingest]}"
    SLO_MIX=$WORK/slo-mix.txt
    TOP_SLO_TEAM=$(sql -At -c "SELECT t.slug FROM slo o JOIN service s ON s.id = o.service_id JOIN team t ON t.id = s.owner_team_id GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1")
    printf '%s\n' /slos "/slos?tier=0" "/slos?tier=1&source=push" "/slos?team=$TOP_SLO_TEAM" "/slos?state=ok" \
        "/slos?state=at-risk" "/slos?page=7" "/slos?tier=0&state=ok&page=3" >"$SLO_MIX"
    SLO_SERVICES=$WORK/slo-services.txt
    head -n 200 "$SLO_TARGETS" | sed 's|/.*||; s|^|/services/|' >"$SLO_SERVICES"
    # The lists read the evaluator's figures; the pages of services compute theirs per request.
    for l in slos slo_service; do
        python3 "$BENCH_SRC/ingest.py" --url "$APP_URL" --token "$SLO_TOKEN" --targets "$SLO_TARGETS" \
            --threads 2 --seconds $((WARMUP + DURATION + 2)) >"$WORK/ingest-$l.txt" 2>&1 &
        INGEST_PID=$!
        if [[ $l == slos ]]; then
            run_wrk slos "$SLO_MIX" "/slos, mixed filters, while counts are pushed (2 pushers)"
        else
            run_wrk slo_service "$SLO_SERVICES" "service page with an SLO, while counts are pushed (2 pushers)"
        fi
        wait "$INGEST_PID" || true
        echo "pushes during the run: $(cat "$WORK/ingest-$l.txt")"
    done
    SLOS_SQL="SELECT s.slug, s.name, s.tier, t.slug, t.name, o.slug, o.name, o.objective_milli, o.window_kind, o.window_days, o.source, coalesce(st.state, 'unknown'), st.budget_remaining, st.burn_1h, st.paging, st.computed_at FROM slo o JOIN service s ON s.id = o.service_id LEFT JOIN team t ON t.id = s.owner_team_id LEFT JOIN slo_status st ON st.slo_id = o.id WHERE TRUE ORDER BY st.budget_remaining ASC NULLS LAST, o.id LIMIT 50 OFFSET 0;"
    SLOS_FACET="SELECT coalesce(st.state, 'unknown')::text, count(*) FROM slo o JOIN service s ON s.id = o.service_id LEFT JOIN team t ON t.id = s.owner_team_id LEFT JOIN slo_status st ON st.slo_id = o.id WHERE TRUE GROUP BY 1;"
    mkdir -p "$WORK/pgbench"
    printf '%s\n' "$SLOS_SQL" "$SLOS_FACET" "$SLOS_FACET" "$SLOS_FACET" "$SLOS_FACET" >"$WORK/pgbench/slos.sql"
fi

# ---------------------------------------------------------------------------------------------
# Incidents: 100,000 over two years with postmortems, timelines and 300,000 action items
# (bench/incident_seed.sql); /incidents, /actions, incident pages and postmortem search, each
# with the write stream on, next to their SQL alone.
if ((INCIDENTS > 0)); then
    step "Seed: $INCIDENTS incidents with postmortems and action items (bench/incident_seed.sql)"
    sql -v incidents="$INCIDENTS" -f "$BENCH_SRC/incident_seed.sql" -P pager=off || die "bench/incident_seed.sql failed"
    # Writes to what these pages show, as psql would make them: each moves the learning
    # generation, so no cached list survives it.
    LEARNING_WRITER_PID=
    start_learning_writes() {
        ((WRITES_PER_SEC > 0)) || return 0
        local max
        max=$(sql -At -c "SELECT max(id) FROM action_item")
        (
            n=0
            interval=$(awk -v r="$WRITES_PER_SEC" 'BEGIN {printf "%.4f", 1 / r}')
            while true; do
                n=$((n + 1))
                sql -c "UPDATE action_item SET title = 'Bench write $n' WHERE id = $(((RANDOM * 32768 + RANDOM) % max + 1))" >/dev/null 2>&1 &
                sleep "$interval"
            done
        ) &
        LEARNING_WRITER_PID=$!
    }
    stop_learning_writes() {
        [[ -n $LEARNING_WRITER_PID ]] || return 0
        kill "$LEARNING_WRITER_PID" 2>/dev/null
        wait "$LEARNING_WRITER_PID" 2>/dev/null || true
        LEARNING_WRITER_PID=
    }
    INC_TEAM=$(sql -At -c "SELECT t.slug FROM action_item a JOIN team t ON t.id = a.team_id GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1")
    INC_SERVICE=$(sql -At -c "SELECT s.slug FROM incident i JOIN service s ON s.id = i.service_ids[1] GROUP BY s.slug ORDER BY count(*) DESC LIMIT 1")
    INC_MIX=$WORK/incident-mix.txt
    printf '%s\n' /incidents "/incidents?status=open" "/incidents?severity=1" "/incidents?team=$INC_TEAM" \
        "/incidents?service=$INC_SERVICE" "/incidents?tier=0&severity=2" "/incidents?postmortem=lacks" \
        "/incidents?repeat=1" "/incidents?page=40" "/incidents?from=2026-01-01&to=2026-03-31" >"$INC_MIX"
    ACT_MIX=$WORK/action-mix.txt
    printf '%s\n' /actions "/actions?overdue=1" "/actions?priority=0" "/actions?team=$INC_TEAM" \
        "/actions?service=$INC_SERVICE" "/actions?closed=1" "/actions?page=20" "/actions?team=$INC_TEAM&overdue=1" >"$ACT_MIX"
    INC_PAGES=$WORK/incident-pages.txt
    sql -At -c "SELECT '/incidents/' || id FROM incident ORDER BY md5(id::text) LIMIT 200" >"$INC_PAGES"
    SEARCH_MIX=$WORK/search-mix.txt
    printf '%s\n' "/postmortems?q=pool" "/postmortems?q=idempotent+retries" "/postmortems?q=deploy" \
        "/postmortems?q=%22feature+flag%22" "/postmortems?q=replication+lag" "/postmortems?q=certificate" \
        "/postmortems?q=rolled+back&page=3" "/postmortems?q=capacity+-dns" >"$SEARCH_MIX"
    for l in incidents actions incident_page pm_search; do
        case $l in
            incidents) f=$INC_MIX d="/incidents, mixed filters" ;;
            actions) f=$ACT_MIX d="/actions, mixed filters" ;;
            incident_page) f=$INC_PAGES d="incident page (/incidents/<id>, 200 ids)" ;;
            pm_search) f=$SEARCH_MIX d="postmortem search (/postmortems?q=...)" ;;
        esac
        start_writes "$l"
        start_learning_writes
        run_wrk "$l" "$f" "$d, with $WRITES_PER_SEC service and $WRITES_PER_SEC action item writes/s"
        stop_learning_writes
        stop_writes "$l"
    done
    TODAY=$(date -u +%F)
    INC_SQL="SELECT i.id, i.title, i.severity, i.status, i.started_at, i.resolved_at, ARRAY(SELECT s.slug FROM service s WHERE s.id = ANY(i.service_ids) ORDER BY lower(s.name)) FROM incident i WHERE TRUE ORDER BY i.started_at DESC, i.id DESC LIMIT 50 OFFSET 0;"
    INC_FACETS=(
        "SELECT i.severity::text, count(*) FROM incident i WHERE TRUE GROUP BY 1;"
        "SELECT i.status::text, count(*) FROM incident i WHERE TRUE GROUP BY 1;"
        "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM postmortem p WHERE p.incident_id = i.id)), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM postmortem p WHERE p.incident_id = i.id)), count(*) FILTER (WHERE i.repeat_of_id IS NOT NULL) FROM incident i WHERE TRUE;"
    )
    printf '%s\n' "$INC_SQL" "${INC_FACETS[@]}" >"$WORK/pgbench/incidents.sql"
    ACT_SQL="SELECT a.id, a.title, a.priority, a.status, a.due_on FROM action_item a JOIN incident i ON i.id = a.incident_id JOIN team t ON t.id = a.team_id LEFT JOIN app_user u ON u.id = a.owner_id LEFT JOIN service s ON s.id = a.service_id WHERE a.status IN ('open', 'in_progress') ORDER BY (a.status IN ('open', 'in_progress') AND a.due_on IS NOT NULL AND a.due_on < '$TODAY') DESC, a.priority, a.due_on NULLS LAST, a.id LIMIT 50 OFFSET 0;"
    ACT_COUNT="SELECT a.priority, count(*), count(*) FILTER (WHERE a.status IN ('open', 'in_progress') AND a.due_on < '$TODAY') FROM action_item a WHERE a.status IN ('open', 'in_progress') GROUP BY 1;"
    printf '%s\n' "$ACT_SQL" "$ACT_COUNT" >"$WORK/pgbench/actions.sql"
    SEARCH_SQL="SELECT p.incident_id, ts_rank_cd(p.search, q) AS rank FROM postmortem p JOIN incident i ON i.id = p.incident_id, websearch_to_tsquery('english', 'idempotent retries') q WHERE p.search @@ q AND p.status = 'published' ORDER BY rank DESC, i.started_at DESC LIMIT 20;"
    printf '%s\n' "$SEARCH_SQL" >"$WORK/pgbench/search.sql"
fi

# ---------------------------------------------------------------------------------------------
# Normal requests while the server is abused (bench/abuse.py): slow-loris clients, then a flood
# of sign-in starts from one address. BENCH_ABUSE=0 skips it.
if [[ ${BENCH_ABUSE:-1} == 1 ]]; then
    step "abuse: a signed-in page during a slow-loris attack and a sign-in flood"
    python3 "$BENCH_SRC/abuse.py" --url "$APP_URL" --cookie "$COOKIE" \
        --path "$(head -n 1 "$SERVICE_PAGES")" --seconds "$DURATION" ||
        die "bench/abuse.py failed"
    echo "session rows after the flood: $(sql -At -c 'SELECT count(*) FROM tower_sessions.session')"
fi

# ---------------------------------------------------------------------------------------------
# The same SQL without the app. Copied from app/src/store/catalog.rs (rows() and facets()),
# app/src/store/cache.rs (generation()) and app/src/store/rows.rs (SERVICE_LIST_COLUMNS),
# unfiltered form; -M prepared matches sqlx's prepared statements. LIMIT and OFFSET are literals,
# as in the app (so Postgres settles on a generic plan instead of planning every execution).
# A page the app has not cached yet runs the generation read, the rows query and, if no other
# page of the same filter counted them, the four facet counts.
GEN_SQL="SELECT value FROM catalog_generation;"
ROWS_SQL="SELECT s.slug, s.name, left(s.description, 141) AS description, s.tier, s.lifecycle, t.slug AS team_slug, t.name AS team_name, s.tags, s.updated_at FROM service s LEFT JOIN team t ON t.id = s.owner_team_id WHERE TRUE ORDER BY lower(s.name), s.id LIMIT 50 OFFSET 0;"
FACET_SQL=(
    "SELECT s.tier::text, '', count(*) FROM service s WHERE TRUE GROUP BY s.tier;"
    "SELECT s.lifecycle, '', count(*) FROM service s WHERE TRUE GROUP BY s.lifecycle;"
    "SELECT coalesce(t.slug, 'none'), coalesce(t.name, 'Unowned'), c.n FROM (SELECT s.owner_team_id AS team_id, count(*) AS n FROM service s WHERE TRUE GROUP BY s.owner_team_id ORDER BY n DESC LIMIT 200) c LEFT JOIN team t ON t.id = c.team_id ORDER BY c.n DESC, lower(t.name) NULLS FIRST;"
    "SELECT tag, '', count(*) FROM service s CROSS JOIN LATERAL unnest(s.tags) AS tag WHERE TRUE GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200;"
)
printf '%s\n' "$GEN_SQL" "$ROWS_SQL" "${FACET_SQL[@]}" >"$WORK/pgbench/page-miss.sql"
printf '%s\n' "$GEN_SQL" "$ROWS_SQL" >"$WORK/pgbench/page-hit.sql"
printf '%s\n' "$ROWS_SQL" >"$WORK/pgbench/rows.sql"

percentile_ms() { # sorted-file fraction
    awk -v f="$2" '{v[NR] = $1} END {if (NR == 0) {print "nan"; exit} i = int(NR * f + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}' "$1"
}
run_pgbench() { # label script clients threads seconds description
    local label=$1 script=$2 clients=$3 threads=$4 seconds=$5 out
    step "pgbench: $6 (-c $clients -j $threads -T $seconds)"
    out=$WORK/pgbench/$label.out
    (cd "$WORK/pgbench" && "$PG_BIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$PG_PORT" -U postgres \
        -f "$script" -c "$clients" -j "$threads" -T "$seconds" -l --log-prefix="$label" portal) >"$out" 2>&1 ||
        { cat "$out"; die "pgbench failed"; }
    grep -E '^(number of (transactions actually processed|failed)|latency average|tps)' "$out" || true
    R[$label.tps]=$(awk '/^tps = / {printf "%.1f", $3; exit}' "$out")
    R[$label.avg]=$(awk '/^latency average = / {printf "%.2f", $4; exit}' "$out")
    R[$label.failed]=$(awk '/^number of failed transactions:/ {print $5; exit}' "$out")
    R[$label.failed]=${R[$label.failed]:-0}
    cat "$WORK/pgbench/$label".[0-9]* | awk '{print $3}' | sort -n >"$WORK/pgbench/$label.sorted"
    R[$label.p50]=$(percentile_ms "$WORK/pgbench/$label.sorted" 0.50)
    R[$label.p99]=$(percentile_ms "$WORK/pgbench/$label.sorted" 0.99)
    echo "latency p50 = ${R[$label.p50]} ms, p99 = ${R[$label.p99]} ms (from the per-transaction log)"
}
run_pgbench sql_miss "$WORK/pgbench/page-miss.sql" "$CONNECTIONS" "$THREADS" "$DURATION" \
    "catalog page SQL on a facet-cache miss: generation + rows + 4 facet counts"
run_pgbench sql_hit "$WORK/pgbench/page-hit.sql" "$CONNECTIONS" "$THREADS" "$DURATION" \
    "catalog page SQL on a facet-cache hit: generation + rows"
run_pgbench sql_rows1 "$WORK/pgbench/rows.sql" 1 1 "$SQL_SINGLE_DURATION" \
    "rows query alone, single client"
if ((SLOS > 0)); then
    run_pgbench sql_slos "$WORK/pgbench/slos.sql" "$CONNECTIONS" "$THREADS" "$DURATION" \
        "/slos SQL: rows + 4 facet counts"
fi
if ((INCIDENTS > 0)); then
    run_pgbench sql_incidents "$WORK/pgbench/incidents.sql" "$CONNECTIONS" "$THREADS" "$DURATION" \
        "/incidents SQL: rows + severity, status and learning counts"
    run_pgbench sql_actions "$WORK/pgbench/actions.sql" "$CONNECTIONS" "$THREADS" "$DURATION" \
        "/actions SQL: rows + counts by priority"
    run_pgbench sql_search "$WORK/pgbench/search.sql" "$CONNECTIONS" "$THREADS" "$DURATION" \
        "postmortem search SQL (ranked, published)"
fi

# ---------------------------------------------------------------------------------------------
step "EXPLAIN ANALYZE (full plans in ${EXPLAIN_FILE#"$PROJECT_DIR"/})"
TOP_TEAM=$(sql -At -c "SELECT slug FROM team ORDER BY id LIMIT 1")
COLS="s.slug, s.name, left(s.description, 141) AS description, s.tier, s.lifecycle, t.slug AS team_slug, t.name AS team_name, s.tags, s.updated_at"
ROWS_FROM="FROM service s LEFT JOIN team t ON t.id = s.owner_team_id WHERE TRUE"
PAY="AND s.search @@ to_tsquery('simple', 'pay:*')"
TEAM="AND s.owner_team_id = (SELECT id FROM team WHERE slug = '$TOP_TEAM')"
EXPLAINS=(
    "rows, unfiltered|SELECT $COLS $ROWS_FROM ORDER BY lower(s.name), s.id LIMIT 50 OFFSET 0"
    "rows, page 20 (deferred join)|SELECT $COLS FROM (SELECT s.id FROM service s WHERE TRUE ORDER BY lower(s.name), s.id LIMIT 50 OFFSET 950) p JOIN service s ON s.id = p.id LEFT JOIN team t ON t.id = s.owner_team_id ORDER BY lower(s.name), s.id"
    "rows, sort=updated|SELECT $COLS $ROWS_FROM ORDER BY s.updated_at DESC, s.id LIMIT 50 OFFSET 0"
    "facet tiers, unfiltered|SELECT s.tier::text, '', count(*) FROM service s WHERE TRUE GROUP BY s.tier"
    "facet lifecycles, unfiltered|SELECT s.lifecycle, '', count(*) FROM service s WHERE TRUE GROUP BY s.lifecycle"
    "facet teams, unfiltered|SELECT coalesce(t.slug, 'none'), coalesce(t.name, 'Unowned'), c.n FROM (SELECT s.owner_team_id AS team_id, count(*) AS n FROM service s WHERE TRUE GROUP BY s.owner_team_id ORDER BY n DESC LIMIT 200) c LEFT JOIN team t ON t.id = c.team_id ORDER BY c.n DESC, lower(t.name) NULLS FIRST"
    "facet tags, unfiltered|SELECT tag, '', count(*) FROM service s CROSS JOIN LATERAL unnest(s.tags) AS tag WHERE TRUE GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200"
    "rows, q=pay (best match)|SELECT $COLS $ROWS_FROM $PAY ORDER BY ts_rank(s.search, to_tsquery('simple', 'pay:*')) DESC, lower(s.name), s.id LIMIT 50 OFFSET 0"
    "rows, q=pay&sort=name|SELECT $COLS $ROWS_FROM $PAY ORDER BY lower(s.name), s.id LIMIT 50 OFFSET 0"
    "rows, q=pay, generic plan|SET plan_cache_mode = force_generic_plan; PREPARE p(text) AS SELECT $COLS $ROWS_FROM AND s.search @@ to_tsquery('simple', \$1) ORDER BY lower(s.name), s.id LIMIT 50 OFFSET 0; EXPLAIN (ANALYZE, BUFFERS) EXECUTE p('pay:*')"
    "facet tiers, q=pay|SELECT s.tier::text, '', count(*) FROM service s WHERE TRUE $PAY GROUP BY s.tier"
    "facet tags, q=pay|SELECT tag, '', count(*) FROM service s CROSS JOIN LATERAL unnest(s.tags) AS tag WHERE TRUE $PAY GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200"
    "rows, team=$TOP_TEAM|SELECT $COLS $ROWS_FROM $TEAM ORDER BY lower(s.name), s.id LIMIT 50 OFFSET 0"
    "facet tiers, team=$TOP_TEAM|SELECT s.tier::text, '', count(*) FROM service s WHERE TRUE $TEAM GROUP BY s.tier"
    "facet tags, team=$TOP_TEAM|SELECT tag, '', count(*) FROM service s CROSS JOIN LATERAL unnest(s.tags) AS tag WHERE TRUE $TEAM GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200"
)
: >"$EXPLAIN_FILE"
printf '  %-34s %12s %12s\n' "query" "planning ms" "execution ms"
for e in "${EXPLAINS[@]}"; do
    name=${e%%|*}
    query=${e#*|}
    # Entries that are not a bare SELECT bring their own EXPLAIN (the last statement's output is shown).
    [[ $query == SELECT* ]] && query="EXPLAIN (ANALYZE, BUFFERS) $query"
    plan=$(sql -At -c "$query") || die "EXPLAIN failed for: $name"
    printf '### %s\n%s;\n\n%s\n\n' "$name" "$query" "$plan" >>"$EXPLAIN_FILE"
    printf '  %-34s %12s %12s\n' "$name" \
        "$(awk '/^Planning Time:/ {print $3}' <<<"$plan")" "$(awk '/^Execution Time:/ {print $3}' <<<"$plan")"
done

# ---------------------------------------------------------------------------------------------
stop_server

check() { # PASS/FAIL line: check "description" value op limit
    local verdict
    verdict=$(awk -v v="$2" -v op="$3" -v l="$4" 'BEGIN {ok = (op == "ge") ? (v + 0 >= l + 0) : (v + 0 <= l + 0); print (ok && v != "" ? "PASS" : "FAIL")}')
    printf '  [%s] %s\n' "$verdict" "$1"
}
step "Summary"
[[ $BUILD == debug ]] && echo "  *** DEBUG BUILD: these numbers are not meaningful; use a release build. ***"
echo "  $SERVICES services, $TEAMS teams; seeded in ${SEED_SECONDS}s; ${CONNECTIONS} connections, ${THREADS} threads, ${DURATION}s per run"
echo
printf '  %-44s %10s %9s %9s %8s\n' "HTTP (wrk)" "req/s" "p50 ms" "p99 ms" "errors"
labels=(catalog service plain api)
((WRITES_PER_SEC > 0)) && labels+=(catalog_w service_w plain_w api_w)
((SLOS > 0)) && labels+=(slos slo_service)
((INCIDENTS > 0)) && labels+=(incidents actions incident_page pm_search)
for l in "${labels[@]}"; do
    case $l in
        catalog) d="catalog, mixed filters" ;;
        service) d="service page (/services/<slug>)" ;;
        plain) d="catalog, unfiltered (/services)" ;;
        catalog_w) d="catalog, mixed filters + $WRITES_PER_SEC writes/s" ;;
        service_w) d="service page + $WRITES_PER_SEC writes/s" ;;
        plain_w) d="catalog, unfiltered + $WRITES_PER_SEC writes/s" ;;
        api) d="API list (/api/v1/services?...)" ;;
        slos) d="/slos, mixed filters + counts pushed" ;;
        slo_service) d="service page with an SLO + counts pushed" ;;
        api_w) d="API list + $WRITES_PER_SEC writes/s" ;;
        incidents) d="/incidents, mixed + $WRITES_PER_SEC writes/s" ;;
        actions) d="/actions, mixed + $WRITES_PER_SEC writes/s" ;;
        incident_page) d="incident page + $WRITES_PER_SEC writes/s" ;;
        pm_search) d="postmortem search + $WRITES_PER_SEC writes/s" ;;
    esac
    printf '  %-44s %10s %9s %9s %8s\n' "$d" "${R[$l.rps]}" "${R[$l.p50]}" "${R[$l.p99]}" "${R[$l.errors]}"
done
if ((WRITES_PER_SEC > 0)); then
    echo
    printf '  %-44s %10s %9s %9s %8s\n' "Writes (PUT /api/v1/services/<slug>)" "count" "p50 ms" "p99 ms" "failed"
    for l in catalog_w service_w plain_w api_w; do
        printf '  %-44s %10s %9s %9s %8s\n' "during ${l%_w}" "${R[$l.writes]}" "${R[$l.write_p50]}" "${R[$l.write_p99]}" "${R[$l.write_errors]}"
    done
fi
echo
printf '  %-44s %10s %9s %9s %9s %7s\n' "Bare SQL (pgbench -M prepared)" "tps" "avg ms" "p50 ms" "p99 ms" "failed"
printf '  %-44s %10s %9s %9s %9s %7s\n' "uncached page SQL, facet miss (gen+rows+4) c32" \
    "${R[sql_miss.tps]}" "${R[sql_miss.avg]}" "${R[sql_miss.p50]}" "${R[sql_miss.p99]}" "${R[sql_miss.failed]}"
printf '  %-44s %10s %9s %9s %9s %7s\n' "uncached page SQL, facet hit (gen+rows) c32" \
    "${R[sql_hit.tps]}" "${R[sql_hit.avg]}" "${R[sql_hit.p50]}" "${R[sql_hit.p99]}" "${R[sql_hit.failed]}"
printf '  %-44s %10s %9s %9s %9s %7s\n' "rows query alone, c1" \
    "${R[sql_rows1.tps]}" "${R[sql_rows1.avg]}" "${R[sql_rows1.p50]}" "${R[sql_rows1.p99]}" "${R[sql_rows1.failed]}"
if ((SLOS > 0)); then
    printf '  %-44s %10s %9s %9s %9s %7s\n' "/slos SQL (rows + 4 facets) c32" \
        "${R[sql_slos.tps]}" "${R[sql_slos.avg]}" "${R[sql_slos.p50]}" "${R[sql_slos.p99]}" "${R[sql_slos.failed]}"
    echo
    echo "  SLOs ($SLOS, 30 days of counts each)"
    echo "    evaluation, cold: ${R[slo_eval_cold]}; warm: ${R[slo_eval_warm]}"
    echo "    ${R[slo_ingest]}"
fi
echo
echo "  Budget checks"
check "catalog (mixed filters) p99 ${R[catalog.p99]} ms <= 50 ms at ${CONNECTIONS} connections" "${R[catalog.p99]}" le 50
two_x=$(awk -v v="${R[sql_hit.p99]}" 'BEGIN {printf "%.2f", 2 * v}')
check "catalog (unfiltered) p99 ${R[plain.p99]} ms <= 2 x bare SQL p99 ${R[sql_hit.p99]} ms = ${two_x} ms" "${R[plain.p99]}" le "$two_x"
echo "         Compared against the SQL of a page the app has not cached (generation + rows; the"
echo "         facet counts of its filter cached) at the same ${CONNECTIONS}-way concurrency, p99 to p99."
echo "         Equal concurrency on the same CPUs puts the same queueing in both. Rows are reused"
echo "         at the exact catalog generation, facet counts at the facet generation (at most 3 s"
echo "         behind), HTML by the data it shows (store/cache.rs); without writes a measured"
echo "         request is a hit, with writes each write makes the next reader of a page re-read it."
echo "         The facet-miss figure is the cold cost of a new filter; the single-client figure has"
echo "         no queueing, so neither is like for like."
check "service page p50 ${R[service.p50]} ms <= 20 ms" "${R[service.p50]}" le 20
if ((WRITES_PER_SEC > 0)); then
    echo "  With $WRITES_PER_SEC writes/s (what users meet: every write moves the catalog on)"
    check "catalog (mixed filters) p99 ${R[catalog_w.p99]} ms <= 50 ms" "${R[catalog_w.p99]}" le 50
    check "service page p50 ${R[service_w.p50]} ms <= 20 ms" "${R[service_w.p50]}" le 20
    check "API list p99 ${R[api_w.p99]} ms <= 50 ms" "${R[api_w.p99]}" le 50
    worst=$(printf '%s\n' "${R[catalog_w.write_p99]}" "${R[service_w.write_p99]}" "${R[plain_w.write_p99]}" "${R[api_w.write_p99]}" | sort -g | tail -n 1)
    check "API writes p99 $worst ms <= 50 ms (worst of the four runs)" "$worst" le 50
fi
if ((SLOS > 0)); then
    echo "  SLOs"
    eval_ms=$(grep -o 'evaluated in [0-9]*' <<<"${R[slo_eval_warm]}" | tr -dc 0-9)
    check "evaluating all $SLOS SLOs ${eval_ms} ms <= 10000 ms" "$eval_ms" le 10000
    rate=$(grep -o '= [0-9]* buckets/s' <<<"${R[slo_ingest]}" | tr -dc 0-9)
    check "ingest ${rate} buckets/s >= 10000" "$rate" ge 10000
    check "/slos p99 ${R[slos.p99]} ms <= 50 ms, with counts pushed" "${R[slos.p99]}" le 50
    check "service page with an SLO p50 ${R[slo_service.p50]} ms <= 20 ms, with counts pushed" "${R[slo_service.p50]}" le 20
fi
if ((INCIDENTS > 0)); then
    echo "  Incidents ($INCIDENTS, with postmortems and action items)"
    for l in sql_incidents sql_actions sql_search; do
        printf '    bare SQL %-14s c32: p50 %s ms, p99 %s ms, %s tps\n' "${l#sql_}" "${R[$l.p50]}" "${R[$l.p99]}" "${R[$l.tps]}"
    done
    check "/incidents p99 ${R[incidents.p99]} ms <= 50 ms, with writes" "${R[incidents.p99]}" le 50
    check "/actions p99 ${R[actions.p99]} ms <= 50 ms, with writes" "${R[actions.p99]}" le 50
    check "postmortem search p99 ${R[pm_search.p99]} ms <= 50 ms, with writes" "${R[pm_search.p99]}" le 50
    check "incident page p50 ${R[incident_page.p50]} ms <= 20 ms, with writes" "${R[incident_page.p50]}" le 20
fi
nonzero=0
for l in "${labels[@]}"; do ((R[$l.errors] == 0)) || nonzero=1; done
for l in catalog_w service_w plain_w api_w; do ((${R[$l.write_errors]:-0} == 0)) || nonzero=1; done
((nonzero == 0)) || echo "  WARNING: some requests failed (non-2xx or socket errors): see the wrk output above."
[[ $BUILD == debug ]] && echo "  *** DEBUG BUILD: these numbers are not meaningful; use a release build. ***"
echo
echo "  load average at the end $(cut -d ' ' -f 1-3 /proc/loadavg) on $(nproc) CPUs"
echo "  total run time $(($(date +%s) - STARTED_AT)) s; output saved to ${RESULTS#"$PROJECT_DIR"/}"
