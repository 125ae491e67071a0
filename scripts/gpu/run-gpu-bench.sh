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

has_system_lib() {
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q "$1 "; then return 0; fi
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do [ -e "$d/$1" ] && return 0; done
  return 1
}

# Dawn needs the Vulkan loader and a driver manifest (ICD) naming the NVIDIA driver's library.
setup_vulkan() {
  # NVIDIA's Vulkan ICD (libGLX_nvidia.so.0) needs glvnd; without it the loader says "Could not
  # get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr'". Seen on an H200 container: webgpu
  # worked only after these packages were unpacked into / (a bundled libGLdispatch.so.0 on
  # LD_LIBRARY_PATH was not enough).
  if ! has_system_lib libGLdispatch.so.0 && ls "$HERE"/gl-debs/*.deb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && [ "${INSTALL_GL:-1}" = 1 ]; then
      for deb in "$HERE"/gl-debs/*.deb; do dpkg-deb -x "$deb" / || note "could not unpack $deb"; done
      ldconfig 2>/dev/null || true
      note "glvnd: unpacked the bundled $(ls "$HERE"/gl-debs | tr '\n' ' ')into / (INSTALL_GL=0 to skip)"
    else
      note "glvnd: libGLdispatch.so.0 missing; as root, unpack $HERE/gl-debs/*.deb into / (dpkg-deb -x) and run ldconfig"
    fi
  fi
  if has_system_lib libvulkan.so.1; then
    note "vulkan loader: the system's libvulkan.so.1"
  elif [ -e "$HERE/vulkan/libvulkan.so.1" ]; then
    export LD_LIBRARY_PATH="$HERE/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    note "vulkan loader: bundled $HERE/vulkan/libvulkan.so.1"
  else
    note "vulkan loader: none (install libvulkan1); webgpu will be unavailable"
  fi
  if [ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
    note "vulkan ICD: as set by the caller (${VK_DRIVER_FILES:-$VK_ICD_FILENAMES})"
    return
  fi
  local icd=""
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
    /usr/local/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
    if [ -f "$f" ]; then icd="$f"; break; fi
  done
  if [ -z "$icd" ] && has_system_lib libGLX_nvidia.so.0; then
    # Containers often get the driver's libraries without its Vulkan manifest; the manifest only
    # names the library that implements the ICD (libGLX_nvidia.so.0 in NVIDIA's own packaging).
    icd="$RESULTS/nvidia_icd.json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' >"$icd"
    note "vulkan ICD: no nvidia_icd.json found; wrote $icd for libGLX_nvidia.so.0"
  fi
  if [ -n "$icd" ]; then
    # Only the NVIDIA ICD, so a software driver (lavapipe) cannot be picked instead.
    export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"
    note "vulkan ICD: $icd"
  else
    note "vulkan ICD: no NVIDIA ICD found (nvidia_icd.json or libGLX_nvidia.so.0); the loader uses whatever is installed"
  fi
}

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
