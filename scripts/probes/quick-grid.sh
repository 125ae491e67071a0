#!/usr/bin/env bash
# The main job's grid (experiments/quick.yaml, 48 runs) on batchlab against PyTorch's loop over the
# same grid (scripts/torch/quick_grid_torch.py), side by side: 1 thread each (batchlab: one
# worker, one thread), then 2 (batchlab: two workers of one thread; PyTorch: two threads).
# Prints the wall times and the ratio PyTorch / batchlab (higher is better for batchlab).
#   scripts/probes/quick-grid.sh [backend]      (default native)
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKEND="${1:-native}"
PY="${PYTHON:-/usr/bin/python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
sweep() { # workers
  local t0 t1
  t0=$(date +%s.%N)
  node bin/batchlab.mjs sweep experiments/quick.yaml --backend "$BACKEND" --workers "$1" --out "$out/w$1" >/dev/null 2>&1
  t1=$(date +%s.%N)
  rm -rf "$out/w$1"
  echo "$t1 - $t0" | bc
}
for n in 1 2; do
  ours=$(BATCHLAB_THREADS=1 sweep "$n")
  torch=$("$PY" scripts/torch/quick_grid_torch.py "$n" | sed -E 's/.*"wall_s": ([0-9.]+).*/\1/')
  printf '%s thread(s): batchlab %s (%s worker(s)) %.1f s, PyTorch %.1f s, PyTorch/batchlab %.2f\n' \
    "$n" "$BACKEND" "$n" "$ours" "$torch" "$(echo "$torch / $ours" | bc -l)"
done
