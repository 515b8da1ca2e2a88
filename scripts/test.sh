#!/usr/bin/env bash
# `npm test`: the same set-up as `npm start` (dependencies, Node 24, PostgreSQL, Kafka,
# Zipkin), then the type check and every test against the real Kafka and PostgreSQL.
# Each test file gets its own topics and databases, so the demo's data is never touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

# The console's browser tests drive Debian's chromium.
if [[ ! -x /usr/bin/chromium ]]; then
  echo "chromium is missing (the console's browser tests need /usr/bin/chromium): installing it" >&2
  install_chromium() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
  if ! with_progress "chromium: installing (apt-get, once)" install_chromium >&2 || [[ ! -x /usr/bin/chromium ]]; then
    echo "could not install chromium: run 'apt-get install -y chromium' as root, then npm test again" >&2
    exit 1
  fi
fi

infra_up
cleanup() { if ((${#started[@]})); then bash scripts/infra.sh down "${started[@]}"; fi; }
trap cleanup EXIT

echo "type check" >&2
tsc -p tsconfig.json --noEmit
tsc -p apps/console/tsconfig.json --noEmit
node -r @swc-node/register scripts/clean-test-leftovers.ts
# One worker: the suites share one broker and two cores; parallel workers only contend.
jest --runInBand "$@"
