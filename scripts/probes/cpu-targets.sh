#!/usr/bin/env bash
# The CPU targets side by side, on the checkout it is run from (a fresh clone after `npm ci`, so
# the CLI runs from its bundle): twice, the main job's sweep (default 2 workers x 1 thread) and
# its report, then PyTorch's sequential one-thread loop over the same grid
# (scripts/torch/quick_grid_torch.py); one run against two threads per batch size
# (threads-per-batch.sh); `npm start` itself; the wholerun bench section. Writes to <out>.
#   scripts/probes/cpu-targets.sh <out>
set -uo pipefail
out="$(realpath -m "$1")"; mkdir -p "$out"
cd "$(dirname "$0")/../.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "commit $(git rev-parse --short HEAD); $(node bin/batchlab.mjs doctor | tail -1)" > "$out/setup.txt"
ts() { date +%s.%N; }
ld() { cut -d' ' -f1-3 /proc/loadavg; }
{
for i in 1 2; do
  echo "load at start: $(ld)"
  rm -rf "$tmp/quick"; t0=$(ts)
  /usr/bin/time -f '%U s user, %S s system' -o "$tmp/cpu.txt" node bin/batchlab.mjs sweep experiments/quick.yaml --out "$tmp/quick" >/dev/null 2>&1; t1=$(ts)
  node bin/batchlab.mjs report "$tmp/quick" --findings >/dev/null 2>&1; t2=$(ts)
  torch=$(cd scripts/torch && /usr/bin/python3 quick_grid_torch.py 1); t3=$(ts)
  echo "round $i: sweep (2 workers x 1 thread, the default) $(echo "$t1 - $t0" | bc) s [$(cat "$tmp/cpu.txt")]; report --findings $(echo "$t2 - $t1" | bc) s; npm start's two commands $(echo "$t2 - $t0" | bc) s; PyTorch sequential 1 thread: $torch ($(echo "$t3 - $t2" | bc) s of its process); load $(ld)"
done
} 2>&1 | tee "$out/grid.txt"
scripts/probes/threads-per-batch.sh 2>&1 | tee "$out/threads-per-batch.txt"
rm -rf results/quick; t0=$(ts); npm start > "$out/npm-start.log" 2>&1; t1=$(ts)
echo "npm start (literal): $(echo "$t1 - $t0" | bc) s; load $(ld)" | tee "$out/npm-start.txt"
npm run bench -- --sections wholerun --backends native --models mlp,cnn --batches 16,64,1024 2>&1 | tee "$out/wholerun.txt" | tail -20
echo "load at end: $(ld)" >> "$out/grid.txt"
