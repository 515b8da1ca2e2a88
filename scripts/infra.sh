#!/usr/bin/env bash
# Local infrastructure for Fil: PostgreSQL, a single-node Kafka (KRaft) and Zipkin.
#
#   scripts/infra.sh up [pg] [kafka] [zipkin]     start what is missing (idempotent; a second call is a no-op)
#   scripts/infra.sh down [zipkin] [kafka] [pg]   stop what `up` started (pid files under .local/pids)
#   scripts/infra.sh status   show what runs
#
# Env: PGPORT (5432), FIL_NO_ZIPKIN=1 (skip Zipkin), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m).
# A second, private broker (the fault suite's) beside the usual one: FIL_KAFKA_PORT (9092),
# FIL_KAFKA_CONTROLLER_PORT (9093) and FIL_INFRA_STATE (.local: pid files, logs, data).
# Everything lives under .local/ (git-ignored); `down` keeps the data, so `up` resumes it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY="$ROOT/deploy/local"
JARS="$ROOT/.local/jars"
LOCAL="${FIL_INFRA_STATE:-$ROOT/.local}"
PIDS="$LOCAL/pids" LOGS="$LOCAL/logs"
PGDATA="$LOCAL/pg" KAFKA_DATA="$LOCAL/kafka-data" KAFKA_PROPS="$LOCAL/kafka/server.properties"
PGPORT="${PGPORT:-5432}" KAFKA_PORT="${FIL_KAFKA_PORT:-9092}" KAFKA_CONTROLLER_PORT="${FIL_KAFKA_CONTROLLER_PORT:-9093}"
ZIPKIN_PORT=9411
NO_ZIPKIN="${FIL_NO_ZIPKIN:-0}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
WAIT_SECS=90

log() { echo "$*" >&2; }
source "$ROOT/scripts/progress.sh"
die() { log "error: $*"; exit 1; }

listening() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# A pid file only counts if its process is still the one we started (pids get reused).
our_pid() {
  local pid
  pid="$(cat "$PIDS/$1.pid" 2>/dev/null)" || return 1
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" && echo "$pid"
}

# wait_until <name> <pid-file name> <marker> <command...>: fails fast if the process dies.
wait_until() {
  local name=$1 pidname=$2 marker=$3 i
  shift 3
  for ((i = 0; i < WAIT_SECS; i++)); do
    "$@" && { log "$name: ready (${SECONDS}s after start of up)"; return 0; }
    our_pid "$pidname" "$marker" >/dev/null || { tail -n 30 "$LOGS/$name.log" >&2; die "$name exited, see $LOGS/$name.log"; }
    sleep 1
  done
  tail -n 30 "$LOGS/$name.log" >&2
  die "$name not ready after ${WAIT_SECS}s, see $LOGS/$name.log"
}

# Keep one previous log: the readiness check greps the current one.
rotate_log() { if [[ -f $LOGS/$1.log ]]; then mv -f "$LOGS/$1.log" "$LOGS/$1.log.1"; fi; }

