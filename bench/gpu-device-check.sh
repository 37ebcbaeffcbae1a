#!/usr/bin/env bash
# The WebGPU checks on a real GPU (one NVIDIA H200 through Dawn's Vulkan backend), in one call
# of under 5 minutes. Prepare first, here: `bash bench/gpu-device-prepare.sh`; then run it with
#   run(command="bash bench/gpu-device-check.sh", carry=[".gl"], timeout_s=420)
# Results land in $OUT: env.txt (GPU, driver, adapter), tests.txt (the webgpu test files, with
# CI=1 so that a missing adapter fails rather than skips), matmul-tiled.txt (the workgroup-tiled
# kernel fixed), matmul-auto.txt (the kernel chosen by timing at device start), mlp.txt (the
# MLP 784-256-128-10 training step), memory.txt (10,000 steps: live bytes, buffers and pipelines)
# and summary.txt (each step's exit status).
# Record the figures in bench/RESULTS.md with the GPU's name.

set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/gpu-device-check}"
mkdir -p "$OUT"
summary="$OUT/summary.txt"
: >"$summary"
step() { # step NAME SECONDS OUTFILE CMD...: runs CMD with a time limit, logs its status
  local name=$1 limit=$2 file=$3
  shift 3
  local t0=$SECONDS
  timeout "$limit" "$@" >"$OUT/$file" 2>&1
  local rc=$?
  echo "$name: exit $rc in $((SECONDS - t0)) s (log: $file)" | tee -a "$summary"
}

# Loaders, Node and node_modules from .gl (see bench/gpu-device-prepare.sh).
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
tar -C /usr/local/bin -xJf .gl/node.tar.xz
tar -xJf .gl/node_modules.tar.xz
export PATH="/usr/local/bin:$PATH"
# Where the image puts the NVIDIA driver's ICD files (the device README's fallback).
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
if [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi

{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  echo "node $(node --version)"
  ldconfig -p | grep -i -E 'libvulkan|libEGL' || echo "no Vulkan/EGL loader found"
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
} >"$OUT/env.txt" 2>&1

# Which adapter Dawn gives (must be the NVIDIA one through Vulkan, not a CPU fallback).
cat >/tmp/probe.ts <<'TS'
import { probeWebGPU } from "./src/kernels/webgpu/device.js";
const p = await probeWebGPU();
if (!p.ok) { console.log(`NO ADAPTER: ${p.reason}`); process.exit(1); }
console.log(`adapter: ${p.adapterInfo}\ntried: ${p.tried.join("; ")}\nmatmul: ${JSON.stringify(p.backend.matmulConfig)}`);
for (const t of p.backend.matmulTimings) console.log(`  ${JSON.stringify(t.config)} ${t.ms.toFixed(3)} ms`);
console.log(JSON.stringify(p.backend.device.limits, null, 0));
p.backend.destroy();
TS
cp /tmp/probe.ts ./gpu-probe.ts
step probe 60 adapter.txt node --import tsx gpu-probe.ts
rm -f gpu-probe.ts

step tests 150 tests.txt env CI=1 node --import tsx --test --test-reporter=spec test/webgpu-device.test.ts test/webgpu-kernels.test.ts test/webgpu-training.test.ts
step matmul-tiled 90 matmul-tiled.txt node --import tsx bench/webgpu-matmul.ts --variant tiled --only-default --quick --sizes 512,1024,2048,4096
step matmul-auto 60 matmul-auto.txt node --import tsx bench/webgpu-matmul.ts --only-default --quick --sizes 1024,4096
step mlp 60 mlp.txt node --import tsx bench/webgpu-mlp.ts --no-tfjs --steps 20 --activations
step memory 60 memory.txt node --import tsx bench/webgpu-memory.ts --steps 10000
cat "$summary"
