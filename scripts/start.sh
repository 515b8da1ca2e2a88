#!/usr/bin/env bash
# `npm start`: installs what is missing, starts PostgreSQL, Kafka and Zipkin when they are
# not up, runs the four services (each migrates its own database at start), seeds the demo
# network, and keeps running until Ctrl-C, which stops everything this command started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/services.sh"

for service in "${SERVICES[@]}"; do
  if curl -sf -o /dev/null "http://127.0.0.1:${SERVICE_PORT[$service]}/health"; then
    echo "$service already answers on port ${SERVICE_PORT[$service]}: is Fil already running?" >&2
    exit 1
  fi
done

if curl -sf -o /dev/null "http://127.0.0.1:${CONSOLE_PORT}/"; then
  echo "something already answers on the console's port ${CONSOLE_PORT}: is Fil already running?" >&2
  exit 1
fi

# A development machine: the public development secret signs the printed tokens. Never in production.
export FIL_ENV="${FIL_ENV:-development}"
if [[ -z "${FIL_JWT_SECRET:-}" ]]; then echo "FIL_ENV=$FIL_ENV: tokens are signed with the public development secret" >&2; fi

# Ctrl-C stops only what this command started.
infra_up

cleanup() {
  # Ctrl-C may also have ended whatever reads our output: a failed write must not stop the cleanup.
  trap '' INT TERM PIPE
  trap - EXIT
  { echo; echo "stopping the services${started[*]:+ and ${started[*]}}"; } >&2 2>/dev/null || true
  stop_console
  stop_services
  if ((${#started[@]})); then bash scripts/infra.sh down "${started[@]}" 2>/dev/null || true; fi
}
# After a signal, stop here: the watch loop below would take the stopped services for crashes.
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

start_services
wait_services
node -r @swc-node/register apps/inventory/src/seed/seed.ts
node -r @swc-node/register scripts/staff-tokens.ts
start_console

cat <<INFO

Fil is running.
  console             http://127.0.0.1:${CONSOLE_PORT}/   sign in with a token printed above
  order-orchestrator  http://127.0.0.1:3000/docs   GET /orders/{id}
  inventory           http://127.0.0.1:3001/docs   GET /stock/{sku}, /locations
  fulfillment         http://127.0.0.1:3002/docs   GET /fulfillments?locationId=
  returns             http://127.0.0.1:3003/docs   POST /returns
  traces (Zipkin)     http://127.0.0.1:9411/zipkin/
  logs (JSON)         .local/logs/<service>.log
  Kafka               127.0.0.1:9092 (topics fil.*.v1)

Every endpoint but /health and /docs needs a bearer token (roles in docs/security.md):
  source .local/staff-tokens.sh
  curl -H "Authorization: Bearer \$STORE_TOKEN" 'http://127.0.0.1:3002/fulfillments?locationId=store-lyon-part-dieu&open=true'
Walk one order through every service:  npm run demo
Ctrl-C stops what this command started.
INFO

# Stay in the foreground; if a service dies, say so and stop the rest.
while true; do
  for service in "${SERVICES[@]}"; do
    if ! kill -0 "$(cat "$SERVICE_PIDS/service-$service.pid")" 2>/dev/null; then
      echo "$service stopped unexpectedly; see .local/logs/$service.log" >&2
      exit 1
    fi
  done
  if ! kill -0 "$(cat "$SERVICE_PIDS/console.pid")" 2>/dev/null; then
    echo "the console stopped unexpectedly; see .local/logs/console.log" >&2
    exit 1
  fi
  sleep 2
done
