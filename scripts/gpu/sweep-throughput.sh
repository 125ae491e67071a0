#!/usr/bin/env bash
# Sweep throughput on one device: `batchlab sweep --workers N` for each N in WORKERS (each worker a
# process with its own backend, on webgpu its own Dawn device on the one GPU) beside the PyTorch
# loop that trains the same grid one configuration at a time (torch_sweep_loop.py). The grid is the
# benchmark CNN 16-32 + BN on mnist, plain SGD, STEPS steps per run, batch sizes BATCHES x LRS x
# SEEDS. Each sweep starts in a fresh folder and is timed whole (start-up, shader compilation,
# every run's training and final test pass), as is the PyTorch process.
# Writes $OUT/sweep-throughput.jsonl, one line for PyTorch (run first) and one per N:
#   {"runner":"batchlab-<backend>","workers":N,"runs":R,"steps_per_run":S,"wall_s":..,"runs_per_min":..,"statuses":{..}}
#
# Environment: OUT (default ./gpu-bench-results), BACKEND (default webgpu), WORKERS (default
# "1 2 4 8"), BATCHES (default 32,64,128,256), LRS (default 0.02,0.05), SEEDS (default 1,2),
# STEPS (default 50), TEST_SIZE (default 1000), TORCH_DEVICE (default cuda; cpu without a GPU),
# TORCH_THREADS (torch.set_num_threads on cpu; default 0 = PyTorch's own), PYTHON (default python3),
# LIMIT_S (time limit of each sweep, default 240).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RESULTS="${OUT:-$PWD/gpu-bench-results}"
BACKEND="${BACKEND:-webgpu}"
WORKERS="${WORKERS:-1 2 4 8}"
BATCHES="${BATCHES:-32,64,128,256}"
LRS="${LRS:-0.02,0.05}"
SEEDS="${SEEDS:-1,2}"
STEPS="${STEPS:-50}"
TEST_SIZE="${TEST_SIZE:-1000}"
TORCH_DEVICE="${TORCH_DEVICE:-cuda}"
TORCH_THREADS="${TORCH_THREADS:-0}"
PYTHON="${PYTHON:-python3}"
LIMIT_S="${LIMIT_S:-240}"
if [ -x "$HERE/node" ] && [ -f "$HERE/bin/batchlab.mjs" ]; then BATCHLAB=("$HERE/node" "$HERE/bin/batchlab.mjs")
else BATCHLAB=(node "$HERE/../../bin/batchlab.mjs"); fi
TORCH_LOOP="$HERE/torch_sweep_loop.py"

WORK="$RESULTS/sweep-throughput"
mkdir -p "$WORK"
out="$RESULTS/sweep-throughput.jsonl"
: >"$out"
cat >"$WORK/spec.yaml" <<YAML
name: sweep-throughput
backend: $BACKEND
data: { name: mnist, trainSize: 8000, testSize: $TEST_SIZE }
model: { name: cnn, channels: [16, 32], norm: batch, pooling: max, kernelSize: 3, dropout: 0 }
optimizer: { name: sgd }
train: { steps: $STEPS }
sweep: { batchSize: [$BATCHES], lr: [$LRS], seeds: [$SEEDS] }
YAML
now() { date +%s.%N; }

# PyTorch's loop first: it is short on a GPU, and the comparison needs it if the time runs out.
torch_args=(--device "$TORCH_DEVICE" --batches "$BATCHES" --lrs "$LRS" --seeds "$SEEDS" --steps "$STEPS" --test-size "$TEST_SIZE")
[ "$TORCH_THREADS" != 0 ] && torch_args+=(--threads "$TORCH_THREADS")
timeout "$LIMIT_S" "$PYTHON" "$TORCH_LOOP" "${torch_args[@]}" 2>"$WORK/torch.stderr" | tee -a "$out"

for n in $WORKERS; do
  dir="$WORK/workers-$n"
  rm -rf "$dir"
  t0=$(now)
  timeout "$LIMIT_S" "${BATCHLAB[@]}" sweep "$WORK/spec.yaml" --workers "$n" --out "$dir" >"$WORK/workers-$n.log" 2>&1
  rc=$?
  t1=$(now)
  "$PYTHON" - "$dir/summary.csv" "$n" "$t0" "$t1" "$rc" "$BACKEND" "$STEPS" <<'PY' | tee -a "$out"
import csv, json, sys
path, n, t0, t1, rc, backend, steps = sys.argv[1:]
statuses = {}
try:
    for row in csv.DictReader(open(path)):
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
except OSError:
    pass
done = statuses.get("completed", 0) + statuses.get("diverged", 0)
wall = float(t1) - float(t0)
print(json.dumps({"runner": f"batchlab-{backend}", "workers": int(n), "runs": done, "steps_per_run": int(steps),
                  "wall_s": round(wall, 2), "runs_per_min": round(done * 60 / wall, 2), "statuses": statuses, "exit": int(rc)}))
PY
done

