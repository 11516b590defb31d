#!/usr/bin/env bash
# Starts Tandem, building it first when needed.
#   scripts/run.sh [--rebuild | --no-build] [--host ADDR] [--port N] [--config FILE] [--model CHECKPOINT_DIR]
#   scripts/run.sh keys create|list|revoke ...  |  scripts/run.sh usage ...     (scripts/run.sh keys --help)
# The build is a runnable distribution, distribution/target/tandem/ (bin/tandem + lib/), made by
# `mvn package` once and again only when a pom.xml or a file under */src/main changed since; --rebuild
# builds anyway, --no-build never. The keys and usage commands never build when a distribution is there
# (they warn when it is older than the sources). Everything else goes to bin/tandem unchanged.
# The first build downloads about 800 MB of dependencies into ~/.m2: it shows a line per module and per
# jar downloaded; the whole Maven log goes to distribution/target/build.log.
# Without --model (or engine.checkpoint in the config) a small demo checkpoint with random weights is
# generated under ./data on first start: the server works, its answers are meaningless.
# Environment: TANDEM_OFFLINE=1 (Maven offline), JAVA_OPTS (default -Xmx4g), DJL_OFFLINE (default true).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPT_OUT_TRACKING=true
DIST=distribution/target/tandem
STAMP=$DIST/.built    # touched after each successful build: the sources' mtimes are compared with it
BUILD_LOG=distribution/target/build.log

log() { printf '[tandem] %s\n' "$*" >&2; }

built() { [[ -x $DIST/bin/tandem && -f $STAMP ]]; }

BUILD=auto
case "${1:-}" in
  --rebuild) BUILD=always; shift ;;
  --no-build) BUILD=never; shift ;;
  -h|--help)  # this header, and the server's options when there is something built to ask
    sed -n '2,13p' scripts/run.sh | cut -c3-
    if built; then echo; exec "$DIST/bin/tandem" --help; fi
    exit 0 ;;
esac

# a source newer than the last build; directories count too (a deleted file changes its directory)
changed_since_build() { [[ -n $(find pom.xml ./*/pom.xml ./*/src/main -newer "$STAMP" -print -quit 2>/dev/null) ]]; }

# Maven's batch output, shortened to a line per module and per jar downloaded, errors and the result;
# without escape codes (Maven 3.8 writes some even in batch mode).
progress() {
  local line name
  sed -u -e $'s/\x1b\\[[0-9;]*[A-Za-z]//g' -e 's/   */ /g' | while IFS= read -r line; do
    case $line in
      "[INFO] Building "*" ["*/*"]")
        log "building ${line#\[INFO\] Building }" ;;
      "[INFO] Downloaded from "*.jar" ("*)
        name=${line%% (*}
        log "  downloaded ${name##*/} (${line##* (}" ;;
      "[ERROR]"*) printf '%s\n' "$line" >&2 ;;
      "[INFO] BUILD "*|"[INFO] Total time:"*) log "${line#\[INFO\] }" ;;
    esac
  done
}

build() {
  local flags=(-B -Dmaven.test.skip=true -pl distribution -am)
  if [[ ${TANDEM_OFFLINE:-} == 1 ]]; then flags+=(-o); fi
  log "building the distribution: mvn ${flags[*]} package (the first build downloads ~800 MB into ~/.m2: minutes)"
  mkdir -p "$(dirname "$BUILD_LOG")"
  if ! mvn "${flags[@]}" package 2>&1 | tee "$BUILD_LOG" | progress; then
    log "the build failed; the whole log: $BUILD_LOG"
    exit 1
  fi
  touch "$STAMP"
}

case "${1:-}" in
  keys|usage)  # operator commands: never wait for Maven when something runnable is there
    if [[ $BUILD != always ]] && built; then
      if changed_since_build; then log "note: the sources changed since the last build (scripts/run.sh --rebuild rebuilds)"; fi
      BUILD=never
    fi ;;
esac
if [[ $BUILD == always ]] || { [[ $BUILD == auto ]] && { ! built || changed_since_build; }; }; then
  build
fi
if [[ ! -x $DIST/bin/tandem ]]; then
  log "no distribution in $DIST: run scripts/run.sh without --no-build"
  exit 1
fi
exec "$DIST/bin/tandem" "$@"
