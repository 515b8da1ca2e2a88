#!/usr/bin/env bash
# `npm test`: the same set-up as `npm start` (dependencies, Node 24, PostgreSQL, Kafka,
# Zipkin), then the type check and every test against the real Kafka and PostgreSQL.
# Each test file gets its own topics and databases, so the demo's data is never touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

infra_up
cleanup() { if ((${#started[@]})); then bash scripts/infra.sh down "${started[@]}"; fi; }
trap cleanup EXIT

echo "type check" >&2
tsc -p tsconfig.json --noEmit
node -r @swc-node/register scripts/clean-test-leftovers.ts
# One worker: the suites share one broker and two cores; parallel workers only contend.
jest --runInBand "$@"
