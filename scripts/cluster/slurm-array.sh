#!/usr/bin/env bash
# Runs one batchlab sweep as a Slurm job array: each array task trains its 1/n of the grid.
#   sbatch --array=0-3 scripts/cluster/slurm-array.sh experiments/quick.yaml [extra batchlab sweep flags]
# batchlab reads SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN) itself.
# Each task writes results/<spec file name without .yaml>-shard-<i>, where i is the 0-based shard index
# (task id minus the array's first id: --array=1-4 also writes shard-0 .. shard-3).
# Merge them when all tasks are done:
#   npx batchlab merge results/quick-shard-* --out results/quick
# BATCHLAB (default `npx batchlab`) is the command that runs batchlab, e.g. "node /path/to/bin/batchlab.mjs".
#SBATCH --job-name=batchlab
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
#SBATCH --output=batchlab-%A_%a.log
set -euo pipefail
spec=${1:?usage: sbatch --array=0-N scripts/cluster/slurm-array.sh <spec.yaml> [extra batchlab flags]}
shift
if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  echo "slurm-array.sh: not a job array task (SLURM_ARRAY_TASK_ID is not set): submit it with sbatch --array=0-N scripts/cluster/slurm-array.sh $spec" >&2
  exit 2
fi
name=$(basename "$spec" .yaml)
shard=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
cd "${SLURM_SUBMIT_DIR:-.}"
read -r -a batchlab <<<"${BATCHLAB:-npx batchlab}"
exec "${batchlab[@]}" sweep "$spec" --out "results/${name}-shard-${shard}" "$@"
