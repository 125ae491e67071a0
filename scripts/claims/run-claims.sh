#!/usr/bin/env bash
# Runs every claim experiment at its CPU size into results/claims/<name>/, then verifies it and
# writes its report; records each sweep's wall time in results/claims/timings.csv.
#   scripts/claims/run-claims.sh [--allow-dirty] [c1 c4 c2-plain ...]   (default: all of experiments/claims/)
# Each name is a spec's file name without .yaml, or the start of exactly one (c1 is c1-gradient-noise;
# c2 alone is refused, since c2-batchnorm-small-batch and c2-plain-batchnorm-batch-size both start so).
# Committed results must come from one commit of a clean tree (each run records git_commit and
# git_dirty, and `verify` flags a dirty one): a tree with uncommitted changes outside results/ is
# refused unless --allow-dirty is given.
set -uo pipefail
cd "$(dirname "$0")/../.."
allow_dirty=0
if [ "${1:-}" = "--allow-dirty" ]; then allow_dirty=1; shift; fi
if [ "$allow_dirty" = 0 ] && [ -n "$(git status --porcelain --untracked-files=all -- . ':(exclude)results' 2>/dev/null)" ]; then
  echo "run-claims: the tree has uncommitted changes outside results/ (git status); commit them first, or pass --allow-dirty" >&2
  git status --short --untracked-files=all -- . ':(exclude)results' >&2
  exit 2
fi
out=results/claims
mkdir -p "$out"
[ -f "$out/timings.csv" ] || echo "claim,runs,sweep_s,exit" > "$out/timings.csv"
specs=()
if [ $# -gt 0 ]; then
  for c in "$@"; do
    if [ -f "experiments/claims/$c.yaml" ]; then specs+=("experiments/claims/$c.yaml"); continue; fi
    shopt -s nullglob
    found=(experiments/claims/"$c"-*.yaml)
    shopt -u nullglob
    if [ ${#found[@]} -ne 1 ]; then
      echo "run-claims: $c: expected the name of one spec in experiments/claims/ (or the start of one), got ${#found[@]} matches${found:+: ${found[*]}}" >&2
      exit 2
    fi
    specs+=("${found[0]}")
  done
else specs=(experiments/claims/*.yaml); fi
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .yaml)
  start=$(date +%s.%N)
  node bin/batchlab.mjs sweep "$spec" --out "$out/$name"
  code=$?
  end=$(date +%s.%N)
  runs=$(($(wc -l < "$out/$name/summary.csv") - 1))
  echo "$name,$runs,$(echo "$end - $start" | bc),$code" >> "$out/timings.csv"
  node bin/batchlab.mjs verify "$out/$name"
  node bin/batchlab.mjs report "$out/$name"
done
