#!/bin/sh
# The e2e web server: what `npm start` runs, on the run's fresh DATA_DIR. It leaves sandboxes
# running on purpose (the next start adopts them), but an e2e data directory is never started
# again, so when it stops, the sandboxes whose bundles live under DATA_DIR are removed too.
set -u
# A test run never installs host packages (CI installs them before, as .ci/run does); what is
# missing is reported, and the runner registers as unable to run sandboxes.
export BURROW_INSTALL_PREREQUISITES="${BURROW_INSTALL_PREREQUISITES:-0}"
export NEXT_TELEMETRY_DISABLED=1
# Started directly, not through npm, so that the stop reaches it (npm does not pass SIGTERM on).
# E2E_DEV=1 runs `next dev` instead of building (quicker to iterate on one spec; CI builds).
node --import tsx scripts/start.ts ${E2E_DEV:+--dev} &
server=$!
# A background job of a non-interactive shell ignores SIGINT, so the stop is passed on as SIGTERM.
trap 'kill -TERM $server 2>/dev/null' INT TERM
wait $server
wait $server 2>/dev/null
for id in $(runc list 2>/dev/null | awk -v dir="$DATA_DIR/" 'NR > 1 && index($4, dir) == 1 { print $1 }'); do
  runc delete --force "$id" >/dev/null 2>&1
done
awk -v dir="$DATA_DIR/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mount; do
  umount -l "$mount" 2>/dev/null
done
