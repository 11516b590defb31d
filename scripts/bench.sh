#!/usr/bin/env bash
# Tandem benchmarks, one command.
#   scripts/bench.sh          quick set (a few minutes on 2 cores)
#   scripts/bench.sh --full   the long set (every shape, batch and concurrency; much longer)
#   scripts/bench.sh --smoke  seconds-long runs of everything, to check the pipeline (figures meaningless)
# Builds the benchmarks module, generates the checkpoints it needs (random weights, cached in
# data/bench-checkpoints), runs the suites and writes benchmarks/results/<UTC date-time>/ with the raw
# JMH JSON, markdown tables and SVG charts; summary.md there is also copied to benchmarks/results/LATEST.md.
# Options: --full, --skip-build, --only engine|jmh|http (repeatable), --out DIR,
#          --engine-runs N (repeat the throughput/bandwidth runs; the results add a median-of-N table),
#          --today-jar JAR (an older build's benchmarks jar, lib/ beside it: its engine measured in the same run, for
#          the "vs today" figures), --large DIR (a 7B-class checkpoint for LargeModelRun; see its javadoc)
# Environment: MVN_FLAGS (default -o: offline), JAVA_OPTS (extra JVM flags), TANDEM_BENCH_CHECKPOINTS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

FULL=0; BUILD=1; ONLY=(); OUT=""; ENGINE_RUNS=1; TODAY_JAR=""; LARGE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) FULL=1 ;;
    --smoke) FULL=-1 ;;
    --skip-build) BUILD=0 ;;
    --only) ONLY+=("$2"); shift ;;
    --out) OUT="$2"; shift ;;
    --engine-runs) ENGINE_RUNS="$2"; shift ;;
    --today-jar) TODAY_JAR="$2"; shift ;;
    --large) LARGE="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ${#ONLY[@]} -eq 0 ]] && return 0; local s; for s in "${ONLY[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }

# Everything that differs between the sets, in one place.
case $FULL in
  1) MODE=full; TP_SHAPE=110m; TP=(--tokens 128 --repeats 5 --bandwidth-gib 4 --model-only)
     SB=(--steps 64 --repeats 5 --prefill 128,16384 --bandwidth-gib 4); PC=(--repeats 7)
     STEP=15s; WARM=5s; SOAK=5m; WINDOW=15s; PHASE=10s; GW=30s; GW_WARM=40s; RATES=5,10,25,50,100; PROBES=1000; OVF_WARM=20s ;;
  0) MODE=quick; TP_SHAPE=110m; TP=(--tokens 32 --repeats 3 --bandwidth-gib 2 --model-only)
     SB=(--steps 32 --repeats 3 --prefill 128,16384 --bandwidth-gib 2); PC=(--repeats 5)
     STEP=2s; WARM=2s; SOAK=20s; WINDOW=10s; PHASE=3s; GW=10s; GW_WARM=40s; RATES=5,15,40; PROBES=200; OVF_WARM=10s ;;
  *) MODE=smoke; TP_SHAPE=tiny; TP=(--batches 1,2 --tokens 4 --repeats 1 --bandwidth-gib 0.0625 --bandwidth-passes 1)
     SB=(--batches 1,2 --steps 4 --repeats 1 --prefill 128,512 --bandwidth-gib 0.0625); PC=(--repeats 1)
     STEP=1s; WARM=0.5s; SOAK=4s; WINDOW=2s; PHASE=1s; GW=1s; GW_WARM=0.5s; RATES=5; PROBES=20; OVF_WARM=1s ;;
esac
ALL_FAULTS=status-429,status-500,status-503,status-529,slow-first-byte,stall,reset,malformed,error-event
case $MODE in full) FAULTS=$ALL_FAULTS ;; quick) FAULTS=status-429,status-503,slow-first-byte,reset,error-event ;; *) FAULTS=reset ;; esac

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
# A smoke run's figures mean nothing: it never lands in benchmarks/results/.
[[ $MODE == smoke && -z $OUT ]] && OUT=${TMPDIR:-/tmp}/tandem-bench-smoke-$STAMP
RESULTS=${OUT:-$ROOT/benchmarks/results/$STAMP}
mkdir -p "$RESULTS/raw"
CKPTS=${TANDEM_BENCH_CHECKPOINTS:-$ROOT/data/bench-checkpoints}
JAR=$ROOT/benchmarks/target/tandem-benchmarks.jar
export OPT_OUT_TRACKING=true
# common-pool parallelism 2: on 2 CPUs the JDK picks 1, and the load tools' HttpClient would then start a thread per request
JVM=(java -Xmx6g -Dai.djl.offline=true -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -Dlogback.configurationFile=bench-logback.xml -Dtandem.bench.checkpoints="$CKPTS" ${JAVA_OPTS:-})
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_class() { # is the class in the benchmarks jar or one of Tandem's own jars beside it?
  local j; for j in "$JAR" "$ROOT"/benchmarks/target/lib/tandem-*.jar; do
    unzip -l "$j" "${1//.//}.class" >/dev/null 2>&1 && return 0
  done; return 1
}

