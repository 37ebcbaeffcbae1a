// WGSL matmul GFLOP/s at 128, 256, 512 and 1024 for each kernel variant, plus the transposed
// products backward needs (Aᵀ·B, A·Bᵀ). Each figure is the median of several timed runs after a
// warm-up; a run enqueues a few products and waits for them (one submit), so the time includes
// the GPU work and one readback-free sync.
//
// The backend's default kernel is chosen by timing the candidates at device start (printed
// first); `--variant tiled|blocked` fixes it instead, and `--only-default` skips the table of
// every variant (the transposed products are always measured with the default).
//
//   node --import tsx bench/webgpu-matmul.ts [--sizes 128,256,512,1024] [--quick] [--variant auto|tiled|blocked] [--only-default]

import type { MatmulArgs } from "../src/kernels/backend.js";
import { createWebGPUBackend } from "../src/kernels/webgpu/device.js";
import type { MatmulVariant } from "../src/kernels/webgpu/matmul-variants.js";
import type { MatmulConfig } from "../src/kernels/webgpu/wgsl/matmul.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.indexOf(name);
const sizes = flag("--sizes") >= 0 ? argv[flag("--sizes") + 1]!.split(",").map(Number) : [128, 256, 512, 1024];
const quick = flag("--quick") >= 0;
const variant = (flag("--variant") >= 0 ? argv[flag("--variant") + 1] : "auto") as MatmulVariant;
if (!["auto", "tiled", "blocked"].includes(variant)) throw new Error(`--variant must be auto, tiled or blocked, got ${variant}`);
const onlyDefault = flag("--only-default") >= 0;

const t0 = performance.now();
const { backend, adapterInfo } = await createWebGPUBackend({ matmul: variant });
const startMs = performance.now() - t0;

const variants: { name: string; config: MatmulConfig }[] = [
  { name: "blocked 8x8 textures, wg 8x8", config: { kind: "blocked", tm: 8, tn: 8, wgx: 8, wgy: 8, textures: true } },
  { name: "blocked 16x8 textures, wg 8x8", config: { kind: "blocked", tm: 16, tn: 8, wgx: 8, wgy: 8, textures: true } },
  { name: "blocked 8x8 textures, wg 4x4", config: { kind: "blocked", tm: 8, tn: 8, wgx: 4, wgy: 4, textures: true } },
  { name: "blocked 8x8 buffers, wg 8x8", config: { kind: "blocked", tm: 8, tn: 8, wgx: 8, wgy: 8, textures: false } },
  { name: "tiled 16x16 (4x4 each), bk 16", config: { kind: "tiled", threads: 16, bk: 16 } },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Measured {
  /** GFLOP/s of wall time, median over runs. */
  gflops: number;
  spread: number;
  /** GFLOP per second of this process's CPU time (all threads): on CPU adapters a figure that
   *  other processes sharing the cores do not distort; multiply by the cores to compare. */
  perCpuSecond: number;
}

async function measure(config: MatmulConfig, size: number, transA: boolean, transB: boolean): Promise<Measured> {
  const n = size;
  const data = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = backend.upload(data);
  const b = backend.upload(data);
  const out = backend.alloc(n * n);
  const args: MatmulArgs = { batch: 1, m: n, n, k: n, transA, transB, aBatchStride: 0, bBatchStride: 0 };
  // Enough products per run that a run takes ~50 ms or more.
  const perRun = Math.max(1, Math.min(64, Math.round(2 ** 27 / (n * n * n))));
  const runs = quick ? 3 : 7;
  backend.matmulWith(config, a, b, out, args);
  await backend.sync();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < perRun; i++) backend.matmulWith(config, a, b, out, args);
    await backend.sync();
    times.push((performance.now() - t0) / perRun);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000 / perRun);
  }
  for (const s of [a, b, out]) backend.free(s);
  const flop = 2 * n * n * n;
  const gflops = times.map((t) => flop / (t * 1e6));
  return { gflops: median(gflops), spread: Math.max(...gflops) - Math.min(...gflops), perCpuSecond: flop / (median(cpuTimes) * 1e6) };
}

function format(m: Measured, size: number): string {
  return `${size}: ${m.gflops.toFixed(2)} ±${(m.spread / 2).toFixed(2)} [${m.perCpuSecond.toFixed(2)}/cpu-s]`;
}

console.log(`adapter: ${adapterInfo}; default matmul: ${JSON.stringify(backend.matmulConfig)} (--variant ${variant}; device start ${startMs.toFixed(0)} ms)`);
for (const { config, ms } of backend.matmulTimings) console.log(`  measured at device start: ${JSON.stringify(config)} ${ms.toFixed(2)} ms per product`);
console.log("GFLOP/s of wall time, median ±half the spread [GFLOP per CPU-second of this process]");
for (const { name, config } of onlyDefault ? [{ name: "default", config: backend.matmulConfig }] : variants) {
  // Storage-buffer kernels are slow through CPU adapters; measure them at the small sizes only there.
  const row: string[] = [];
  const slowHere = backend.matmulConfig.kind === "blocked" && backend.matmulConfig.textures && !(config.kind === "blocked" && config.textures);
  for (const size of sizes) {
    if (slowHere && size > 512) {
      row.push(`${size}: skipped`);
      continue;
    }
    row.push(format(await measure(config, size, false, false), size));
  }
  console.log(`${name.padEnd(32)} ${row.join("  ")}`);
}
console.log("transposed products, default variant:");
for (const [transA, transB] of [[true, false], [false, true]] as const) {
  const row: string[] = [];
  for (const size of sizes) {
    row.push(format(await measure(backend.matmulConfig, size, transA, transB), size));
  }
  console.log(`${transA ? "Aᵀ·B" : "A·Bᵀ"}${" ".repeat(28)} ${row.join("  ")}`);
}
backend.destroy();
