#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, database tests against a real PostgreSQL,
# HTTP tests of the server, and browser tests in Chromium against the built server.
# Installs whatever is missing first. Ends with one line: "all: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# A test run builds from scratch once: incremental caches would only double the disk it needs.
export CARGO_INCREMENTAL=0

step "Tools"
scripts/setup.sh --e2e

# Tests use their own throwaway PostgreSQL (fast, no fsync), never the durable one that
# scripts/start.sh keeps a team's data in.
export PORTAL_DEVDB=throwaway

work=$(mktemp -d)
log="$work/test.log"
server_pid=""
idp_pid=""
started_db=0
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$idp_pid" ] && kill "$idp_pid" 2>/dev/null || true
  if [ "$started_db" = 1 ]; then target/debug/server devdb stop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step "Formatting and lints"
cargo fmt --all -- --check
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
cargo clippy -p app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "Build (server and browser bundle)"
cargo leptos build

step "OpenAPI document (checked by an independent validator)"
# openapi-spec-validator from PyPI, in a virtualenv under target/ (installed once, then reused).
venv=target/openapi-validator
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "openapi-spec-validator==0.9.0"
fi
target/debug/server openapi > "$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

step "Database"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  # Your own server: tests create and drop their own databases there.
  base="${TEST_DATABASE_URL%/*}"
else
  target/debug/server devdb status || started_db=1
  url=$(target/debug/server devdb start)
  base="${url%/*}"
fi
echo "PostgreSQL at $base"

step "Unit, database and HTTP tests"
# A hung test must fail the run, not stall it: each step has a limit far beyond its usual time
# (compiling included), and every HTTP test request has its own.
DATABASE_URL="$base/postgres" timeout 30m cargo test -p app --features ssr 2>&1 | tee -a "$log"
DATABASE_URL="$base/postgres" timeout 30m cargo test -p server 2>&1 | tee -a "$log"

step "Browser server"
psql_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql
[ -x "$psql_bin" ] || psql_bin=psql
"$psql_bin" "$base/postgres" -qc "DROP DATABASE IF EXISTS portal_e2e" -c "CREATE DATABASE portal_e2e"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
# The browser signs in through the development identity provider, by the production code path.
{ read -r idp_pid; read -r issuer; } < <(scripts/devidp.sh "$(free_port)" "http://127.0.0.1:$port" "$work/devidp.log")
# As in production: migrations as the owner, the server as its own role (README, "Database
# roles"); the private PostgreSQL has that role. Your own server may not: then one role does both.
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  server_db="postgres://portal_server@${base#postgres://postgres@}/portal_e2e"
  migrate_db="$base/portal_e2e"
else
  server_db="$base/portal_e2e"
  migrate_db=""
fi
DATABASE_URL="$server_db" PORTAL_MIGRATE_DATABASE_URL="$migrate_db" \
LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
PORTAL_PUBLIC_URL="http://127.0.0.1:$port" PORTAL_OIDC_ISSUER="$issuer" \
PORTAL_OIDC_CLIENT_ID=portal PORTAL_OIDC_CLIENT_SECRET=portal-dev-secret \
PORTAL_GROUP_ROLES="sre-admins=admin,team-*=editor" \
  target/debug/server --demo > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 1
done
step "Catalog as code from the command line (server export, then server import --dry-run)"
# The demo the server just loaded, exported and read back: every team and service unchanged.
DATABASE_URL="$base/portal_e2e" target/debug/server export "$work/catalog.yaml"
DATABASE_URL="$base/portal_e2e" target/debug/server import --dry-run "$work/catalog.yaml" | tee "$work/import.txt"
grep -q '^teams: 0 to create, 0 to update, 8 unchanged$' "$work/import.txt"
grep -q '^services: 0 to create, 0 to update, 60 unchanged$' "$work/import.txt"

step "Browser tests"
e2e_status=0
(cd end2end && PORTAL_URL="http://127.0.0.1:$port" npx playwright test) 2>&1 | tee -a "$log" || e2e_status=$?
if [ "$e2e_status" != 0 ]; then
  echo "--- server log ---"; tail -n 50 "$work/server.log"
fi

# One closing line for every runner above: cargo's "N passed; M failed" and Playwright's
# "N passed" / "N failed".
sum() { { grep -Eo "$1" "$log" || true; } | { grep -Eo '[0-9]+' || true; } | awk '{ s += $1 } END { print s + 0 }'; }
passed=$(( $(sum '(ok|FAILED)\. [0-9]+ passed') + $(sum '^ +[0-9]+ passed') ))
failed=$(( $(sum '[0-9]+ failed;') + $(sum '^ +[0-9]+ failed') ))
echo
echo "disk: target/ $(du -sh target 2>/dev/null | cut -f1), free $(df -h . | awk 'NR==2 { print $4 }')"
echo "all: $passed passed, $failed failed"
[ "$e2e_status" = 0 ] && [ "$failed" = 0 ]
