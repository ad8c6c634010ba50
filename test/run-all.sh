#!/usr/bin/env bash
# `npm run test:all`: every test, in order, stopping at the first failure:
#   1. typecheck + unit tests (vitest, test/**/*.test.ts outside test/e2e)
#   2. Python tests (training/tests)
#   3. the production build for both browsers + store zips (`npm run build`)
#   4. e2e: the `--mode e2e` builds, then Chromium + Firefox end-to-end and the manifest checks
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$1"; }

step "typecheck";  npm run --silent typecheck
step "unit tests"; npx vitest run
step "python tests"; bash test/run-pytest.sh
step "build (chrome + firefox + zips)"; npm run --silent build
step "e2e (chromium + firefox)"; npm run --silent test:e2e
printf '\nAll tests passed.\n'
