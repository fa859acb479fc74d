#!/usr/bin/env bash
# Builds the portal (release) and starts it on http://127.0.0.1:3000 with the demo data.
# Installs whatever is missing first. Without DATABASE_URL it starts its own PostgreSQL in
# .data/ and stops it again when you press Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --release
cargo leptos build --release
echo "Starting the portal on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
exec target/release/server --demo "$@"
