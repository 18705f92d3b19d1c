#!/usr/bin/env bash
# README quick start, command 2: every test, from a fresh clone. Installs what is missing
# (Debian's chromium, openssl and scep — its scepclient referees the fake CA in the unit
# tests; lab/lab.sh adds nginx-light and socat for the interop lab — and npm packages), builds
# the WASM core and the app, then runs unit, browser, vector, end-to-end and interop tests.
# Servers the tests need are started and stopped by the tests themselves, on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${TRUSTPOINT_SHARED:-../shared}"

step() { printf '\n=== %s\n' "$*"; }

step "system packages"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v scepclient >/dev/null 2>&1 || need+=(scep)
PKITS=/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data
[ -d "$PKITS" ] || need+=(python3-cryptography-vectors) # NIST PKITS for the vectors step
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing: ${need[*]} — run as root or install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
chromium --version
openssl version

step "npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ ! -d "$SHARED/vectors" ]; then
  echo "the shared test data is missing: expected $SHARED/vectors (set TRUSTPOINT_SHARED)" >&2
  exit 1
fi

step "build: WASM core (debug and release), type check"
npm run build:wasm:debug --silent
npm run build:wasm --silent
npx tsc --noEmit -p .

step "unit tests (node)"
npx vitest run --project unit

step "browser tests (Chromium)"
npx vitest run --project browser

step "external vectors (release core)"
npx tsx scripts/vectors.ts --wycheproof "$SHARED/vectors/wycheproof" --tdes "$SHARED/vectors/nist-cavp-tdes/tdes_cbc.txt" --limbo "$SHARED/vectors/x509-limbo/limbo-sample.json" --pkits "$PKITS"

step "build: production app"
npx vite build

step "end-to-end tests (Playwright, Chromium)"
npx playwright test

step "interop tests against the peer lab (micromdm scepserver + nginx CORS proxy, on 127.0.0.1)"
npx playwright test --config tests/interop/playwright.interop.config.ts

step "all tests passed"
