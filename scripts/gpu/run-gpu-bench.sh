#!/usr/bin/env bash
# batchlab's webgpu backend against PyTorch CUDA on a GPU machine, on the same CNN
# (conv16-BN-relu-maxpool2-conv32-BN-relu-maxpool2-GAP-dense10, 28x28x1, plain SGD):
#   1. environment: nvidia-smi, the Vulkan loader and ICD used, `batchlab doctor`
#   2. batchlab's training loop on webgpu: samples/s at batch 256, per-step cost at batch 8
#   3. PyTorch on CUDA (torch_cuda_bench.py), same batches, after warm-up
#   4. a table with the ratios
# Runs from the folder scripts/gpu/prepare-bundle.sh builds (its own node, no npm needed) or
# from a checkout with node_modules (scripts/gpu/run-gpu-bench.sh).
#
# Environment: OUT (results folder, default ./gpu-bench-results), PYTHON (default python3),
# BACKEND (default webgpu), BATCHES (default 256,8), SECONDS_PER_BATCH (default 6),
# TORCH_DEVICE (default cuda; cpu to try the script on a machine without a GPU).
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RESULTS="${OUT:-$PWD/gpu-bench-results}"
PYTHON="${PYTHON:-python3}"
BACKEND="${BACKEND:-webgpu}"
BATCHES="${BATCHES:-256,8}"
SECONDS_PER_BATCH="${SECONDS_PER_BATCH:-6}"
TORCH_DEVICE="${TORCH_DEVICE:-cuda}"
mkdir -p "$RESULTS"

if [ -x "$HERE/node" ] && [ -f "$HERE/app/webgpu-bench.mjs" ]; then
  NODE="$HERE/node"
  BATCHLAB=("$NODE" "$HERE/bin/batchlab.mjs")
  WEBGPU_BENCH=("$NODE" "$HERE/app/webgpu-bench.mjs")
  TORCH_BENCH="$HERE/torch_cuda_bench.py"
else
  ROOT="$(cd "$HERE/../.." && pwd)"
  NODE="$(command -v node)" || { echo "run-gpu-bench: no node on PATH and no bundle here" >&2; exit 1; }
  BATCHLAB=("$NODE" "$ROOT/bin/batchlab.mjs")
  WEBGPU_BENCH=("$NODE" "$ROOT/bin/run-ts.mjs" "$ROOT/scripts/gpu/webgpu-bench.ts")
  TORCH_BENCH="$HERE/torch_cuda_bench.py"
fi

section() { printf '\n== %s\n' "$*" | tee -a "$RESULTS/log.txt"; }
note() { echo "$*" | tee -a "$RESULTS/log.txt"; }

# shellcheck source=vulkan-env.sh
. "$HERE/vulkan-env.sh"

section "environment"
note "results: $RESULTS"
note "node: $("$NODE" --version) ($NODE)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$RESULTS/log.txt"
else
  note "nvidia-smi: not found"
fi
setup_vulkan
[ -f "$HERE/MANIFEST" ] && cat "$HERE/MANIFEST" | tee -a "$RESULTS/log.txt"

section "batchlab doctor"
timeout 120 "${BATCHLAB[@]}" doctor 2>"$RESULTS/doctor.stderr" | tee "$RESULTS/doctor.txt" | tee -a "$RESULTS/log.txt"

section "batchlab training loop on $BACKEND (batches $BATCHES, ~${SECONDS_PER_BATCH} s each after warm-up)"
: >"$RESULTS/batchlab.jsonl"
timeout 400 "${WEBGPU_BENCH[@]}" --backend "$BACKEND" --batches "$BATCHES" --seconds "$SECONDS_PER_BATCH" \
  >"$RESULTS/batchlab.jsonl" 2>"$RESULTS/batchlab.stderr"
rc=$?
cat "$RESULTS/batchlab.jsonl" | tee -a "$RESULTS/log.txt"
[ $rc -eq 0 ] || { note "batchlab benchmark failed (exit $rc):"; tail -n 20 "$RESULTS/batchlab.stderr" | tee -a "$RESULTS/log.txt"; }

section "PyTorch on $TORCH_DEVICE (same model and batches)"
: >"$RESULTS/torch.jsonl"
timeout 300 "$PYTHON" "$TORCH_BENCH" --device "$TORCH_DEVICE" --batches "$BATCHES" --seconds "$SECONDS_PER_BATCH" \
  >"$RESULTS/torch.jsonl" 2>"$RESULTS/torch.stderr"
rc=$?
cat "$RESULTS/torch.jsonl" | tee -a "$RESULTS/log.txt"
[ $rc -eq 0 ] || { note "torch benchmark failed (exit $rc):"; tail -n 20 "$RESULTS/torch.stderr" | tee -a "$RESULTS/log.txt"; }

section "summary"
"$PYTHON" - "$RESULTS/batchlab.jsonl" "$RESULTS/torch.jsonl" <<'PY' | tee "$RESULTS/summary.txt" | tee -a "$RESULTS/log.txt"
import json, sys

def load(path):
    rows = {}
    try:
        for line in open(path):
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                rows[r["batch"]] = r
    except OSError:
        pass
    return rows

ours, torch = load(sys.argv[1]), load(sys.argv[2])
any_row = next(iter(ours.values()), None) or next(iter(torch.values()), None)
if any_row is None:
    print("no results")
    sys.exit(0)
o_name = next(iter(ours.values()))["backend"] if ours else "batchlab"
t_name = next(iter(torch.values()))["backend"] if torch else "torch"
for r in list(ours.values())[:1]:
    print(f"batchlab device: {r['device']}")
for r in list(torch.values())[:1]:
    print(f"torch device:    {r['device']}")
head = ["batch", f"{o_name} samples/s", f"{o_name} ms/step", f"{t_name} samples/s", f"{t_name} ms/step", "torch / batchlab"]
rows = []
for b in sorted(set(ours) | set(torch), reverse=True):
    o, t = ours.get(b), torch.get(b)
    ratio = f"{t['samples_per_s'] / o['samples_per_s']:.2f}x" if o and t else "-"
    rows.append([str(b),
                 f"{o['samples_per_s']:.0f}" if o else "-", f"{o['ms_per_step']:.2f}" if o else "-",
                 f"{t['samples_per_s']:.0f}" if t else "-", f"{t['ms_per_step']:.2f}" if t else "-", ratio])
widths = [max(len(x) for x in col) for col in zip(head, *rows)]
for line in [head, *rows]:
    print("  ".join(x.rjust(w) for x, w in zip(line, widths)))
PY
