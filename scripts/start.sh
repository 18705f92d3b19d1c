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
echo
echo "Trustpoint: open http://localhost:${PORT}/ in Chromium (Ctrl-C stops the server)"
echo
exec npx vite preview --host 127.0.0.1 --port "$PORT" --strictPort
