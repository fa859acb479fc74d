#!/usr/bin/env bash
# Starts the local development OpenID Provider (devidp/, npm oidc-provider) in the background
# for a portal served at PORTAL_URL, waits until it answers, and prints two lines:
#   <pid>
#   <issuer URL>
# Usage: scripts/devidp.sh PORT PORTAL_URL LOGFILE
# It binds to 127.0.0.1 only and knows four demo users (alice, bob, carol, dave; password demo).
set -euo pipefail
cd "$(dirname "$0")/.."
port=$1 portal=$2 log=$3
[ -d devidp/node_modules/oidc-provider ] || (cd devidp && npm ci --no-audit --no-fund >/dev/null)
DEVIDP_PORT="$port" \
DEVIDP_REDIRECT_URIS="$portal/auth/callback" \
DEVIDP_POST_LOGOUT_URIS="$portal/signed-out" \
  nohup node devidp/server.mjs > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
  if curl -fs "http://127.0.0.1:$port/.well-known/openid-configuration" >/dev/null 2>&1; then
    echo "$pid"
    echo "http://127.0.0.1:$port"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
echo "the development identity provider did not start:" >&2
cat "$log" >&2
exit 1
