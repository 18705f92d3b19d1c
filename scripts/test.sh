#!/usr/bin/env bash
# README quick start, command 2: every test, from a fresh clone. Installs what is missing
# (Debian's chromium, openssl and scep — its scepclient referees the fake CA in the unit
# tests; nginx-light, fcgiwrap, pebble and curl for the HTTP CA and ACME peers; lab/lab.sh adds
# socat for the interop lab — and npm packages), builds
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
# e2e serves the app with deploy/nginx.conf; issue 10: the HTTP CA (nginx + fcgiwrap) and pebble (lab/http-ca.sh, lab/acme.sh)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v fcgiwrap >/dev/null 2>&1 || [ -x /usr/sbin/fcgiwrap ] || need+=(fcgiwrap)
command -v pebble >/dev/null 2>&1 || need+=(pebble)
command -v curl >/dev/null 2>&1 || need+=(curl)
PKITS=/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data
DSA=/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/DSA # NIST CAVP DSA SigVer, same package
[ -d "$PKITS" ] || need+=(python3-cryptography-vectors) # NIST PKITS for the vectors step
# Tokens (issue 11): the software PIV card lab (pcscd + Debian's virtual reader + our card type),
# the third-party PIV tools that must accept it, and what the npm PC/SC binding needs to build.
[ -x /usr/sbin/pcscd ] || need+=(pcscd)
[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || need+=(vsmartcard-vpcd)
[ -d /usr/lib/python3/site-packages/virtualsmartcard ] || need+=(python3-virtualsmartcard)
/usr/bin/python3 -c 'import Cryptodome' 2>/dev/null || need+=(python3-pycryptodome)
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || need+=(python3-cryptography)
command -v opensc-tool >/dev/null 2>&1 || need+=(opensc)
command -v yubico-piv-tool >/dev/null 2>&1 || need+=(yubico-piv-tool)
[ -e /usr/include/PCSC/winscard.h ] || need+=(libpcsclite-dev)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing: ${need[*]} — run as root or install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  # no service (nginx on 0.0.0.0:80, pcscd) starts during the install, as in lab/lab.sh: the tests start their own
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" || { [ "$made_policy" = 0 ] || rm -f /usr/sbin/policy-rc.d; exit 1; }
  [ "$made_policy" = 0 ] || rm -f /usr/sbin/policy-rc.d
fi
chromium --version
openssl version

step "npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The npm PC/SC binding (an optional dependency: `npm start` works without it) must be built here.
if ! node -e "require('pcsclite')" 2>/dev/null; then
  npm rebuild pcsclite --no-audit --no-fund || true
  node -e "require('pcsclite')" || { echo "the npm PC/SC binding (pcsclite) did not build: the token tests need it (libpcsclite-dev, python3, make, g++)" >&2; exit 1; }
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
npx tsx scripts/vectors.ts --wycheproof "$SHARED/vectors/wycheproof" --wycheproof tests/vectors/pbe-ours --tdes "$SHARED/vectors/nist-cavp-tdes/tdes_cbc.txt" --limbo "$SHARED/vectors/x509-limbo/limbo-sample.json" --pkits "$PKITS" --dsa "$DSA/FIPS_186-3/SigVer.rsp" --dsa "$DSA/FIPS_186-2/SigVer.rsp"

step "token tests (software PIV card over PC/SC, third-party PIV tools, IWA bundle; no USB hardware)"
npx vitest run --project token

step "end-to-end tests (Playwright, Chromium; the global setup builds and serves the app with the start command)"
npx playwright test

step "interop tests against the peer lab (micromdm scepserver + nginx CORS proxy, on 127.0.0.1)"
npx playwright test --config tests/interop/playwright.interop.config.ts

step "all tests passed"
