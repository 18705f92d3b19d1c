#!/usr/bin/env bash
# README quick start, command 1: build the production app and serve it on
# http://localhost:${PORT:-4173}. Works on a fresh clone (installs npm packages first).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-4173}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
# The demo CA: the real SCEP server behind the CORS proxy, on 127.0.0.1 (LAB=0 to skip).
if [ "${LAB:-1}" = 1 ]; then
  if CORS_ORIGINS="http://localhost:$PORT http://127.0.0.1:$PORT" bash lab/lab.sh start; then
    trap 'bash lab/lab.sh stop >/dev/null 2>&1 || true' EXIT
  else
    echo "The demo SCEP CA could not be started (see above); the app works without it." >&2
  fi
fi
echo
echo "Trustpoint: open http://localhost:${PORT}/ in Chromium (Ctrl-C stops the server)"
echo
npx vite preview --host 127.0.0.1 --port "$PORT" --strictPort