# ---------------------------------------------------------------- jars
ensure_jars() {
  local pom="$DEPLOY/pom.xml" stamp="$JARS/pom.sha1" sum goals=()
  sum="$(sha1sum "$pom" | cut -d' ' -f1)"
  # Stamp absent or different: versions changed or a fetch was interrupted.
  [[ "$(cat "$stamp" 2>/dev/null)" == "$sum" ]] || rm -rf "$JARS"
  compgen -G "$JARS/kafka/kafka_2.13-*.jar" >/dev/null || goals+=(dependency:copy-dependencies@kafka)
  [[ $NO_ZIPKIN == 1 || -f $JARS/zipkin-server-exec.jar ]] || goals+=(dependency:copy@zipkin)
  ((${#goals[@]})) || return 0
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the jars)"
  mkdir -p "$JARS" "$LOGS"
  rm -f "$stamp"
  fetch() { mvn -q -B -f "$pom" "${goals[@]}" >"$LOGS/mvn.log" 2>&1; }
  with_progress "jars: fetching ${goals[*]##*@} from Maven Central (first run only)" fetch || { cat "$LOGS/mvn.log" >&2; die "mvn failed"; }
  echo "$sum" >"$stamp"
}

# ---------------------------------------------------------------- postgres
# Newest installed major version; the unexpanded glob when none (then -x checks fail).
pg_bin() { printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

pg_ready() {
  local isready
  isready="$(command -v pg_isready || echo "$(pg_bin)/pg_isready")"
  [[ -x $isready ]] && "$isready" -q -h 127.0.0.1 -p "$PGPORT"
}

# PostgreSQL refuses to run as root: run its tools as the postgres user, who must own the data.
as_pg() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_up() {
  if pg_ready; then
    log "postgres: already answering on 127.0.0.1:$PGPORT$([[ -f $PIDS/pg.started ]] && echo ' (our private cluster)')"
    return
  fi
  local bin
  bin="$(pg_bin)"
  [[ -x $bin/pg_ctl ]] || die "postgres: nothing answers on 127.0.0.1:$PGPORT and no /usr/lib/postgresql/*/bin found"
  if [[ ! -f $PGDATA/PG_VERSION ]]; then
    log "postgres: initdb $PGDATA"
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"
    ((EUID != 0)) || chown postgres:postgres "$PGDATA"
    as_pg test -w "$PGDATA" || die "postgres: user postgres cannot write $PGDATA (a parent directory not searchable?)"
    as_pg "$bin/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$LOGS/pg-initdb.log" 2>&1 ||
      { cat "$LOGS/pg-initdb.log" >&2; die "postgres: initdb failed"; }
  fi
  log "postgres: starting private cluster on 127.0.0.1:$PGPORT"
  touch "$LOGS/pg.log"
  ((EUID != 0)) || chown postgres:postgres "$LOGS/pg.log"
  as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$LOGS/pg.log" -w -t "$WAIT_SECS" \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null ||
    { tail -n 20 "$LOGS/pg.log" >&2; die "postgres: pg_ctl start failed"; }
  touch "$PIDS/pg.started"
}

pg_down() {
  [[ -f $PIDS/pg.started ]] || { log "postgres: not started by us, left alone"; return; }
  if [[ -f $PGDATA/postmaster.pid ]]; then
    log "postgres: stopping private cluster"
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
  fi
  rm -f "$PIDS/pg.started"
}

# ---------------------------------------------------------------- kafka
# shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a list of flags
KAFKA_JAVA=(java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$DEPLOY/log4j.properties" -cp "$JARS/kafka/*")

kafka_ready() { listening "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOGS/kafka.log"; }

kafka_up() {
  local pid
  if pid="$(our_pid kafka kafka.Kafka)"; then
    log "kafka: already running (pid $pid)"
    kafka_ready || WAITS+=(kafka) # a previous `up` gave up too early: wait again, don't start twice
    return
  fi
  if listening "$KAFKA_PORT"; then
    log "kafka: something already answers on 127.0.0.1:$KAFKA_PORT, left alone"
    return
  fi
  mkdir -p "$(dirname "$KAFKA_PROPS")"
  sed -e "s|^log.dirs=.*|log.dirs=$KAFKA_DATA|" -e "s|127.0.0.1:9092|127.0.0.1:$KAFKA_PORT|g" \
    -e "s|127.0.0.1:9093|127.0.0.1:$KAFKA_CONTROLLER_PORT|g" "$DEPLOY/kafka/server.properties" >"$KAFKA_PROPS"
  if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
    local id
    id="$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    [[ $id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka: StorageTool random-uuid printed '$id'"
    log "kafka: formatting $KAFKA_DATA (cluster id $id)"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$id" -c "$KAFKA_PROPS" >"$LOGS/kafka-format.log" 2>&1 ||
      { cat "$LOGS/kafka-format.log" >&2; die "kafka: storage format failed"; }
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT"
  rotate_log kafka
  nohup "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_PROPS" >"$LOGS/kafka.log" 2>&1 </dev/null &
  echo $! >"$PIDS/kafka.pid"
  WAITS+=(kafka)
}

kafka_wait() { wait_until kafka kafka kafka.Kafka kafka_ready; }

# ---------------------------------------------------------------- zipkin
zipkin_ready() { curl -sf -o /dev/null "http://127.0.0.1:$ZIPKIN_PORT/health"; }

zipkin_up() {
  if [[ $NO_ZIPKIN == 1 ]]; then
    log "zipkin: skipped (FIL_NO_ZIPKIN=1)"
    return
  fi
  local pid
  if pid="$(our_pid zipkin zipkin-server-exec.jar)"; then
    log "zipkin: already running (pid $pid)"
    zipkin_ready || WAITS+=(zipkin)
    return
  fi
  if listening "$ZIPKIN_PORT"; then
    log "zipkin: something already answers on 127.0.0.1:$ZIPKIN_PORT, left alone"
    return
  fi
  log "zipkin: starting on 127.0.0.1:$ZIPKIN_PORT"
  rotate_log zipkin
  # Zipkin reads its config from env: pin the in-memory store (capped to fit the heap: 50,000 of
  # Fil's spans, ~1.4 KB each as JSON, held 271,640 KiB live after a full GC, so 256m died of
  # OutOfMemoryError under an outside client's load; measured on 2026-12-03) and
  # turn off the queue collectors, or an app-style KAFKA_BOOTSTRAP_SERVERS in the caller's
  # shell makes it consume our broker. Spans come in over HTTP only.
  # Its default binds all interfaces; a Spring list property is replaced as a whole,
  # so port and protocol must be repeated next to the loopback ip.
  STORAGE_TYPE=mem MEM_MAX_SPANS=50000 COLLECTOR_KAFKA_ENABLED=false COLLECTOR_RABBITMQ_ENABLED=false \
    COLLECTOR_ACTIVEMQ_ENABLED=false COLLECTOR_PULSAR_ENABLED=false \
    nohup java -Xms64m -Xmx768m -XX:+ExitOnOutOfMemoryError -jar "$JARS/zipkin-server-exec.jar" \
    "--armeria.ports[0].ip=127.0.0.1" "--armeria.ports[0].port=$ZIPKIN_PORT" "--armeria.ports[0].protocols[0]=http" \
    >"$LOGS/zipkin.log" 2>&1 </dev/null &
  echo $! >"$PIDS/zipkin.pid"
  WAITS+=(zipkin)
}

zipkin_wait() { wait_until zipkin zipkin zipkin-server-exec.jar zipkin_ready; }

# ---------------------------------------------------------------- stop / status
stop_pid() {
  local name=$1 marker=$2 pid i
  if ! pid="$(our_pid "$name" "$marker")"; then
    [[ -f $PIDS/$name.pid ]] && rm -f "$PIDS/$name.pid" # stale: that process is gone
    log "$name: not running under our pid file, left alone"
    return
  fi
  log "$name: stopping (pid $pid)"
  kill "$pid"
  # Kafka's controlled shutdown takes a few seconds; only force it when it hangs.
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after 60s, sending SIGKILL"
    kill -9 "$pid"
  fi
  rm -f "$PIDS/$name.pid"
}

status_line() { # <name> <port> <pid name> <marker>
  local pid who="not started by us"
  pid="$(our_pid "$3" "$4")" && who="ours, pid $pid"
  if listening "$2"; then log "$1: up on 127.0.0.1:$2 ($who)"; else log "$1: down${pid:+ (pid $pid alive but not answering)}"; fi
}

status() {
  local who="not started by us"
  [[ -f $PIDS/pg.started ]] && who="ours, data in $PGDATA"
  if pg_ready; then log "postgres: up on 127.0.0.1:$PGPORT ($who)"; else log "postgres: down"; fi
  status_line kafka "$KAFKA_PORT" kafka kafka.Kafka
  status_line zipkin "$ZIPKIN_PORT" zipkin zipkin-server-exec.jar
}

# ---------------------------------------------------------------- main
mkdir -p "$PIDS" "$LOGS"
case "${1:-}" in
  up)
    # `up kafka` starts only that (the fault suite's own broker); plain `up` starts all three.
    shift
    wanted=" ${*:-pg kafka zipkin} "
    if [[ $wanted != *" zipkin "* ]]; then NO_ZIPKIN=1; fi
    command -v java >/dev/null || die "java not found (Java 17+ needed for Kafka and Zipkin)"
    WAITS=()
    ensure_jars
    if [[ $wanted == *" pg "* ]]; then pg_up; fi
    if [[ $wanted == *" kafka "* ]]; then kafka_up; fi
    if [[ $wanted == *" zipkin "* ]]; then zipkin_up; fi
    # Both JVMs boot in parallel; on 2 cores that is noticeably faster than one after the other.
    for w in ${WAITS[@]+"${WAITS[@]}"}; do "${w}_wait"; done
    ;;
  down)
    # `down kafka zipkin` stops only those; a caller stops just what its own `up` started.
    shift
    wanted=" ${*:-zipkin kafka pg} "
    if [[ $wanted == *" zipkin "* ]]; then stop_pid zipkin zipkin-server-exec.jar; fi
    if [[ $wanted == *" kafka "* ]]; then stop_pid kafka kafka.Kafka; fi
    if [[ $wanted == *" pg "* ]]; then pg_down; fi
    ;;
  status) status ;;
  *) die "usage: $0 up|down [zipkin] [kafka] [pg]|status" ;;
esac
