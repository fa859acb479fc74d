#!/usr/bin/env bash
# Installs what building, running and testing the portal needs, skipping whatever is present.
# Safe to run again. Usage: scripts/setup.sh [--e2e] [--release]
#   --e2e      also Chromium and the Playwright package (browser tests)
#   --release  also wasm-opt (release builds of the browser bundle)
set -euo pipefail
cd "$(dirname "$0")/.."

want_e2e=0; want_release=0
for a in "$@"; do
  case "$a" in
    --e2e) want_e2e=1 ;;
    --release) want_release=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
BINARYEN_VERSION=132

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    sudo_if_needed apt-get update -qq
    apt_updated=1
  fi
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL server binaries (the portal starts a private cluster from them).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! have initdb; then
  say "Installing PostgreSQL"
  apt_install postgresql
fi

# Prometheus and promtool: the SLO tests query a real Prometheus and check generated rules.
if ! have prometheus || ! have promtool; then
  say "Installing Prometheus (for the SLO tests)"
  apt_install prometheus
fi

# Rust toolchain pieces.
if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi
if ! have cargo-leptos || ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes on 2 cores, once per machine)"
  # no_downloads: it must never fetch tools from GitHub; it finds wasm-bindgen and wasm-opt on PATH.
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi
if ! have wasm-bindgen || ! wasm-bindgen --version | grep -q "$WASM_BINDGEN_VERSION"; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: one of its locked dependencies is no longer in the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$want_release" = 1 ] && ! have wasm-opt; then
  say "Installing wasm-opt (binaryen $BINARYEN_VERSION)"
  sudo_if_needed npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# The development identity provider that the quick start and the browser tests sign in through.
if [ ! -d devidp/node_modules/oidc-provider ]; then
  say "Installing the development identity provider (npm oidc-provider)"
  (cd devidp && npm ci --no-audit --no-fund >/dev/null)
fi

if [ "$want_e2e" = 1 ]; then
  if ! have chromium; then
    say "Installing Chromium"
    apt_install chromium chromium-driver
  fi
  if [ ! -x end2end/node_modules/.bin/playwright ]; then
    say "Installing Playwright (the test runner only; it drives Debian's Chromium)"
    (cd end2end && npm ci --no-audit --no-fund >/dev/null)
  fi
fi
