// One training step of an MLP 64-128-64-10 on the CPU backend: batch 128, forward through two
// fused linear+activation layers and a linear output, cross-entropy (logSoftmax + gather),
// backward, and an Adam update of every parameter in place through the backend's adamStep (the
// kernel the nn optimizers use). Reported in steps/s and samples/s, for relu and for mish.
//
//   node --import tsx bench/cpu-mlp.ts
//
// Prints a markdown table for bench/RESULTS.md.

import { Bench } from "tinybench";
import { getBackend, linear, memory, randn, type Tensor, tensor, tidy, zeros } from "../src/index.js";
import { fixed, machine, rate } from "./cpu-report.js";

const BATCH = 128;
const WIDTHS = [64, 128, 64, 10];
const ACTIVATIONS = ["relu", "mish"];

const backend = getBackend();
if (backend.name !== "cpu") throw new Error(`expected the CPU backend, got ${backend.name}`);

interface Param {
  value: Tensor;
  m: Tensor;
  v: Tensor;
}

function makeModel(seed: number): Param[] {
  const params: Param[] = [];
  for (let i = 0; i + 1 < WIDTHS.length; i++) {
    const [fanIn, fanOut] = [WIDTHS[i]!, WIDTHS[i + 1]!];
    for (const value of [randn([fanIn, fanOut], { seed: seed + i, std: Math.sqrt(2 / fanIn), requiresGrad: true }), zeros([fanOut], { requiresGrad: true })]) {
      params.push({ value, m: zeros(value.shape), v: zeros(value.shape) });
    }
  }
  return params;
}

const x = randn([BATCH, WIDTHS[0]!], { seed: 1 });
const labels = tensor(Array.from({ length: BATCH }, (_, i) => [i % WIDTHS[WIDTHS.length - 1]!]));

function trainStep(params: Param[], activation: string, step: number): void {
  const [w1, b1, w2, b2, w3, b3] = params.map((p) => p.value) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  tidy(() => {
    const h = linear(linear(x, w1, b1, activation), w2, b2, activation);
    linear(h, w3, b3).logSoftmax(1).gather(1, labels).neg().mean().backward();
  });
  const beta1 = 0.9;
  const beta2 = 0.999;
  for (const p of params) {
    backend.adamStep(p.value.storage, p.value.grad!.storage, p.m.storage, p.v.storage, {
      lr: 1e-3, beta1, beta2, eps: 1e-8, weightDecay: 0, decoupled: false,
      biasCorrection1: 1 - beta1 ** step, biasCorrection2: 1 - beta2 ** step,
    });
    p.value.zeroGrad();
  }
}

const bench = new Bench({ name: "cpu mlp", time: 3000, warmupTime: 500, retainSamples: true });
for (const activation of ACTIVATIONS) {
  const params = makeModel(10);
  let step = 0;
  bench.add(activation, () => trainStep(params, activation, ++step));
}
const before = memory().tensors;
await bench.run();
if (memory().tensors !== before) throw new Error(`live tensors went from ${before} to ${memory().tensors} over the benchmark: a step leaks`);

console.log(`# CPU MLP ${WIDTHS.join("-")} training step (batch ${BATCH}, Adam), ${machine()}, ${new Date().toISOString().slice(0, 10)}`);
console.log("| activation | median steps/s | middle half (p25–p75) | min–max | median samples/s | samples |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const task of bench.tasks) {
  const r = rate(task, 1);
  console.log(`| ${task.name} | ${fixed(r.median, 1)} | ${fixed(r.p25, 1)}–${fixed(r.p75, 1)} | ${fixed(r.min, 1)}–${fixed(r.max, 1)} | ${fixed(r.median * BATCH, 0)} | ${r.samples} |`);
}
