# Sourced by start.sh and test.sh: makes sure dependencies and Node 24 are there, and
# gives them infra_up.
# The machines ship an older Node; the `node` package from the registry brings the
# Node 24 binary into node_modules/.bin, which then comes first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

source "$ROOT/scripts/progress.sh"

lock_stamp="node_modules/.fil-lock.sha1"
lock_sum="$(sha1sum package.json package-lock.json | sha1sum | cut -d' ' -f1)"
if [[ ! -x node_modules/.bin/node || "$(cat "$lock_stamp" 2>/dev/null)" != "$lock_sum" ]]; then
  # `npm ci` refuses this lockfile here (other platforms' optional binaries are not served);
  # `npm install` with the same lockfile installs the same versions and leaves it unchanged.
  with_progress "bootstrap: installing dependencies (npm install; the first time takes a few minutes)" \
    npm install --no-audit --no-fund --loglevel=error >&2
  echo "$lock_sum" > "$lock_stamp"
fi

export PATH="$ROOT/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
export SWC_NODE_PROJECT="$ROOT/tsconfig.json"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 24 )); then
  echo "bootstrap: Node $(node --version) found, 24 or later needed" >&2
  exit 1
fi
# kafkajs on Node 24 warns once per client about a negative timer it clamps itself (tulios/kafkajs#1751).
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=TimeoutNegativeWarning"

# Starts the infrastructure that is not up and records in `started` what this call started,
# so that the caller stops only that (`bash scripts/infra.sh down "${started[@]}"`).
infra_up() {
  local before name file
  before="$(ls "$ROOT/.local/pids" 2>/dev/null || true)"
  bash "$ROOT/scripts/infra.sh" up
  started=()
  for name in zipkin kafka pg; do
    file=$([[ $name == pg ]] && echo pg.started || echo "$name.pid")
    if [[ -e "$ROOT/.local/pids/$file" ]] && ! grep -qx "$file" <<< "$before"; then started+=("$name"); fi
  done
}
