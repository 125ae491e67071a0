#!/usr/bin/env bash
# Runs one batchlab sweep as a Slurm job array: each array task trains its 1/n of the grid.
#   sbatch --array=0-3 scripts/slurm-array.sh experiments/quick.yaml
# batchlab reads SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN) itself.
# Each task writes its own directory; merge them when all tasks are done:
#   npx batchlab merge results/quick-shard-* --out results/quick
#SBATCH --job-name=batchlab
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
#SBATCH --output=batchlab-%A_%a.log
set -euo pipefail
spec=${1:?usage: sbatch --array=0-N scripts/slurm-array.sh <spec.yaml> [extra batchlab flags]}
shift
name=$(basename "$spec" .yaml)
cd "${SLURM_SUBMIT_DIR:-.}"
exec npx batchlab sweep "$spec" --out "results/${name}-shard-${SLURM_ARRAY_TASK_ID}" "$@"