if [[ $BUILD == 1 ]]; then
  log "building (mvn ${MVN_FLAGS:--o} -pl benchmarks -am package -DskipTests)"
  mvn -B -q ${MVN_FLAGS:--o} -pl benchmarks -am package -DskipTests
fi
[[ -f $JAR ]] || { echo "no $JAR: build first" >&2; exit 1; }
tool() { "${JVM[@]}" -cp "$JAR" "$@"; }
jmh() { # jmh NAME ARGS... : runs JMH with JSON output into $RESULTS/jmh-NAME.json
  local name=$1; shift
  "${JVM[@]}" -jar "$JAR" "$@" -rf json -rff "$RESULTS/jmh-$name.json" -jvmArgsAppend "-Dtandem.bench.checkpoints=$CKPTS" \
    > "$RESULTS/raw/jmh-$name.log" 2>&1 || { log "JMH $name failed: see raw/jmh-$name.log"; tail -20 "$RESULTS/raw/jmh-$name.log" >&2; return 0; }
}
SECTIONS=()
section() { SECTIONS+=("$1"); }

{
  echo "# Tandem benchmark results ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPU(s), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "- Java: $(java -version 2>&1 | head -1); OS: $(uname -sr)"
  echo "- Load average when the run started (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)"
  echo "- Command: \`scripts/bench.sh$([[ $MODE != quick ]] && echo " --$MODE")$([[ $ENGINE_RUNS != 1 ]] && echo " --engine-runs $ENGINE_RUNS")\` ($MODE set); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- Percentiles are p50 / p95 / p99. JMH uses Mode.SampleTime; load tools count open-loop latency from each request's scheduled time."
  echo
} > "$RESULTS/header.md"

