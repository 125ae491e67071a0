#!/usr/bin/env bash
# The prepared device check: everything batchlab wants to know from a GPU machine, in one run of
# under 6 minutes, written to $OUT. Runs from the bundle (scripts/gpu/prepare-bundle.sh) on a machine
# with no Node.js and no network, or from a checkout. Phases, in order of value; each is cut to what
# is left of BUDGET_S, and a phase with under 15 s left is skipped (said in device-check.txt):
#   1. environment, `batchlab doctor` and the step benchmark, batchlab webgpu against PyTorch at
#      batch 8, 32, 256, 1024 (run-gpu-bench.sh: log.txt, doctor.txt, batchlab.jsonl, torch.jsonl,
#      summary.txt)
#   2. sweep throughput: `batchlab sweep --workers N`, N = 1, 2, 4, 8, beside the PyTorch loop
#      that trains the same grid one configuration at a time (sweep-throughput.sh:
#      sweep-throughput.jsonl)
#   3. the per-kernel profile and dispatch count of one training step, CNN and MLP
#      (webgpu-step-profile: profile.md, profile.json), when the bundle has it
#   4. Dawn toggles and tfjs's submit batch, each on and off (webgpu-settings-bench.sh:
#      webgpu-settings.jsonl)
# device-check.txt lists each phase with its exit code and seconds.
#
# Usage: OUT=/tmp/out [TORCH_DEVICE=cpu] device-check.sh [--quick]
#   --quick   small sizes and longer phase limits, to try the script on a machine without a GPU
#             (lavapipe); give it BUDGET_S=1500 or so there
# Environment: OUT (default ./device-check), BUDGET_S (default 340), TORCH_DEVICE (default cuda),
# PYTHON (default python3), INSTALL_GL (default 1: unpack the bundled glvnd as root when missing).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RESULTS="${OUT:-$PWD/device-check}"
BUDGET_S="${BUDGET_S:-340}"
QUICK=0
[ "${1:-}" = --quick ] && QUICK=1
export TORCH_DEVICE="${TORCH_DEVICE:-cuda}" PYTHON="${PYTHON:-python3}"
mkdir -p "$RESULTS"
DEADLINE=$(( $(date +%s) + BUDGET_S ))
note() { echo "$*" | tee -a "$RESULTS/device-check.txt"; }
: >"$RESULTS/device-check.txt"
note "device check: $(date -u +%Y-%m-%dT%H:%M:%SZ), budget ${BUDGET_S} s, quick=$QUICK, torch on $TORCH_DEVICE"

if [ -x "$HERE/node" ] && [ -f "$HERE/bin/batchlab.mjs" ]; then
  NODE="$HERE/node"
  PROFILE="$HERE/app/webgpu-step-profile.mjs"
  PROFILE_CMD=("$NODE" "$PROFILE")
else
  NODE="$(command -v node)"
  PROFILE="$HERE/webgpu-step-profile.ts"
  PROFILE_CMD=("$NODE" "$HERE/../../bin/run-ts.mjs" "$PROFILE")
fi

# shellcheck source=vulkan-env.sh
. "$HERE/vulkan-env.sh"
setup_vulkan

# phase NAME LIMIT_S COMMAND...: runs COMMAND under the smaller of LIMIT_S and the time left.
phase() {
  local name="$1" limit="$2"; shift 2
  local left=$(( DEADLINE - $(date +%s) - 5 ))
  [ "$left" -lt "$limit" ] && limit=$left
  if [ "$limit" -lt 15 ]; then note "$name: skipped (${left} s left of the budget)"; return; fi
  local t0; t0=$(date +%s.%N)
  timeout "$limit" "$@"
  local rc=$?
  note "$name: exit $rc$([ $rc = 124 ] && echo " (cut at $limit s)") in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
}

# Phase limits in seconds (each also cut to the time left); --quick on a software adapter needs more.
LIMITS=(150 130 60 90)
if [ $QUICK = 1 ]; then
  LIMITS=(600 600 600 600)
  STEP=(BATCHES=8 SECONDS_PER_BATCH=1)
  SWEEP=(WORKERS="1 2" BATCHES=32 LRS=0.05 SEEDS=1,2 STEPS=4 TEST_SIZE=200 TORCH_THREADS=1 LIMIT_S=300)
  PROFILE_ARGS=(--batch 32 --steps 1 --timed-steps 1 --rounds 1)
  SETTINGS=(BATCHES=8 SECONDS_PER_BATCH=0.5 PASSES=1 VARIANTS="default skip_validation,disable_robustness,disable_workgroup_init")
else
  STEP=(BATCHES=1024,256,32,8 SECONDS_PER_BATCH=3)
  SWEEP=(WORKERS="1 2 4 8" LIMIT_S=90)
  PROFILE_ARGS=(--batch 256)
  SETTINGS=(BATCHES=32,1024 SECONDS_PER_BATCH=1.5 PASSES=1)
fi

phase "1 doctor and step benchmark" "${LIMITS[0]}" env OUT="$RESULTS" "${STEP[@]}" "$HERE/run-gpu-bench.sh"
phase "2 sweep throughput" "${LIMITS[1]}" env OUT="$RESULTS" "${SWEEP[@]}" "$HERE/sweep-throughput.sh"
if [ -f "$PROFILE" ]; then
  phase "3 per-kernel profile" "${LIMITS[2]}" bash -c '"$@" >"'"$RESULTS"'/profile.md" 2>"'"$RESULTS"'/profile.stderr"' _ \
    "${PROFILE_CMD[@]}" --backends webgpu --models cnn,mlp "${PROFILE_ARGS[@]}" --json "$RESULTS/profile.json"
else
  note "3 per-kernel profile: skipped ($PROFILE is not in this build)"
fi
phase "4 webgpu settings" "${LIMITS[3]}" env OUT="$RESULTS" "${SETTINGS[@]}" "$HERE/webgpu-settings-bench.sh"
note "done: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
