// Choosing the matmul kernel family and its block sizes for an adapter.
//
// With `variant: "auto"` (the default) the backend times every candidate below on a small
// product when the device starts and keeps the fastest (WebGPUBackend.selectMatmulByMeasurement);
// the by-name choice here is only the starting point. Where WGSL runs on the CPU (Mesa's llvmpipe, SwiftShader), the register-blocked kernel reading
// its operands through textures wins by a wide margin (at 512 on llvmpipe, per CPU-second: ~8.6
// GFLOP against ~1.0 reading storage buffers and ~0.3 for the tiled kernel; see
// bench/webgpu-matmul.ts and operand-textures.ts for why). On real GPUs the workgroup-memory
// tiled kernel is the default. The `variant` option picks either family on any adapter.

import type { MatmulConfig } from "./wgsl/matmul.js";

export type MatmulVariant = "auto" | "blocked" | "tiled";

/** The product timed at device start: m = n = k = size, `products` of them per timed run. */
export function measurementProblem(cpuAdapter: boolean): { size: number; products: number; runs: number } {
  // Small on CPU adapters, where the slowest candidate (tiled) runs at ~0.3 GFLOP/s; on a GPU,
  // large enough that the work, not the submit, is what gets timed.
  return cpuAdapter ? { size: 128, products: 4, runs: 3 } : { size: 512, products: 8, runs: 3 };
}

/** The configurations worth timing on an adapter, the by-name default first. */
export function matmulCandidates(cpuAdapter: boolean, limits: GPUSupportedLimits): MatmulConfig[] {
  const blocked = chooseMatmulConfig("blocked", cpuAdapter, limits);
  const tall: MatmulConfig = { ...blocked, tm: 16 } as MatmulConfig;
  const tiled = chooseMatmulConfig("tiled", cpuAdapter, limits);
  return cpuAdapter ? [blocked, tall, tiled] : [tiled, blocked, tall];
}

/** True for adapters that run shaders on the CPU. */
export function isCpuAdapter(description: string, isFallback: boolean): boolean {
  return isFallback || /llvmpipe|lavapipe|swiftshader|softpipe|software/i.test(description);
}

export function chooseMatmulConfig(variant: MatmulVariant, cpuAdapter: boolean, limits: GPUSupportedLimits): MatmulConfig {
  const kind = variant === "auto" ? (cpuAdapter ? "blocked" : "tiled") : variant;
  if (kind === "blocked") {
    return { kind: "blocked", tm: 8, tn: 8, wgx: 8, wgy: 8, textures: cpuAdapter };
  }
  // 16×16 invocations (4×4 outputs each) with 16-deep tiles: 8 KiB of workgroup memory.
  const threads = limits.maxComputeInvocationsPerWorkgroup >= 256 && limits.maxComputeWorkgroupSizeX >= 16 ? 16 : 8;
  return { kind: "tiled", threads, bk: 16 };
}