# ---------------------------------------------------------------- engine: bandwidth, throughput, the step, prefix caching
# Through the engine (ThroughputTool: each dtype, LocalEngine's scheduler and sampling included), the step alone
# (StepBench: decode at batch 1/4/8/16 and a short and a long prefill, bfloat16 and float32), time to first token
# with a cached prefix (PrefixCacheRun); with --today-jar, the older build's engine in the same run; with --large,
# the 7B-class checkpoint.
if wants engine && has_class dev.tandem.bench.engine.ThroughputTool; then
  log "checkpoints in $CKPTS"
  tool dev.tandem.bench.engine.Checkpoints tiny $([[ $MODE != smoke ]] && echo 110m) >/dev/null
  for t in 1 2; do
    log "engine throughput, $TP_SHAPE shape, threads=$t"
    tool dev.tandem.bench.engine.ThroughputTool --shape $TP_SHAPE --threads $t "${TP[@]}" --out "$RESULTS" --name throughput-t$t \
      > "$RESULTS/raw/throughput-t$t.log" 2>&1 || log "throughput t=$t failed: see raw/throughput-t$t.log"
    [[ -f $RESULTS/throughput-t$t.md ]] && section "$RESULTS/throughput-t$t.md"
  done
  RUN_DIRS=("$RESULTS")
  for ((r = 2; r <= ENGINE_RUNS; r++)); do
    for t in 1 2; do
      log "engine throughput, run $r of $ENGINE_RUNS, threads=$t"
      tool dev.tandem.bench.engine.ThroughputTool --shape $TP_SHAPE --threads $t "${TP[@]}" --out "$RESULTS/engine-run-$r" \
        --name throughput-t$t > "$RESULTS/raw/throughput-run$r-t$t.log" 2>&1 || log "run $r t=$t failed"
    done
    RUN_DIRS+=("$RESULTS/engine-run-$r")
  done
  if [[ $ENGINE_RUNS -gt 1 ]]; then
    tool dev.tandem.bench.report.RepeatSummary "${RUN_DIRS[@]}" > "$RESULTS/engine-repeats.md" && section "$RESULTS/engine-repeats.md"
  fi
  for t in 1 2; do
    log "the step alone, $TP_SHAPE shape, threads=$t"
    # the long prompt at 1 thread only (minutes per dtype on this class of machine)
    tool dev.tandem.bench.engine.StepBench --shape $TP_SHAPE --threads $t --dtypes bfloat16,float32 "${SB[@]}" \
      $([[ $t == 2 && $MODE != full ]] && echo --prefill 128) --out "$RESULTS" \
      --name step-t$t > "$RESULTS/raw/step-t$t.log" 2>&1 || log "step t=$t failed: see raw/step-t$t.log"
    [[ -f $RESULTS/step-t$t.md ]] && section "$RESULTS/step-t$t.md"
  done
  log "prefix caching: time to first token, cached vs cold"
  tool dev.tandem.bench.engine.PrefixCacheRun --shape $TP_SHAPE --threads 1 "${PC[@]}" \
    $([[ $MODE == smoke ]] && echo --prompt 256 --cached 192) --out "$RESULTS" --name prefix-cache \
    > "$RESULTS/raw/prefix-cache.log" 2>&1 || log "prefix cache failed: see raw/prefix-cache.log"
  [[ -f $RESULTS/prefix-cache.md ]] && section "$RESULTS/prefix-cache.md"
  if [[ -n $TODAY_JAR ]]; then
    # The older engine, on the same checkpoints, back to back with this one: its throughput in today/, its own StepBench
    today() { "${JVM[@]}" -cp "$TODAY_JAR" "$@"; }
    for t in 1 2; do
      log "today's engine throughput (from $TODAY_JAR), threads=$t"
      today dev.tandem.bench.engine.ThroughputTool --shape $TP_SHAPE --threads $t "${TP[@]}" --out "$RESULTS/today" --name throughput-t$t \
        > "$RESULTS/raw/today-throughput-t$t.log" 2>&1 || log "today's throughput t=$t failed"
    done
    log "today's engine vs the step, one process (from $TODAY_JAR)"
    today dev.tandem.bench.engine.StepBench --shape $TP_SHAPE --threads 1 "${SB[@]}" --prefill 128 > "$RESULTS/raw/today-step.log" 2>&1 \
      && { echo "### Today's engine beside the step, one process (older build: $TODAY_JAR)"; echo; \
           sed -n '/^### The forward step alone/,$p' "$RESULTS/raw/today-step.log" | tail -n +2; } > "$RESULTS/today-step.md" \
      && section "$RESULTS/today-step.md" || log "today's step bench failed"
  fi
  if [[ -n $LARGE ]]; then
    log "7B-class checkpoint $LARGE"
    tool dev.tandem.bench.engine.LargeModelRun --checkpoint "$LARGE" --threads 2 --out "$RESULTS" --name large-model \
      > "$RESULTS/raw/large-model.log" 2>&1 && section "$RESULTS/large-model.md" || log "large model failed: see raw/large-model.log"
  fi
fi

# ---------------------------------------------------------------- engine: JMH suites
if wants jmh && has_class dev.tandem.bench.engine.DecodeStepBench; then
  log "JMH engine suites ($MODE)"
  case $MODE in
    full) jmh engine 'dev.tandem.bench.engine.*Bench' ;;
    quick)
      Q=(-f 1 -wi 1 -w 2s -i 2 -r 3s)
      jmh decode 'DecodeStepBench' -p shape=tiny,110m -p batch=1,8 "${Q[@]}"
      jmh generation 'GenerationBench' -p shape=tiny -p batch=1,8 -p tokens=32 "${Q[@]}"
      jmh prefill 'PrefillBench' -p shape=110m -p promptTokens=128,1024 -f 1 -wi 1 -w 2s -i 1 -r 4s ;;
    *)
      S=(-f 1 -wi 0 -i 1 -r 300ms -p shape=tiny)
      jmh decode 'DecodeStepBench' -p batch=1 "${S[@]}"
      jmh generation 'GenerationBench' -p batch=1 -p tokens=4 "${S[@]}"
      jmh prefill 'PrefillBench' -p promptTokens=128 "${S[@]}" ;;
  esac
  log "JMH hot paths"
  case $MODE in
    full) jmh hot 'dev.tandem.bench.hot.*Bench' ;;
    quick) jmh hot 'dev.tandem.bench.hot.*Bench' -f 1 -wi 1 -w 1s -i 2 -r 1s ;;
    *) jmh hot 'dev.tandem.bench.hot.*Bench' -f 1 -wi 0 -i 1 -r 200ms -p shape=tiny ;;
  esac
  for n in jmh-decode jmh-generation jmh-prefill jmh-engine jmh-hot; do
    f=$RESULTS/$n.json
    [[ -f $f ]] || continue
    tool dev.tandem.bench.report.JmhReport "$f" "JMH ${n#jmh-}" > "$RESULTS/$n.md" && section "$RESULTS/$n.md"
  done
