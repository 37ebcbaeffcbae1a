// CPU matmul throughput: GFLOP/s of the CPU backend's matmul kernel at n = 128, 256 and 512, for
// the plain product and the two transposed products backward needs (Aᵀ·B for weight gradients,
// A·Bᵀ for input gradients). The kernel is called directly on preallocated buffers, so the
// figures are the kernel's (packing included), without allocation or autograd.
//
//   node --import tsx bench/cpu-matmul.ts
//
// Prints a markdown table for bench/RESULTS.md.

import { Bench } from "tinybench";
import { getBackend, Generator } from "../src/index.js";
import { fixed, machine, rate } from "./cpu-report.js";

const SIZES = [128, 256, 512];
const VARIANTS = [
  { name: "A·B", transA: false, transB: false },
  { name: "Aᵀ·B", transA: true, transB: false },
  { name: "A·Bᵀ", transA: false, transB: true },
];

const backend = getBackend();
if (backend.name !== "cpu") throw new Error(`expected the CPU backend, got ${backend.name}`);
const random = new Generator("bench/cpu-matmul");
const randomBuffer = (size: number) => backend.upload(Float32Array.from({ length: size }, () => random.uniform(-1, 1)));

const bench = new Bench({ name: "cpu matmul", time: 1500, warmupTime: 300, retainSamples: true });
const flops = new Map<string, number>();
for (const n of SIZES) {
  const a = randomBuffer(n * n);
  const b = randomBuffer(n * n);
  const out = backend.alloc(n * n);
  for (const v of VARIANTS) {
    const name = `${v.name} ${n}`;
    flops.set(name, 2 * n * n * n);
    const args = { batch: 1, m: n, n, k: n, transA: v.transA, transB: v.transB, aBatchStride: 0, bBatchStride: 0 };
    bench.add(name, () => backend.matmul(a, b, out, args));
  }
}

await bench.run();

console.log(`# CPU matmul, ${machine()}, ${new Date().toISOString().slice(0, 10)}`);
console.log("| product | n | median GFLOP/s | middle half (p25–p75) | min–max | samples |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const task of bench.tasks) {
  const r = rate(task, flops.get(task.name)! / 1e9);
  const [product, n] = task.name.split(" ");
  console.log(`| ${product} | ${n} | ${fixed(r.median)} | ${fixed(r.p25)}–${fixed(r.p75)} | ${fixed(r.min)}–${fixed(r.max)} | ${r.samples} |`);
}
