#!/usr/bin/env bash
# npm start's two commands timed apart (sweep of experiments/quick.yaml, then its report), the
# process start alone (--help), and the PyTorch peer of the same grid on one thread, in a row.
#   scripts/probes/npm-start-phases.sh <checkout> <empty output folder>
set -euo pipefail
cd "$1"
out="$2"
ts() { date +%s.%N; }
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(ts); node bin/batchlab.mjs --help >/dev/null; t1=$(ts)
# The sweep's CPU seconds, its worker processes included (GNU time counts waited-for children).
/usr/bin/time -f '%U s user, %S s system' -o "$out/sweep-cpu.txt" node bin/batchlab.mjs sweep experiments/quick.yaml --out "$out/quick" >/dev/null 2>&1; t2=$(ts)
node bin/batchlab.mjs report "$out/quick" --findings >/dev/null 2>&1; t3=$(ts)
torch=$(/usr/bin/python3 scripts/torch/quick_grid_torch.py 1); t4=$(ts)
echo "process start (--help): $(echo "$t1 - $t0" | bc) s"
echo "sweep (npm start part 1): $(echo "$t2 - $t1" | bc) s"
echo "sweep CPU: $(cat "$out/sweep-cpu.txt")"
echo "report --findings (part 2): $(echo "$t3 - $t2" | bc) s"
echo "npm start total (sweep + report): $(echo "$t3 - $t1" | bc) s"
echo "PyTorch quick grid, 1 thread, sequential: $(echo "$t4 - $t3" | bc) s wall of its process; its output: $torch"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
