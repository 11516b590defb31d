#!/usr/bin/env bash
# Several Tandem replicas sharing one PostgreSQL on this machine: a way to try the shared store (keys,
# ledger, budgets, rpm/tpm/concurrency limits) before putting replicas behind a real load balancer.
#   scripts/replicas.sh [--replicas N] [--base-port 8081] [--pg-port 5433] [--postgres-url URL]
#                       [--model CHECKPOINT_DIR]
# Starts a PostgreSQL server (see below), then N replicas on ports base-port .. base-port+N-1, each with
# `store.kind: postgres`, its own log in data/replicas/replica-I.log, and the master key from
# $TANDEM_MASTER_KEY (one is made up and printed when unset). Ctrl-C stops them all.
# PostgreSQL: by default a real server from the Maven jars of io.zonky.test:embedded-postgres (no
# download beyond Maven Central; PostgreSQL 14, data in data/replicas/postgres, user postgres without a
# password, loopback only; run as `nobody` when this script runs as root, since PostgreSQL refuses
# root). With --postgres-url jdbc:postgresql://HOST:PORT/DB it uses yours instead (user and password
# from $TANDEM_PG_USER / $TANDEM_PG_PASSWORD; the schema is created at the first start).
# Each replica's configuration is data/replicas/replica-I.yaml (written at each start: edit this script,
# or set the ${ENV} variables of tandem-defaults.yaml, e.g. TANDEM_LOG_LEVEL).
# Needs: JDK 17, Maven and curl (the first run builds the distribution and the testkit module).
# Environment: JAVA_OPTS per replica (default -Xmx1g), TANDEM_OFFLINE=1 (Maven offline).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REPLICAS=3; BASE_PORT=8081; PG_PORT=5433; PG_URL=""; MODEL=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replicas) REPLICAS="$2"; shift ;;
    --base-port) BASE_PORT="$2"; shift ;;
    --pg-port) PG_PORT="$2"; shift ;;
    --postgres-url) PG_URL="$2"; shift ;;
    --model) MODEL="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0" | cut -c3-; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '[replicas] %s\n' "$*" >&2; }
export OPT_OUT_TRACKING=true
MVN=(mvn -B -q); [[ ${TANDEM_OFFLINE:-} == 1 ]] && MVN+=(-o)
DIST=$ROOT/distribution/target/tandem
WORK=$ROOT/data/replicas
mkdir -p "$WORK"

PIDS=()
stop_all() {
  trap - EXIT INT TERM
  log "stopping"
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT INT TERM

if [[ ! -x $DIST/bin/tandem ]]; then
  log "building the distribution (mvn package -pl distribution -am)"
  "${MVN[@]}" -Dmaven.test.skip=true -pl distribution -am package
fi

if [[ -z $PG_URL ]]; then
  log "building the testkit (it starts PostgreSQL from the embedded-postgres jars)"
  "${MVN[@]}" -pl testkit compile
  "${MVN[@]}" -pl testkit dependency:build-classpath -Dmdep.outputFile="$WORK/testkit.classpath" >/dev/null
  java -cp "$ROOT/testkit/target/classes:$(cat "$WORK/testkit.classpath")" dev.tandem.testkit.LocalPostgres \
    --port "$PG_PORT" --dir "$WORK/postgres" > "$WORK/postgres.out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do
    grep -q "postgres listening" "$WORK/postgres.out" 2>/dev/null && break
    kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$WORK/postgres.out" >&2; exit 1; }
    sleep 0.2
  done
  PG_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
  export TANDEM_PG_USER=postgres TANDEM_PG_PASSWORD=""
  log "PostgreSQL on 127.0.0.1:$PG_PORT (data in $WORK/postgres, log in $WORK/postgres.log)"
fi
export TANDEM_PG_URL=$PG_URL
if [[ -z ${TANDEM_MASTER_KEY:-} ]]; then
  TANDEM_MASTER_KEY="master-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export TANDEM_MASTER_KEY
  log "master key (made up for this run): $TANDEM_MASTER_KEY"
fi

for i in $(seq 1 "$REPLICAS"); do
  port=$((BASE_PORT + i - 1))
  cfg=$WORK/replica-$i.yaml
  # the store URL, user and password come from TANDEM_PG_* (tandem-defaults.yaml reads them)
  cat > "$cfg" <<YAML
server: {port: $port, dataDir: "$WORK/replica-$i"}
store: {kind: postgres}
YAML
  args=(--config "$cfg")
  [[ -n $MODEL ]] && args+=(--model "$MODEL")
  JAVA_OPTS=${JAVA_OPTS:--Xmx1g} "$DIST/bin/tandem" "${args[@]}" > "$WORK/replica-$i.log" 2>&1 &
  PIDS+=($!)
  log "replica $i on http://127.0.0.1:$port (log $WORK/replica-$i.log)"
done

for i in $(seq 1 "$REPLICAS"); do
  port=$((BASE_PORT + i - 1))
  until curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
    sleep 0.5
    kill -0 "${PIDS[-1]}" 2>/dev/null || { log "a replica exited: see $WORK/replica-*.log"; exit 1; }
  done
done
cat >&2 <<TXT
[replicas] all $REPLICAS replicas are ready. Try:
  KEY=\$(curl -s -H "x-api-key: $TANDEM_MASTER_KEY" -d '{"name":"try","rpm":5}' http://127.0.0.1:$BASE_PORT/admin/keys | sed 's/.*"key":"\\([^"]*\\)".*/\\1/')
  for p in \$(seq $BASE_PORT $((BASE_PORT + REPLICAS - 1))) \$(seq $BASE_PORT $((BASE_PORT + REPLICAS - 1))); do
    curl -s -o /dev/null -w "port \$p: %{http_code}\\n" -H "authorization: Bearer \$KEY" -H 'content-type: application/json' \\
      -d '{"model":"auto","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}' http://127.0.0.1:\$p/v1/chat/completions
  done          # 5 x 200 across the replicas, then 429: the limit is shared
  curl -s -H "x-api-key: $TANDEM_MASTER_KEY" http://127.0.0.1:$((BASE_PORT + REPLICAS - 1))/v1/usage
Put them behind a load balancer as in README.md, "Several replicas". Ctrl-C stops everything.
TXT
wait "${PIDS[@]}"
