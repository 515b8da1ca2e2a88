#!/usr/bin/env bash
# `npm test`: the same set-up as `npm start` (dependencies, Node 24, PostgreSQL, Kafka,
# Zipkin), then the type check and every test against the real Kafka and PostgreSQL.
# Each test file gets its own topics and databases, so the demo's data is never touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

# Debian packages some tests run: the console's browser tests drive chromium; the dashboard's
# PromQL runs in Prometheus, and promtool checks deploy/prometheus.
need_debian_package() {
  local package=$1 binary=$2 why=$3 options=${4:-}
  [[ -x $binary ]] && return 0
  echo "$package is missing ($why need $binary): installing it" >&2
  # shellcheck disable=SC2086 # the options are words
  install_package() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $options "$package"; }
  if ! with_progress "$package: installing (apt-get, once)" install_package >&2 || [[ ! -x $binary ]]; then
    echo "could not install $package: run 'apt-get install -y $package' as root, then npm test again" >&2
    exit 1
  fi
}
need_debian_package chromium /usr/bin/chromium "the console's browser tests"
# Not its recommended node exporter: a daemon the tests do not use.
need_debian_package prometheus /usr/bin/prometheus "the tests of the dashboard and of Prometheus's configuration" --no-install-recommends

infra_up
cleanup() { if ((${#started[@]})); then bash scripts/infra.sh down "${started[@]}"; fi; }
trap cleanup EXIT

echo "type check" >&2
tsc -p tsconfig.json --noEmit
tsc -p apps/console/tsconfig.json --noEmit
node -r @swc-node/register scripts/clean-test-leftovers.ts
# One worker: the suites share one broker and two cores; parallel workers only contend.
jest --runInBand "$@"
