#!/usr/bin/env bash
# Downloads a Hugging Face Llama checkpoint (config, tokenizer, safetensors) for Tandem.
#   scripts/fetch-weights.sh [REPO] [DIR]
# REPO defaults to codellama/CodeLlama-13b-Instruct-hf, DIR to weights/<repo name>.
# Uses huggingface-cli when installed, else plain curl (FETCH_WITH=curl: curl anyway). HF_TOKEN is sent
# when set (gated repositories); HF_ENDPOINT replaces https://huggingface.co (a mirror).
# With curl, a failure says its cause and sets the exit status:
#   3  the host cannot be reached (network, DNS, proxy, TLS)
#   4  the repository wants a token, or refuses the one in HF_TOKEN
#   5  the repository, or a file it must have (config.json, tokenizer.json, the weights), is not there
#   6  the host answered with another error
# Files already complete in DIR are kept; an interrupted download resumes.
set -euo pipefail
REPO="${1:-codellama/CodeLlama-13b-Instruct-hf}"
DIR="${2:-weights/${REPO##*/}}"
ENDPOINT="${HF_ENDPOINT:-https://huggingface.co}"
ENDPOINT="${ENDPOINT%/}"
mkdir -p "$DIR"

if [[ ${FETCH_WITH:-} != curl ]] && command -v huggingface-cli >/dev/null 2>&1; then
  exec huggingface-cli download "$REPO" --local-dir "$DIR" --include '*.json' '*.safetensors'
fi

BASE="$ENDPOINT/$REPO/resolve/main"
AUTH=()
if [[ -n "${HF_TOKEN:-}" ]]; then AUTH=(-H "Authorization: Bearer $HF_TOKEN"); fi
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

fail() { # STATUS MESSAGE
  echo "fetch-weights: $2" >&2
  exit "$1"
}

# The Hub's own word on an error (x-error-message), from the last response's headers.
hub_says() {
  local said
  said=$(tr -d '\r' < "$SCRATCH/headers" | sed -n 's/^[Xx]-[Ee]rror-[Mm]essage: *//p' | tail -1)
  if [[ -n $said ]]; then echo " (the Hub says: $said)"; fi
}

# fetch FILE: 0 once DIR/FILE is complete, 1 when the repository has no such file; any other failure
# ends the script with its cause.
fetch() {
  local file=$1 code status=0
  if [[ -s $DIR/$file ]]; then return 0; fi
  : > "$SCRATCH/headers"
  code=$(curl -sS -L --retry 3 --connect-timeout 30 -C - "${AUTH[@]}" -D "$SCRATCH/headers" -w '%{http_code}' \
    -o "$DIR/$file.part" "$BASE/$file" 2>"$SCRATCH/curl-error") || status=$?
  if [[ $status -ne 0 ]]; then
    case $status in
      5|6|7|28|35|45|47|51|52|55|56|58|59|60|77|83|90|91|92|95|97)
        fail 3 "cannot reach $ENDPOINT: $(tr -d '\n' < "$SCRATCH/curl-error") — check the network connection, a proxy (HTTPS_PROXY) or HF_ENDPOINT" ;;
      *) fail 6 "downloading $file from $ENDPOINT failed: $(tr -d '\n' < "$SCRATCH/curl-error")" ;;
    esac
  fi
  case $code in
    200|206)
      mv "$DIR/$file.part" "$DIR/$file"; return 0 ;;
    416) # the part was already complete
      mv "$DIR/$file.part" "$DIR/$file"; return 0 ;;
  esac
  rm -f "$DIR/$file.part"
  case $code in
    401|403)
      if [[ -z ${HF_TOKEN:-} ]]; then
        fail 4 "$REPO wants a token (HTTP $code$(hub_says)): it is gated, private or not there. Accept its licence on $ENDPOINT/$REPO and set HF_TOKEN to a token of yours (https://huggingface.co/settings/tokens)"
      fi
      fail 4 "$REPO refuses the token in HF_TOKEN (HTTP $code$(hub_says)): is its licence accepted on $ENDPOINT/$REPO, and the token valid with read access?" ;;
    404)
      if grep -qi '^x-error-code: *RepoNotFound' "$SCRATCH/headers"; then
        fail 5 "there is no repository $REPO on $ENDPOINT$(hub_says)"
      fi
      return 1 ;;
    *) fail 6 "$ENDPOINT answered HTTP $code for $file$(hub_says)" ;;
  esac
}

for f in config.json tokenizer.json; do
  fetch "$f" || fail 5 "$f is not in $REPO: Tandem needs it (is $REPO a Hugging Face Llama checkpoint?)"
done
for f in generation_config.json tokenizer_config.json special_tokens_map.json; do
  fetch "$f" || echo "note: $f is not in $REPO (optional)"
done
if fetch model.safetensors.index.json; then
  # the shard names, from the index's weight_map
  for shard in $(grep -o '"[^"]*\.safetensors"' "$DIR/model.safetensors.index.json" | tr -d '"' | sort -u); do
    fetch "$shard" || fail 5 "$shard, named by model.safetensors.index.json, is not in $REPO"
  done
else
  fetch model.safetensors || fail 5 "$REPO has neither model.safetensors nor model.safetensors.index.json: Tandem reads safetensors weights only"
fi
echo "checkpoint in $DIR — start with: scripts/run.sh --model $DIR"