fi

# ---------------------------------------------------------------- server: HTTP, gateway, overflow, soak, faults
# A fake upstream process (the testkit's fakes, with a fault-control endpoint) and a Tandem server
# process on the tiny checkpoint (HTTP figures measure the server, not the model), both on loopback.
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { # URL SECONDS
  local i; for ((i = 0; i < $2 * 4; i++)); do curl -sf -o /dev/null "$1/ready" && return 0; sleep 0.25; done; return 1
}
start_server() { # NAME MAX_RUNNING MAX_WAITING MAX_LOCAL_WAIT_MS LOCAL_MODEL_OVERFLOW [CHECKPOINT] -> sets TANDEM_URL, TANDEM_PID
  local name=$1 port; port=$(free_port)
  cat > "$RESULTS/raw/$name.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $port
engine:
  checkpoint: $CKPTS/${6:-tiny}
  modelId: tandem-bench
  maxRunning: $2
  maxWaiting: $3
auth:
  enabled: false
cache:
  enabled: false   # the load repeats greedy requests: a cache would answer them and hide the path measured
ledger:
  database: $RESULTS/raw/$name.db
routing:
  policy: prefer-local
  maxLocalWaitMs: $4
  fallbacks: [openai, anthropic]   # overflow goes to the OpenAI fake, the one the overflow suite compares with
  localModelOverflow: ${5:-true}
remotes:
  openai:
    enabled: true
    baseUrl: $FAKE_OPENAI
    apiKey: $FAKE_KEY
  anthropic:
    enabled: true
    baseUrl: $FAKE_ANTHROPIC
    apiKey: $FAKE_KEY
YAML
  "${JVM[@]/-Xmx6g/-Xmx3g}" -cp "$JAR" dev.tandem.server.Main --config "$RESULTS/raw/$name.yaml" > "$RESULTS/raw/$name.log" 2>&1 &
  TANDEM_PID=$!; PIDS+=("$TANDEM_PID"); TANDEM_URL=http://127.0.0.1:$port
  wait_ready "$TANDEM_URL" 120 || { log "server $name did not become ready: see raw/$name.log"; tail -20 "$RESULTS/raw/$name.log" >&2; return 1; }
}
stop_server() { kill "$TANDEM_PID" 2>/dev/null || true; wait "$TANDEM_PID" 2>/dev/null || true; }

