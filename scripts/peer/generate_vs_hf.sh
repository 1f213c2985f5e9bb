#!/usr/bin/env bash
# Issue 18's generation target, measured as the acceptance asks: Loupe (engine-djl and engine-onnx, KV cache) and
# HF transformers `generate` (KV cache) on the same random GPT-2-small-shaped model shape, batch 1, 16-token prompts,
# 32 new tokens, alternating ROUNDS times on this machine so both see the same load; one line per round and the
# median ratio. The peer is a measuring tool only (see hf_generate_bench.py for its venv).
#   scripts/peer/generate_vs_hf.sh [ROUNDS] [PYTHON]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=${1:-5}
PY=${2:-/tmp/peer/bin/python}
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
ratios=()
printf "round  djl ms  onnx ms  hf ms  djl/hf  onnx/hf  djl decode tok/s  onnx decode tok/s\n"
for r in $(seq 1 "$ROUNDS"); do
  loupe=$("$ROOT/loupe" bench --generate --engines djl,onnx --batches 1 --iterations 3 | awk '/GPT-2/ {g=1} g && $3 == "kv-cache"')
  djl=$(awk '$1 == "djl" {print $7}' <<<"$loupe"); djlTok=$(awk '$1 == "djl" {print $6}' <<<"$loupe")
  onnx=$(awk '$1 == "onnx" {print $7}' <<<"$loupe"); onnxTok=$(awk '$1 == "onnx" {print $6}' <<<"$loupe")
  hf=$("$PY" "$ROOT/scripts/peer/hf_generate_bench.py" --batches 1 --iterations 3 | awk '$2 == "kv-cache" {print $4}')
  ratio=$(awk -v a="$djl" -v b="$hf" 'BEGIN {printf "%.2f", a / b}')
  ratios+=("$ratio")
  printf "%-6s %-7s %-8s %-6s %-7s %-8s %-17s %s\n" "$r" "$djl" "$onnx" "$hf" "$ratio" \
    "$(awk -v a="$onnx" -v b="$hf" 'BEGIN {printf "%.2f", a / b}')" "$djlTok" "$onnxTok"
done
printf "median djl/hf: %s\n" "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
