// One training step of an MLP 784-256-128-10 (batch 128, Adam, softmax cross-entropy) on the
// WebGPU backend, side by side with tfjs-wasm in the same process: samples/s of wall time and
// per CPU-second of this process (the figure other load on shared cores distorts least), and
// what one step records: dispatches, submits, copies, buffers and pipelines.
//
// With --profile, where the step's time goes, by backend call: the step is run again with each
// kind of call (matmul, unary, adamStep, ...) recorded `REPEAT` extra times, and the extra
// time divided by REPEAT is that kind's share of a step. Every kernel writes into buffers the
// step owns, so repeating one changes nothing but the time (adamStep and scatterAdd change
// values, which the timing does not care about).
//
// With --activations, also one activation's forward + backward on 1M values per activation
// (the fused kernels: the activation choice should not change what a step costs).
//
//   node --import tsx bench/webgpu-mlp.ts [--acts relu,tanh,mish] [--steps 20] [--profile] [--no-tfjs] [--activations]

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Backend } from "../src/kernels/backend.js";
import { createWebGPUBackend } from "../src/kernels/webgpu/device.js";
import { randn, registerBackend, setBackend, tidy } from "../src/tensor/index.js";
import { MLP_BATCH, tfjsMlpStep, tunegradMlpStep } from "./mlp-workload.js";

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const acts = (option("--acts") ?? "relu,tanh,mish").split(",");
const steps = Number(option("--steps") ?? 20);
const profile = argv.includes("--profile");
const withTfjs = !argv.includes("--no-tfjs");
const activationsToo = argv.includes("--activations");
const REPEAT = 4;

const { backend: gpu, adapterInfo } = await createWebGPUBackend();
registerBackend(gpu);
setBackend("webgpu");
console.log(`adapter: ${adapterInfo}; matmul: ${JSON.stringify(gpu.matmulConfig)}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Timing {
  /** Median ms per step of wall time, and of this process's CPU time. */
  wall: number;
  cpu: number;
}

/** Times `steps` calls of `step`, each awaited, in 5 groups: the medians per step. */
async function time(step: () => Promise<void> | void, n: number): Promise<Timing> {
  const walls: number[] = [];
  const cpus: number[] = [];
  const per = Math.max(1, Math.round(n / 5));
  for (let g = 0; g < 5; g++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < per; i++) await step();
    walls.push((performance.now() - t0) / per);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000 / per);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const KINDS = ["matmul", "unary", "binary", "binaryGrad", "reduce", "strided", "fill", "gather", "scatterAdd", "where", "adamStep"] as const;

/** Records every call of `kind` on the backend `extra` more times while `fn` runs. */
async function repeating<T>(kind: (typeof KINDS)[number], extra: number, fn: () => Promise<T>): Promise<T> {
  const target = gpu as unknown as Record<string, (...args: unknown[]) => void>;
  const original = target[kind]!;
  target[kind] = function (this: Backend, ...args: unknown[]) {
    for (let r = 0; r < extra; r++) original.apply(this, args);
    return original.apply(this, args);
  };
  try {
    return await fn();
  } finally {
    delete target[kind];
  }
}

/** Backend calls of each kind during one step. */
async function callCounts(step: () => Promise<void>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const target = gpu as unknown as Record<string, (...args: unknown[]) => void>;
  for (const kind of KINDS) {
    const original = target[kind]!;
    target[kind] = function (this: Backend, ...args: unknown[]) {
      counts[kind] = (counts[kind] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
  await step();
  for (const kind of KINDS) delete target[kind];
  return counts;
}

if (withTfjs) {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
  await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  await tf.setBackend("wasm");
  await tf.ready();
}

const fmt = (t: Timing) => `${((MLP_BATCH * 1000) / t.wall).toFixed(0)} samples/s [${((MLP_BATCH * 1000) / t.cpu).toFixed(0)}/cpu-s] (${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms cpu)`;

for (const act of acts) {
  const ours = tunegradMlpStep(act);
  for (let i = 0; i < 3; i++) await ours.step();
  const before = gpu.stats();
  await ours.step();
  const after = gpu.stats();
  const perStep = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
  const mine = await time(ours.step, steps);
  let theirs: Timing | null = null;
  if (withTfjs) {
    const t = tfjsMlpStep(act);
    for (let i = 0; i < 3; i++) t.step();
    theirs = await time(t.step, steps);
    t.dispose();
  }
  // Once more, so that both sides see similar load.
  const mine2 = await time(ours.step, steps);
  const best = mine2.wall < mine.wall ? mine2 : mine;
  console.log(`\n${act}: tunegrad-webgpu ${fmt(best)}`);
  if (theirs) {
    console.log(`${act}: tfjs-wasm       ${fmt(theirs)}`);
    console.log(`${act}: ratio webgpu/tfjs-wasm: wall ${(theirs.wall / best.wall).toFixed(2)}x, per CPU-second ${(theirs.cpu / best.cpu).toFixed(2)}x`);
  }
  console.log(`${act}: per step ${JSON.stringify(perStep)}`);
  if (profile) {
    console.log(`${act}: backend calls per step ${JSON.stringify(await callCounts(ours.step))}`);
    const base = await time(ours.step, steps);
    const shares: string[] = [];
    for (const kind of KINDS) {
      const t = await repeating(kind, REPEAT, () => time(ours.step, steps));
      const wall = (t.wall - base.wall) / REPEAT;
      const cpu = (t.cpu - base.cpu) / REPEAT;
      if (Math.abs(cpu) > 0.05 || Math.abs(wall) > 0.05) shares.push(`${kind} ${wall.toFixed(1)} ms wall / ${cpu.toFixed(1)} ms cpu`);
    }
    console.log(`${act}: step ${base.wall.toFixed(1)} ms wall / ${base.cpu.toFixed(1)} ms cpu; by kind: ${shares.join("; ")}`);
  }
  ours.dispose();
}

if (activationsToo) {
  const N = 1 << 20;
  const x = randn([N], { seed: 3, requiresGrad: true });
  const rows: string[] = [];
  let reluMs = 0;
  for (const act of acts) {
    const step = async () => {
      tidy(() => x.unary(act).sum().backward());
      x.zeroGrad();
      await gpu.sync();
    };
    for (let i = 0; i < 3; i++) await step();
    const t = await time(step, steps);
    if (act === "relu") reluMs = t.cpu;
    rows.push(`${act} ${t.wall.toFixed(1)} ms wall / ${t.cpu.toFixed(1)} ms cpu${reluMs > 0 ? ` (${(t.cpu / reluMs).toFixed(2)}x relu's cpu)` : ""}`);
  }
  console.log(`\nactivation forward+backward on 1M values: ${rows.join("; ")}`);
  x.dispose();
}
gpu.destroy();