if wants http && has_class dev.tandem.server.Main && has_class dev.tandem.bench.gateway.FakeUpstreams; then
  tool dev.tandem.bench.engine.Checkpoints tiny >/dev/null
  tool dev.tandem.bench.gateway.FakeUpstreams --ports-file "$RESULTS/raw/fakes.properties" --max-minutes 60 > "$RESULTS/raw/fakes.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 120); do [[ -s $RESULTS/raw/fakes.properties ]] && break; sleep 0.25; done
  FAKE_OPENAI=$(sed -n 's/^openai=//p' "$RESULTS/raw/fakes.properties")
  FAKE_ANTHROPIC=$(sed -n 's/^anthropic=//p' "$RESULTS/raw/fakes.properties")
  FAKE_CONTROL=$(sed -n 's/^control=//p' "$RESULTS/raw/fakes.properties")
  FAKE_KEY=$(sed -n 's/^key=//p' "$RESULTS/raw/fakes.properties")

  if start_server tandem 16 64 2000 true; then
    log "HTTP end to end (closed loop 1, 8, 32), local model"
    for mix in openai:tandem-bench:stream:16 openai:tandem-bench:json:16 anthropic:tandem-bench:stream:16 anthropic:tandem-bench:json:16; do
      n=http-$(echo "$mix" | cut -d: -f1,3 | tr : -)
      tool dev.tandem.bench.http.LoadGenerator --url "$TANDEM_URL" --mode closed --concurrency 1,8,32 --duration $STEP --warmup $WARM \
        --mix "$mix" --out "$RESULTS" --name "$n" > "$RESULTS/raw/$n.log" 2>&1 && section "$RESULTS/$n.md" || log "$n failed"
    done
    log "gateway overhead at 200 req/s"
    tool dev.tandem.bench.gateway.GatewayOverhead --direct "$FAKE_OPENAI" --direct-key "$FAKE_KEY" --tandem "$TANDEM_URL" \
      --rate 200 --duration $GW --warmup $GW_WARM $([[ $FULL == 1 ]] && echo --ramp 200,400,800) --out "$RESULTS" \
      > "$RESULTS/raw/gateway.log" 2>&1 && section "$RESULTS/gateway.md" || log "gateway failed: see raw/gateway.log"
    log "open-loop load, local + remote mix"
    tool dev.tandem.bench.http.LoadGenerator --url "$TANDEM_URL" --mode open --rates $RATES --duration $STEP --warmup $WARM \
      --mix openai:tandem-bench:stream:16,anthropic:gpt-4o:json:16,openai:claude-sonnet-4-5:stream:16,anthropic:tandem-bench:json:16 \
      --out "$RESULTS" --name load-open > "$RESULTS/raw/load-open.log" 2>&1 && section "$RESULTS/load-open.md" || log "load-open failed"
    log "soak ($SOAK)"
    tool dev.tandem.bench.http.LoadGenerator --url "$TANDEM_URL" --mode soak --warmup $WARM --rate 20 --minutes $SOAK --window $WINDOW \
      --server-pid "$TANDEM_PID" --max-waiting 64 \
      --mix openai:tandem-bench:stream:16,anthropic:gpt-4o:json:16,anthropic:tandem-bench:stream:16,openai:gpt-4o:stream:16 \
      --out "$RESULTS" --name soak > "$RESULTS/raw/soak.log" 2>&1 && section "$RESULTS/soak.md" || log "soak failed"
    log "fault mode"
    tool dev.tandem.bench.gateway.FaultRun --tandem "$TANDEM_URL" --control "$FAKE_CONTROL" --upstream openai --rate 20 --phase $PHASE --faults $FAULTS \
      --out "$RESULTS" > "$RESULTS/raw/faults.log" 2>&1 && section "$RESULTS/faults.md" || log "faults failed"
    stop_server
  fi
  # Overflow: the 110M model with 2 running and no queue, held busy by 2 streams of exactly 1,900 tokens
  # (ignore_eos) for the local model (which may not overflow), so the engine saturates by compute as a
  # real one does; probes ask for "auto" and overflow to the OpenAI fake. The probes run a warm-up first.
  tool dev.tandem.bench.engine.Checkpoints 110m >/dev/null
  if start_server tandem-overflow 2 0 2000 false 110m; then
    log "overflow time to first byte"
    tool dev.tandem.bench.gateway.OverflowLatency --tandem "$TANDEM_URL" --direct "$FAKE_OPENAI" --direct-key "$FAKE_KEY" \
      --local-model tandem-bench --probe-model auto --saturators 2 --saturator-tokens 1900 --probes $PROBES \
      --probe-rate 40 --warmup $OVF_WARM --out "$RESULTS" > "$RESULTS/raw/overflow.log" 2>&1 && section "$RESULTS/overflow.md" || log "overflow failed"
    stop_server
  fi
fi

# ---------------------------------------------------------------- summary
{
  cat "$RESULTS/header.md"
  tool dev.tandem.bench.report.KeyFigures "$RESULTS" || true
  echo "## Details"
  echo
  for s in "${SECTIONS[@]}"; do cat "$s"; echo; done
} > "$RESULTS/summary.md"
rm -f "$RESULTS/header.md"
echo "- Run ended $(date -u +%H:%MZ); load average then: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/summary.md"
if [[ -z $OUT ]]; then
  rel=$(basename "$RESULTS")
  # LATEST.md sits one directory up: point its chart links into the run's directory.
  sed -E "s#\]\(([^/)]+\.svg)\)#](${rel}/\1)#g" "$RESULTS/summary.md" > "$ROOT/benchmarks/results/LATEST.md"
fi
log "results in $RESULTS (summary.md)"
