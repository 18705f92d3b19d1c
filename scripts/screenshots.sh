#!/usr/bin/env bash
# Screenshots of every view for the README (docs/screenshots/), taken by the accessibility e2e
# run (tests/e2e/a11y.spec.ts) on the production build: light and dark, phone and tablet.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
rm -rf docs/screenshots
TP_SCREENSHOTS="$PWD/docs/screenshots" npx playwright test tests/e2e/a11y.spec.ts
ls -1 docs/screenshots
