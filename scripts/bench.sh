#!/usr/bin/env bash
# Tandem benchmarks, one command.
#   scripts/bench.sh          quick set (a few minutes on 2 cores)
#   scripts/bench.sh --full   the long set (every shape, batch and concurrency; much longer)
# Builds the benchmarks module, generates the checkpoints it needs (random weights, cached in
# data/bench-checkpoints), runs the suites and writes benchmarks/results/<UTC date-time>/ with the raw
# JMH JSON, markdown tables and SVG charts; summary.md there is also copied to benchmarks/results/LATEST.md.
# Options: --full, --skip-build, --only engine|jmh|http (repeatable), --out DIR
# Environment: MVN_FLAGS (default -o: offline), JAVA_OPTS (extra JVM flags), TANDEM_BENCH_CHECKPOINTS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

FULL=0; BUILD=1; ONLY=(); OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) FULL=1 ;;
    --skip-build) BUILD=0 ;;
    --only) ONLY+=("$2"); shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ${#ONLY[@]} -eq 0 ]] && return 0; local s; for s in "${ONLY[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
RESULTS=${OUT:-$ROOT/benchmarks/results/$STAMP}
mkdir -p "$RESULTS/raw"
CKPTS=${TANDEM_BENCH_CHECKPOINTS:-$ROOT/data/bench-checkpoints}
JAR=$ROOT/benchmarks/target/tandem-benchmarks.jar
export OPT_OUT_TRACKING=true
JVM=(java -Xmx6g -Dai.djl.offline=true -Dtandem.bench.checkpoints="$CKPTS" ${JAVA_OPTS:-})
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_class() { unzip -l "$JAR" "${1//.//}.class" >/dev/null 2>&1 || [[ -f $ROOT/benchmarks/target/classes/${1//.//}.class ]]; }

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
  echo "- Command: \`scripts/bench.sh$([[ $FULL == 1 ]] && echo ' --full')\` ($([[ $FULL == 1 ]] && echo full || echo quick) set); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- Percentiles are p50 / p95 / p99. JMH uses Mode.SampleTime; load tools count open-loop latency from each request's scheduled time."
  echo
} > "$RESULTS/header.md"

# ---------------------------------------------------------------- engine: bandwidth + throughput
if wants engine && has_class dev.tandem.bench.engine.ThroughputTool; then
  log "checkpoints in $CKPTS"
  tool dev.tandem.bench.engine.Checkpoints tiny 110m >/dev/null
  if [[ $FULL == 1 ]]; then TP=(--tokens 128 --repeats 5 --bandwidth-gib 4); else TP=(--tokens 48 --repeats 3 --bandwidth-gib 2); fi
  for t in 1 2; do
    log "engine throughput, 110M shape, threads=$t"
    tool dev.tandem.bench.engine.ThroughputTool --shape 110m --threads $t "${TP[@]}" --out "$RESULTS" --name throughput-t$t \
      > "$RESULTS/raw/throughput-t$t.log" 2>&1 || log "throughput t=$t failed: see raw/throughput-t$t.log"
    [[ -f $RESULTS/throughput-t$t.md ]] && section "$RESULTS/throughput-t$t.md"
  done
fi

# ---------------------------------------------------------------- engine: JMH suites
if wants jmh && has_class dev.tandem.bench.engine.DecodeStepBench; then
  if [[ $FULL == 1 ]]; then
    log "JMH engine suites (full)"
    jmh engine 'dev.tandem.bench.engine.*Bench'
  else
    log "JMH engine suites (quick)"
    Q=(-f 1 -wi 1 -w 2s -i 2 -r 3s)
    jmh decode 'DecodeStepBench' -p shape=tiny,110m -p batch=1,8 "${Q[@]}"
    jmh generation 'GenerationBench' -p shape=tiny -p batch=1,8 -p tokens=32 "${Q[@]}"
    jmh prefill 'PrefillBench' -p shape=110m -p promptTokens=128,1024 -f 1 -wi 1 -w 2s -i 1 -r 4s
  fi
  for f in "$RESULTS"/jmh-*.json; do
    [[ -f $f ]] || continue
    n=$(basename "$f" .json)
    tool dev.tandem.bench.report.JmhReport "$f" "JMH ${n#jmh-}" > "$RESULTS/$n.md" && section "$RESULTS/$n.md"
  done
fi

# ---------------------------------------------------------------- summary
{
  cat "$RESULTS/header.md"
  for s in "${SECTIONS[@]}"; do cat "$s"; echo; done
} > "$RESULTS/summary.md"
rm -f "$RESULTS/header.md"
if [[ -z $OUT ]]; then
  rel=$(basename "$RESULTS")
  # LATEST.md sits one directory up: point its chart links into the run's directory.
  sed -E "s#\]\(([^/)]+\.svg)\)#](${rel}/\1)#g" "$RESULTS/summary.md" > "$ROOT/benchmarks/results/LATEST.md"
fi
log "results in $RESULTS (summary.md)"
