#!/usr/bin/env bash
# Downloads a Hugging Face Llama checkpoint (config, tokenizer, safetensors) for Tandem.
#   scripts/fetch-weights.sh [REPO] [DIR]
# REPO defaults to codellama/CodeLlama-13b-Instruct-hf, DIR to weights/<repo name>.
# Uses huggingface-cli when installed, else plain curl. HF_TOKEN is sent when set (gated repos).
set -euo pipefail
REPO="${1:-codellama/CodeLlama-13b-Instruct-hf}"
DIR="${2:-weights/${REPO##*/}}"
mkdir -p "$DIR"

if command -v huggingface-cli >/dev/null 2>&1; then
  exec huggingface-cli download "$REPO" --local-dir "$DIR" --include '*.json' '*.safetensors'
fi

BASE="https://huggingface.co/$REPO/resolve/main"
AUTH=()
if [[ -n "${HF_TOKEN:-}" ]]; then AUTH=(-H "Authorization: Bearer $HF_TOKEN"); fi
fetch() { curl -fL --retry 3 -C - "${AUTH[@]}" -o "$DIR/$1" "$BASE/$1"; }

for f in config.json generation_config.json tokenizer.json tokenizer_config.json special_tokens_map.json; do
  fetch "$f" || echo "note: $f not found in $REPO (optional except config.json and tokenizer.json)"
done
if fetch model.safetensors.index.json; then
  # the shard names, from the index's weight_map
  for shard in $(grep -o '"[^"]*\.safetensors"' "$DIR/model.safetensors.index.json" | tr -d '"' | sort -u); do
    fetch "$shard"
  done
else
  fetch model.safetensors
fi
echo "checkpoint in $DIR — start with: scripts/run.sh --model $DIR"
