#!/usr/bin/env bash
# Builds Tandem and starts the server. Arguments go to the server:
#   scripts/run.sh [--port N] [--config FILE] [--model CHECKPOINT_DIR]
# Without --model (or engine.checkpoint in the config) a small demo checkpoint with random weights is
# generated under ./data on first start: the server works, its answers are meaningless.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPT_OUT_TRACKING=true
MVN_FLAGS=(-B -q -DskipTests)
if [[ "${TANDEM_OFFLINE:-}" == "1" ]]; then MVN_FLAGS+=(-o); fi
mvn "${MVN_FLAGS[@]}" package
CP="server/target/classes:$(cat server/target/runtime-classpath.txt)"
exec java ${JAVA_OPTS:--Xmx4g} -Dai.djl.offline="${DJL_OFFLINE:-true}" -cp "$CP" dev.tandem.server.Main "$@"
