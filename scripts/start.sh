#!/usr/bin/env bash
# README quick start, command 1: build the production app and serve it on
# http://localhost:${PORT:-4173}. Works on a fresh clone (installs npm packages first).
# PORT=N another port; LAB=0 without the demo CA; BUILD=0 serves the build already in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-4173}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "${BUILD:-1}" != 0 ] || [ ! -f dist/index.html ]; then
  npm run build
fi
# The demo CA: the real SCEP server behind the CORS proxy, on 127.0.0.1 (LAB=0 to skip). The app
# reads dist/demo-ca.json and offers a ready-made trustpoint for it, or says why there is none.
if [ "${LAB:-1}" = 1 ]; then
  log=$(mktemp)
  set +e
  CORS_ORIGINS="http://localhost:$PORT http://127.0.0.1:$PORT" bash lab/lab.sh start 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" = 0 ]; then
    lab_up=1
    node scripts/demo-ca.mjs available .lab/lab.json dist/demo-ca.json
  else
    reason=$(grep '^lab: ' "$log" | tail -1 | sed 's/^lab: //')
    node scripts/demo-ca.mjs unavailable "${reason:-lab/lab.sh start failed (exit $rc)}" dist/demo-ca.json
    echo "The demo SCEP CA could not be started (see above); the app works without it." >&2
  fi
  rm -f "$log"
fi
echo
echo "Trustpoint: open http://localhost:${PORT}/ in Chromium (Ctrl-C stops the server)"
echo
# Ctrl-C, kill or a closed terminal stop the server and the demo lab.
cleanup() {
  [ -z "${server_pid:-}" ] || kill "$server_pid" 2>/dev/null || true
  [ "${lab_up:-0}" != 1 ] || bash lab/lab.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port "$PORT" --strictPort &
server_pid=$!
wait "$server_pid"
