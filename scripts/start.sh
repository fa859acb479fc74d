#!/usr/bin/env bash
# Builds the portal (release) and starts it on http://127.0.0.1:3000 with the demo data.
# Installs whatever is missing first. Without DATABASE_URL it starts its own PostgreSQL in
# .data/ and stops it again when you press Ctrl-C. Without PORTAL_OIDC_ISSUER it also starts
# the development identity provider on http://127.0.0.1:4400 (demo users alice, bob, carol and
# dave, password "demo"); set the PORTAL_OIDC_* variables (README) to use your own provider.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --release
cargo leptos build --release
addr="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
idp_pid=""
cleanup() { [ -n "$idp_pid" ] && kill "$idp_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [ -z "${PORTAL_OIDC_ISSUER:-}" ]; then
  mkdir -p .data
  public="${PORTAL_PUBLIC_URL:-http://$addr}"
  { read -r idp_pid; read -r issuer; } < <(scripts/devidp.sh "${DEVIDP_PORT:-4400}" "$public" .data/devidp.log)
  echo "Development identity provider at $issuer (users alice, bob, carol, dave; password: demo)"
  export PORTAL_OIDC_ISSUER="$issuer" PORTAL_OIDC_CLIENT_ID=portal PORTAL_OIDC_CLIENT_SECRET=portal-dev-secret
  export PORTAL_PUBLIC_URL="$public" PORTAL_GROUP_ROLES="${PORTAL_GROUP_ROLES:-sre-admins=admin,team-*=editor}"
fi
echo "Starting the portal on http://$addr"
target/release/server --demo "$@" &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; cleanup' INT TERM
wait "$server_pid"
