# Sourced: the four services, their ports, and how to start and stop them by pid.
SERVICES=(order-orchestrator inventory fulfillment returns)
declare -A SERVICE_PORT=([order-orchestrator]=3000 [inventory]=3001 [fulfillment]=3002 [returns]=3003)
SERVICE_PIDS="$ROOT/.local/pids"
SERVICE_LOGS="$ROOT/.local/logs"

start_services() {
  mkdir -p "$SERVICE_PIDS" "$SERVICE_LOGS"
  for service in "${SERVICES[@]}"; do
    nohup node -r @swc-node/register "apps/$service/src/main.ts" > "$SERVICE_LOGS/$service.log" 2>&1 &
    echo $! > "$SERVICE_PIDS/service-$service.pid"
  done
}

wait_services() {
  local service deadline=$((SECONDS + 120))
  for service in "${SERVICES[@]}"; do
    until curl -sf -o /dev/null "http://127.0.0.1:${SERVICE_PORT[$service]}/health"; do
      if ! kill -0 "$(cat "$SERVICE_PIDS/service-$service.pid")" 2>/dev/null; then
        echo "$service exited during start; last lines of $SERVICE_LOGS/$service.log:" >&2
        tail -n 20 "$SERVICE_LOGS/$service.log" >&2
        return 1
      fi
      (( SECONDS < deadline )) || { echo "$service not healthy after 120 s" >&2; return 1; }
      sleep 0.5
    done
  done
}

stop_services() {
  local service pid
  for service in "${SERVICES[@]}"; do
    pid="$(cat "$SERVICE_PIDS/service-$service.pid" 2>/dev/null)" || continue
    kill "$pid" 2>/dev/null || true
  done
  for service in "${SERVICES[@]}"; do
    pid="$(cat "$SERVICE_PIDS/service-$service.pid" 2>/dev/null)" || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$SERVICE_PIDS/service-$service.pid"
  done
}

CONSOLE_PORT="${CONSOLE_PORT:-3004}"

# The web console: built, then served with the /api proxy to the services (apps/console/server.ts).
start_console() {
  vite build --config apps/console/vite.config.mts --logLevel warn
  nohup node -r @swc-node/register apps/console/server.ts > "$SERVICE_LOGS/console.log" 2>&1 &
  echo $! > "$SERVICE_PIDS/console.pid"
}

stop_console() {
  local pid
  pid="$(cat "$SERVICE_PIDS/console.pid" 2>/dev/null)" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$SERVICE_PIDS/console.pid"
}
