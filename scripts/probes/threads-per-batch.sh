#!/usr/bin/env bash
# The main job's grid one batch size at a time, two ways on the 2 cores: 2 runs at once of 1
# thread each (--workers 2 --threads 1, the default) and 1 run at a time on 2 threads (--workers 1
# --threads 2); the order of the two alternates between batch sizes. Prints wall and CPU seconds.
#   scripts/probes/threads-per-batch.sh [batch sizes, default "16 64 256 1024"]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
one() { # batch workers threads
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$out/cpu" node bin/batchlab.mjs sweep experiments/quick.yaml --set "sweep.batchSize=[$1]" \
    --workers "$2" --threads "$3" --out "$out/b$1w$2" >/dev/null 2>&1
  t1=$(date +%s.%N)
  rm -rf "$out/b$1w$2"
  printf 'batch %s, %s worker(s) x %s thread(s): %.1f s wall, %.1f CPU-s (load %s)\n' "$1" "$2" "$3" \
    "$(echo "$t1 - $t0" | bc)" "$(awk '{print $1 + $2}' "$out/cpu")" "$(cut -d' ' -f1 /proc/loadavg)"
}
i=0
for b in ${1:-16 64 256 1024}; do
  if (( i % 2 == 0 )); then one "$b" 2 1; one "$b" 1 2; else one "$b" 1 2; one "$b" 2 1; fi
  i=$((i + 1))
done
