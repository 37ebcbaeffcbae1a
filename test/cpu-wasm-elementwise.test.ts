// The WebAssembly SIMD activation kernels against a float64 evaluation of the op table's own
// formulas (ts.f, ts.df), on float32 arrays of every length up to 70 (so every tail of the
// 4-lane loop) with extreme values mixed in; and the CPU backend, which must hand its unary ops
// to these kernels.
//
// Tolerances: values |y − ref| ≤ 1e-6·|ref| + 1e-30; gradients |dx − dy·ref′| ≤ 1e-5·|dy·ref′| +
// 1e-7·|dy| + 1e-30. As in tensor-activations.test.ts, 1e-30 only admits results below float32's
// normal range (e^−100 is a subnormal with few significant bits), and 1e-7 is one float32 ulp of
// an O(1) derivative, for its zero crossings. A reference beyond float32's range must give the
// infinity it rounds to.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CpuBackend } from "../src/kernels/cpu/backend.js";
import { createWasmElementwise } from "../src/kernels/cpu/wasm-elementwise.js";
import { unaryOp } from "../src/kernels/ops.js";
import { opDomains } from "./helpers/reference-ops.js";

const wasm = createWasmElementwise();
const EXTREMES = [1e4, -1e4, 100, -100, 88, -88, 89, -89, 20, 20.5, -3, 3, 1e-8, -1e-8, 1e-40, -1e-40, 0, -0, NaN, Infinity, -Infinity];

const float32 = fc.oneof(
  fc.constantFrom(...EXTREMES.map(Math.fround)),
  fc.float({ min: -12, max: 12, noNaN: true }),
  fc.float(), // anything, subnormals and NaN included
);
const inputs = fc.array(float32, { minLength: 0, maxLength: 70 }).map((xs) => Float32Array.from(xs));
const gradients = (n: number) => fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: n, maxLength: n }).map((g) => Float32Array.from(g));

/** The default parameters, then the extra sets the gradient checks use. */
function paramSets(op: string): number[][] {
  const defaults = (unaryOp(op).params ?? []).map((p) => p.default);
  return [defaults, ...(opDomains[op]?.paramSets ?? []).map((p) => [...p])];
}

function assertClose(actual: number, expected: number, rtol: number, atol: number, label: string): void {
  const rounded = Math.fround(expected);
  const ok = Number.isNaN(expected)
    ? Number.isNaN(actual)
    : !Number.isFinite(rounded)
      ? actual === rounded
      : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;
  assert.ok(ok, `${label}: got ${actual}, expected ${expected}`);
}

it("WebAssembly SIMD is available (Node 20 has it), so the kernels below are the ones in use", () => {
  assert.ok(wasm, "createWasmElementwise() returned null");
});

describe("each WebAssembly kernel equals the op table's formula in float64", () => {
  for (const op of wasm?.ops ?? []) {
    const { f, df } = unaryOp(op).ts;
    for (const params of paramSets(op)) {
      const label = `${op}(${params.join(", ")})`;

      it(`${label}: forward within 1e-6 relative`, () => {
        fc.assert(
          fc.property(inputs, (x) => {
            const y = new Float32Array(x.length);
            wasm!.forward(op, params, x, y);
            x.forEach((xi, i) => assertClose(y[i]!, f(xi, params), 1e-6, 1e-30, `${label} at ${xi}`));
          }),
          { numRuns: 200 },
        );
      });

      it(`${label}: backward dy·f′ within 1e-5 relative`, () => {
        fc.assert(
          fc.property(inputs.chain((x) => fc.tuple(fc.constant(x), gradients(x.length))), ([x, dy]) => {
            const dx = new Float32Array(x.length);
            wasm!.backward(op, params, x, dy, dx);
            x.forEach((xi, i) => assertClose(dx[i]!, dy[i]! * df(xi, params), 1e-5, 1e-7 * Math.abs(dy[i]!) + 1e-30, `${label}′ at ${xi} (dy ${dy[i]})`));
          }),
          { numRuns: 200 },
        );
      });
    }
  }
});

describe("the CPU backend runs its activations on these kernels", () => {
  // Longer than one 16384-float chunk of the module's memory, and not a multiple of 4.
  const n = 40_003;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 12);
  const dy = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  const backend = new CpuBackend();
  const typescriptOnly = new CpuBackend({ wasmElementwise: false });

  for (const op of wasm?.ops ?? []) {
    const params = paramSets(op).at(-1)!;

    it(`${op}: unary, unaryGrad and the matmul epilogue give the kernels' results bit for bit`, () => {
      const expectedY = new Float32Array(n);
      const expectedDx = new Float32Array(n);
      wasm!.forward(op, params, x, expectedY);
      wasm!.backward(op, params, x, dy, expectedDx);

      const out = backend.alloc(n);
      backend.unary(op, params, backend.upload(x), out);
      assert.deepEqual(backend.readSync(out), expectedY);
      const dx = backend.alloc(n);
      backend.unaryGrad(op, params, backend.upload(x), backend.upload(dy), dx);
      assert.deepEqual(backend.readSync(dx), expectedDx);

      // x as a 1×n matrix times the 1×1 identity, with the activation fused.
      const fused = backend.alloc(n);
      const args = { batch: 1, m: 1, n, k: 1, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
      backend.matmul(backend.upload(Float32Array.of(1)), backend.upload(x), fused, args, { activation: { op, params } });
      assert.deepEqual(backend.readSync(fused), expectedY);
    });

    it(`${op}: { wasmElementwise: false } runs the op table's TypeScript formula instead`, () => {
      const { f, df } = unaryOp(op).ts;
      const out = typescriptOnly.alloc(n);
      typescriptOnly.unary(op, params, typescriptOnly.upload(x), out);
      assert.deepEqual(typescriptOnly.readSync(out), Float32Array.from(x, (xi) => f(xi, params)));
      const dx = typescriptOnly.alloc(n);
      typescriptOnly.unaryGrad(op, params, typescriptOnly.upload(x), typescriptOnly.upload(dy), dx);
      assert.deepEqual(typescriptOnly.readSync(dx), Float32Array.from(x, (xi, i) => dy[i]! * df(xi, params)));
    });
  }

  it("computes in place, and names the problem when arrays differ in length or the op has no kernel", () => {
    const y = x.slice();
    wasm!.forward("relu", [], y, y);
    assert.deepEqual(y, Float32Array.from(x, (xi) => (xi <= 0 ? 0 : xi)));
    assert.throws(() => wasm!.forward("relu", [], x, new Float32Array(3)), /different lengths \(40003, 3\)/);
    assert.throws(() => wasm!.forward("gelu", [], x, x.slice()), /no WebAssembly kernel for "gelu"; the kernels are: relu, /);
  });
});
