// Activation forward + backward on the CPU backend, 1M values: the WebAssembly SIMD kernels
// against the TypeScript loop over the op table (the same backend built with
// { wasmElementwise: false }), for every op that has a kernel. Backend calls only, on
// preallocated buffers, as autograd makes them: the forward writing f and f′, then backward's
// multiply dy·f′; or, for the ops that recompute f′ (derivativeFrom "input": relu and the other
// piecewise-linear ones), the forward writing f, then dy·f′(x). Each op also as a multiple of
// relu on the same path.
//
//   node --import tsx bench/cpu-activations.ts
//
// Prints a markdown table for bench/RESULTS.md.

import { Bench } from "tinybench";
import { CpuBackend } from "../src/kernels/cpu/backend.js";
import { createWasmElementwise } from "../src/kernels/cpu/wasm-elementwise.js";
import { unaryOp } from "../src/kernels/ops.js";
import { Generator } from "../src/index.js";
import { fixed, machine, medianMs } from "./cpu-report.js";

const SIZE = 1 << 20;
const kernels = createWasmElementwise();
if (!kernels) throw new Error("this host has no WebAssembly SIMD, so there is nothing to compare");
const OPS = [...kernels.activations];
const PATHS = { wasm: new CpuBackend(), typescript: new CpuBackend({ wasmElementwise: false }) };

const random = new Generator("bench/cpu-activations");
const values = Float32Array.from({ length: SIZE }, () => random.normal(0, 3));
const grads = Float32Array.from({ length: SIZE }, () => random.uniform(-1, 1));

const bench = new Bench({ name: "cpu activations", time: 600, warmupTime: 150, retainSamples: true });
for (const [path, backend] of Object.entries(PATHS)) {
  const x = backend.upload(values);
  const dy = backend.upload(grads);
  const y = backend.alloc(SIZE);
  const d = backend.alloc(SIZE);
  const dx = backend.alloc(SIZE);
  for (const op of OPS) {
    const params = (unaryOp(op).params ?? []).map((p) => p.default);
    const forwardAndBackward = unaryOp(op).derivativeFrom === "input"
      ? () => {
          backend.unary(op, params, x, y);
          backend.unaryGrad(op, params, x, dy, dx);
        }
      : () => {
          backend.unary(op, params, x, y, d);
          backend.binary("mul", dy, d, dx, [SIZE], [1], [1]);
        };
    bench.add(`${path} ${op}`, forwardAndBackward);
  }
}

await bench.run();

function median(name: string): number {
  const task = bench.getTask(name);
  if (!task) throw new Error(`no benchmark named "${name}"`);
  return medianMs(task);
}

console.log(`# CPU activation forward + backward, ${SIZE} values, ${machine()}, ${new Date().toISOString().slice(0, 10)}`);
console.log("| op | WASM median ms | WASM ÷ WASM relu | TS loop median ms | TS ÷ TS relu | TS ÷ WASM |");
console.log("|---|---:|---:|---:|---:|---:|");
const reluMs = { wasm: median("wasm relu"), typescript: median("typescript relu") };
for (const op of OPS) {
  const wasmMs = median(`wasm ${op}`);
  const tsMs = median(`typescript ${op}`);
  console.log(`| ${op} | ${fixed(wasmMs)} | ${fixed(wasmMs / reluMs.wasm)} | ${fixed(tsMs)} | ${fixed(tsMs / reluMs.typescript)} | ${fixed(tsMs / wasmMs)} |`);
}
