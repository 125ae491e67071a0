#!/usr/bin/env bash
# Each webgpu setting on and off (Dawn toggles and tfjs's submit batch, through BATCHLAB_WEBGPU),
# measured with webgpu-bench on the benchmark CNN: one JSON line per setting and batch size, with
# the setting in `settings`. The variants run in two passes, the second in reverse order, so a
# slow drift of the machine does not favour one; compare the best of the two.
#
# Environment: OUT (folder, default ./gpu-bench-results), BATCHES (default 8,256),
# SECONDS_PER_BATCH (default 3), PASSES (1 or 2, default 2), VARIANTS (space-separated BATCHLAB_WEBGPU values; default below),
# WEBGPU_BENCH (the command, default: the bundle's or the checkout's webgpu-bench).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RESULTS="${OUT:-$PWD/gpu-bench-results}"
BATCHES="${BATCHES:-8,256}"
SECONDS_PER_BATCH="${SECONDS_PER_BATCH:-3}"
VARIANTS="${VARIANTS:-default skip_validation disable_robustness disable_workgroup_init -lazy_clear_resource_on_first_use submit=1 submit=60 skip_validation,disable_robustness,disable_workgroup_init}"
PASSES="${PASSES:-2}"
mkdir -p "$RESULTS"
if [ -z "${WEBGPU_BENCH:-}" ]; then
  if [ -x "$HERE/node" ] && [ -f "$HERE/app/webgpu-bench.mjs" ]; then WEBGPU_BENCH="$HERE/node $HERE/app/webgpu-bench.mjs"
  else WEBGPU_BENCH="node $HERE/../../bin/run-ts.mjs $HERE/webgpu-bench.ts"; fi
fi
out="$RESULTS/webgpu-settings.jsonl"
: >"$out"
# shellcheck disable=SC2086
order=($VARIANTS)
reversed=(); for ((i=${#order[@]}-1; i>=0; i--)); do reversed+=("${order[$i]}"); done
for pass in $(seq 1 "$PASSES"); do
  if [ $pass = 1 ]; then list=("${order[@]}"); else list=("${reversed[@]}"); fi
  for v in "${list[@]}"; do
    # shellcheck disable=SC2086
    BATCHLAB_WEBGPU="$v" timeout 300 $WEBGPU_BENCH --backend webgpu --batches "$BATCHES" --seconds "$SECONDS_PER_BATCH" --warmup 3 \
      2>>"$RESULTS/webgpu-settings.stderr" | sed "s/^{/{\"variant\":\"$v\",\"pass\":$pass,/" | tee -a "$out"
  done
done
