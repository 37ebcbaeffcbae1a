// The CPU matmul's two kernels (WebAssembly SIMD, and the TypeScript fallback) against a plain
// float64 triple loop, on odd sizes that exercise every edge of the 4×4 and 4×8 panels.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { matmulCpu, matmulJs } from "../src/kernels/cpu/matmul.js";

function reference(a: Float32Array, b: Float32Array, batch: number, m: number, n: number, k: number, tA: boolean, tB: boolean, aStride: number, bStride: number): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[bi * aStride + (tA ? p * m + i : i * k + p)]! * b[bi * bStride + (tB ? j * k + p : p * n + j)]!;
        out[bi * m * n + i * n + j] = s;
      }
  return out;
}

const dims = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 19 }),
  n: fc.integer({ min: 1, max: 21 }),
  k: fc.integer({ min: 1, max: 23 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  shareB: fc.boolean(),
  seed: fc.integer(),
});

for (const [name, kernel] of [["wasm-or-default", matmulCpu], ["typescript", matmulJs]] as const) {
  test(`${name} matmul equals a float64 triple loop (transposes, batches, shared operands)`, () => {
    fc.assert(
      fc.property(dims, ({ batch, m, n, k, transA, transB, shareB, seed }) => {
        let s = seed >>> 0;
        const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
        const a = Float32Array.from({ length: batch * m * k }, rnd);
        const b = Float32Array.from({ length: (shareB ? 1 : batch) * k * n }, rnd);
        const out = new Float32Array(batch * m * n);
        const bStride = shareB ? 0 : k * n;
        kernel(a, b, out, { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: bStride });
        const want = reference(a, b, batch, m, n, k, transA, transB, m * k, bStride);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(out[i]! - want[i]!) <= 1e-5 * k, `element ${i}: ${out[i]} vs ${want[i]}`);
      }),
      { numRuns: 150 },
    );
  });
}
