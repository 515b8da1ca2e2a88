# Sourced by bootstrap.sh and infra.sh: `with_progress LABEL COMMAND...` runs a long, quiet
# first-run step (npm install, the jar fetch) and says every 15 s that it is still at it.
with_progress() {
  local label="$1" started=$SECONDS ticker status=0
  shift
  echo "$label: started" >&2
  # Ends with the shell that started it, should that shell be killed mid-step.
  ( while sleep 15 && kill -0 $$ 2>/dev/null; do echo "$label: still running, $((SECONDS - started)) s so far" >&2; done ) &
  ticker=$!
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  echo "$label: $([[ $status == 0 ]] && echo done || echo "failed (exit $status)") in $((SECONDS - started)) s" >&2
  return "$status"
}
