#!/usr/bin/env bash
# Prepares, on THIS machine, what bench/gpu-device-check.sh needs on the device machine (one
# NVIDIA H200, Dawn's Vulkan backend), which has neither Node nor a Vulkan loader and cannot
# download anything. Everything goes under .gl/ (already in .gitignore), which the device call
# carries. Needs network access to Debian's mirror (for the loaders) and an installed
# node_modules (npm ci). Takes a minute; the result is ~40 MiB, within the 64 MiB a call carries.
#
#   bash bench/gpu-device-prepare.sh
# then, with the device tool:
#   run(command="bash bench/gpu-device-check.sh", carry=[".gl"], timeout_s=420)

set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gl

# 1. The Vulkan and EGL loaders (the device README's recipe), unpacked there with dpkg -x.
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

# 2. Node itself: the device image has Python, CUDA and PyTorch but no Node.
node_bin="$(command -v node)"
tar -C "$(dirname "$node_bin")" -cJf .gl/node.tar.xz "$(basename "$node_bin")"

# 3. The node_modules the GPU tests and benchmarks load at run time, linux-x64 builds only
#    (Dawn's webgpu package ships every platform's binary: 130 MiB in all).
tar -cJf .gl/node_modules.tar.xz \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' \
  node_modules/webgpu node_modules/tsx node_modules/esbuild node_modules/@esbuild/linux-x64 \
  node_modules/fast-check node_modules/pure-rand

du -sh .gl .gl/*
