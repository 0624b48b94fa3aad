#!/usr/bin/env bash
# `npm test`: the whole suite. Type check, unit and integration tests (real Postgres, started
# embedded unless DATABASE_URL is set), then a production build and the Playwright e2e tests in
# Debian's Chromium. Ends with one line: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# No anonymous telemetry from the build and the e2e server, and no notice about it in the log.
export NEXT_TELEMETRY_DISABLED=1
results=$(mktemp -d)
status=0

echo "== type check"
npx tsc --noEmit || status=1

echo "== unit and integration tests"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || status=1

echo "== production build"
npx next build || status=1

echo "== end-to-end tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" npx playwright test --reporter=list,json || status=1

node scripts/summarize-tests.mjs "$results/vitest.json" "$results/playwright.json" || status=1
rm -rf "$results"
exit $status
