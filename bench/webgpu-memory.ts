// GPU memory and pipelines over a long run: 10,000 training steps of an MLP on the WebGPU backend
// (64-64-10 by default: the size does not change what leaks, only how long the run takes), with
// the live tensors and bytes (memory()), the buffers the pool ever created, the bytes it holds
// idle, and the pipelines compiled, printed every 1,000 steps. Between steps 5,000 and 10,000 the
// hidden width changes every 1,000 steps (as a tuner's trials do); after each width's first two
// steps (the second allocates what only a second step needs), no pipeline may be compiled and no
// buffer created.
//
//   node --import tsx bench/webgpu-memory.ts [--steps 10000] [--every 1000]
//
// Exits with status 1 if the live bytes grow, or if a step after a width's first two compiles a
// pipeline or creates a buffer.

import { createWebGPUBackend } from "../src/kernels/webgpu/device.js";
import { losses, nn, optim } from "../src/nn/index.js";
import { memory, randn, registerBackend, setBackend, tensor, tidy } from "../src/tensor/index.js";

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const steps = Number(option("--steps") ?? 10_000);
const every = Number(option("--every") ?? 1_000);
if (!Number.isInteger(steps) || !Number.isInteger(every) || steps < every || every < 1 || steps % 2 !== 0) {
  // Even: the hidden width starts changing at steps / 2.
  throw new Error(`--steps and --every take integers with steps >= every >= 1 and steps even, got ${steps} and ${every}`);
}

const { backend: gpu, adapterInfo } = await createWebGPUBackend();
registerBackend(gpu);
setBackend("webgpu");
console.log(`adapter: ${adapterInfo}`);

const BATCH = 128;
const x = randn([BATCH, 64], { seed: 1 });
const labels = tensor(Array.from({ length: BATCH }, (_, i) => i % 10));
const loss = losses.create("crossEntropy", {});
/** Widths used in turn in the second half, as a tuner would vary them. */
const WIDTHS = [64, 96, 32, 128, 48];

function makeModel(hidden: number) {
  const model = nn.fromSpec({ input: 64, layers: [{ type: "linear", units: hidden }, { type: "activation", name: "mish" }, { type: "linear", units: 10 }] }, { seed: hidden });
  return { model, opt: new optim.Adam({ params: model, lr: 1e-3 }) };
}

let current = makeModel(64);
let width = 64;
const rows: string[] = [];
const failures: string[] = [];
let baselineBytes: number | undefined;
let afterFirstStep = gpu.stats();

const started = performance.now();
for (let step = 1; step <= steps; step++) {
  const secondHalf = step > steps / 2;
  const wanted = secondHalf ? WIDTHS[Math.floor((step - 1 - steps / 2) / every) % WIDTHS.length]! : 64;
  if (wanted !== width) {
    current.opt.dispose();
    current.model.dispose();
    current = makeModel(wanted);
    width = wanted;
  }
  const { model, opt } = current;
  tidy(() => {
    opt.zeroGrad();
    loss(model.forward(x), labels).backward();
    opt.step();
  });
  if (step % 100 === 0) await gpu.sync();
  const stats = gpu.stats();
  const stepOfWidth = secondHalf ? ((step - 1 - steps / 2) % every) + 1 : step;
  if (stepOfWidth <= 2) {
    // A width's first steps may compile (only the first width should) and allocate.
    afterFirstStep = stats;
  } else if (stats.pipelinesCompiled !== afterFirstStep.pipelinesCompiled || stats.buffersCreated !== afterFirstStep.buffersCreated) {
    failures.push(`step ${step} (width ${width}): pipelines ${afterFirstStep.pipelinesCompiled} -> ${stats.pipelinesCompiled}, buffers created ${afterFirstStep.buffersCreated} -> ${stats.buffersCreated}`);
    afterFirstStep = stats;
  }
  if (step % every === 0) {
    await gpu.sync();
    const info = memory();
    const live = { tensors: info.tensors, bytes: info.bytes["webgpu"] ?? 0 };
    if (step === every) baselineBytes = live.bytes;
    rows.push(
      `| ${step} | ${width} | ${live.tensors} | ${live.bytes} | ${stats.buffersCreated} | ${stats.pooledBytes} | ${stats.pipelinesCompiled} | ${((performance.now() - started) / 1000).toFixed(1)} |`,
    );
    if (width === 64 && baselineBytes !== undefined && live.bytes > baselineBytes) failures.push(`step ${step}: live bytes ${live.bytes} > ${baselineBytes} at step ${every}`);
  }
}
console.log(`\n| step | hidden width | live tensors | live bytes | buffers created (total) | pooled idle bytes | pipelines compiled (total) | seconds |`);
console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const r of rows) console.log(r);
if (failures.length > 0) {
  console.log(`\nNOT FLAT:\n  ${failures.slice(0, 20).join("\n  ")}`);
  process.exitCode = 1;
} else {
  console.log(`\nflat: no pipeline compiled and no buffer created after each width's first two steps; live bytes at width 64 never above step ${every}'s`);
}
