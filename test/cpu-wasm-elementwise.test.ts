// The WebAssembly SIMD kernels against independent references: the activations against a
// float64 evaluation of the op table's own formulas (ts.f, ts.df), on float32 arrays of every
// length up to 70 (so every tail of the 4-lane loop) with extreme values mixed in; add, sub, mul
// and div against JavaScript's float64 arithmetic rounded to float32, bit for bit. And the CPU
// backend, which must hand its unary ops, its fused matmul epilogue and its arithmetic to them.
//
// Tolerances: values |y − ref| ≤ 1e-6·|ref| + 1e-30; derivatives |d − ref′| ≤ 1e-5·|ref′| + 1e-7
// + 1e-30. As in tensor-activations.test.ts, 1e-30 only admits results below float32's normal
// range (e^−100 is a subnormal with few significant bits), and 1e-7 is one float32 ulp of an O(1)
// derivative, for its zero crossings. A reference beyond float32's range must give the infinity
// it rounds to. gelu and geluTanh get 2e-5 relative: they take e^u of a computed argument u (x²/2
// or a cubic in x), and u's float32 rounding (once or twice: up to about |u|·2⁻²³) becomes a
// relative error of e^u; |u| reaches 104 before e^u underflows.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CpuBackend } from "../src/kernels/cpu/backend.js";
import { type ArithmeticOp, createWasmElementwise } from "../src/kernels/cpu/wasm-elementwise.js";
import { unaryOp } from "../src/kernels/ops.js";
import { opDomains } from "./helpers/reference-ops.js";

const wasm = createWasmElementwise();
/** The relative tolerance of an op's f and f′ (see the header). */
const relativeTolerance = (op: string, derivative: boolean) => (op === "gelu" || op === "geluTanh" ? 2e-5 : derivative ? 1e-5 : 1e-6);
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

describe("each WebAssembly activation kernel equals the op table's formula in float64", () => {
  for (const op of wasm?.activations ?? []) {
    const { f, df } = unaryOp(op).ts;
    for (const params of paramSets(op)) {
      const label = `${op}(${params.join(", ")})`;

      it(`${label}: f within ${relativeTolerance(op, false)} relative, alone and beside f′`, () => {
        fc.assert(
          fc.property(inputs, (x) => {
            const y = new Float32Array(x.length);
            wasm!.activation(op, params, x, y);
            x.forEach((xi, i) => assertClose(y[i]!, f(xi, params), relativeTolerance(op, false), 1e-30, `${label} at ${xi}`));
            const y2 = new Float32Array(x.length);
            wasm!.activation(op, params, x, y2, new Float32Array(x.length));
            assert.deepEqual(y2, y, `${label}: f computed beside f′ differs from f alone`);
          }),
          { numRuns: 200 },
        );
      });

      it(`${label}: f′ within ${relativeTolerance(op, true)} relative`, () => {
        fc.assert(
          fc.property(inputs, (x) => {
            const d = new Float32Array(x.length);
            wasm!.activation(op, params, x, new Float32Array(x.length), d);
            x.forEach((xi, i) => assertClose(d[i]!, df(xi, params), relativeTolerance(op, true), 1e-7 + 1e-30, `${label}′ at ${xi}`));
          }),
          { numRuns: 200 },
        );
      });
    }
  }
});

describe("each WebAssembly gradient kernel (the ops that recompute f′) equals dy·f′ in float64", () => {
  it("covers exactly the activations whose op-table entry says derivativeFrom: 'input'", () => {
    assert.deepEqual([...wasm!.gradients].sort(), [...wasm!.activations].filter((op) => unaryOp(op).derivativeFrom === "input").sort());
    assert.ok(wasm!.gradients.has("relu"));
  });
  for (const op of wasm?.gradients ?? []) {
    const { df } = unaryOp(op).ts;
    for (const params of paramSets(op)) {
      it(`${op}(${params.join(", ")}): dx within 1e-5 relative`, () => {
        fc.assert(
          fc.property(inputs.chain((x) => fc.tuple(fc.constant(x), gradients(x.length))), ([x, dy]) => {
            const dx = new Float32Array(x.length);
            wasm!.gradient(op, params, x, dy, dx);
            x.forEach((xi, i) => assertClose(dx[i]!, dy[i]! * df(xi, params), 1e-5, 1e-7 * Math.abs(dy[i]!) + 1e-30, `${op}′ at ${xi} (dy ${dy[i]})`));
          }),
          { numRuns: 200 },
        );
      });
    }
  }
});

describe("add, sub, mul and div equal float64 arithmetic rounded to float32, bit for bit", () => {
  const pairs = fc.integer({ min: 0, max: 70 }).chain((n) =>
    fc.tuple(fc.array(float32, { minLength: n, maxLength: n }), fc.array(float32, { minLength: n, maxLength: n }), float32),
  );
  const reference: Record<ArithmeticOp, (a: number, b: number) => number> = {
    add: (a, b) => a + b,
    sub: (a, b) => a - b,
    mul: (a, b) => a * b,
    div: (a, b) => a / b,
  };
  for (const op of ["add", "sub", "mul", "div"] as const) {
    it(`${op}: array with array, array with scalar, scalar with array`, () => {
      fc.assert(
        fc.property(pairs, ([as, bs, s]) => {
          const a = Float32Array.from(as);
          const b = Float32Array.from(bs);
          const out = new Float32Array(a.length);
          wasm!.arithmetic(op, a, b, out);
          assert.deepEqual(out, Float32Array.from(a, (ai, i) => reference[op](ai, b[i]!)));
          wasm!.arithmeticScalar(op, a, s, false, out);
          assert.deepEqual(out, Float32Array.from(a, (ai) => reference[op](ai, s)));
          wasm!.arithmeticScalar(op, a, s, true, out);
          assert.deepEqual(out, Float32Array.from(a, (ai) => reference[op](s, ai)));
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe("the CPU backend runs its activations and arithmetic on these kernels", () => {
  // Longer than one 16384-float chunk of the module's memory, and not a multiple of 4.
  const n = 40_003;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 12);
  const dy = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  const backend = new CpuBackend();
  const typescriptOnly = new CpuBackend({ wasmElementwise: false });

  for (const op of wasm?.activations ?? []) {
    const params = paramSets(op).at(-1)!;

    it(`${op}: unary (with and without the derivative) and the matmul epilogue give the kernels' results bit for bit`, () => {
      const expectedY = new Float32Array(n);
      const expectedD = new Float32Array(n);
      wasm!.activation(op, params, x, expectedY, expectedD);

      const out = backend.alloc(n);
      backend.unary(op, params, backend.upload(x), out);
      assert.deepEqual(backend.readSync(out), expectedY);
      const d = backend.alloc(n);
      backend.unary(op, params, backend.upload(x), out, d);
      assert.deepEqual(backend.readSync(out), expectedY);
      assert.deepEqual(backend.readSync(d), expectedD);

      // x as a 1×n matrix times the 1×1 identity, with the activation fused.
      const fused = backend.alloc(n);
      const fusedD = backend.alloc(n);
      const args = { batch: 1, m: 1, n, k: 1, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
      backend.matmul(backend.upload(Float32Array.of(1)), backend.upload(x), fused, args, { activation: { op, params }, derivative: fusedD });
      assert.deepEqual(backend.readSync(fused), expectedY);
      assert.deepEqual(backend.readSync(fusedD), expectedD);
    });

    it(`${op}: { wasmElementwise: false } runs the op table's TypeScript formulas instead`, () => {
      const { f, df } = unaryOp(op).ts;
      const out = typescriptOnly.alloc(n);
      const d = typescriptOnly.alloc(n);
      typescriptOnly.unary(op, params, typescriptOnly.upload(x), out, d);
      assert.deepEqual(typescriptOnly.readSync(out), Float32Array.from(x, (xi) => f(xi, params)));
      assert.deepEqual(typescriptOnly.readSync(d), Float32Array.from(x, (xi) => df(xi, params)));
      const dx = typescriptOnly.alloc(n);
      typescriptOnly.unaryGrad(op, params, typescriptOnly.upload(x), typescriptOnly.upload(dy), dx);
      assert.deepEqual(typescriptOnly.readSync(dx), Float32Array.from(x, (xi, i) => dy[i]! * df(xi, params)));
    });
  }

  for (const op of wasm?.gradients ?? []) {
    it(`${op}: unaryGrad gives the gradient kernel's result bit for bit`, () => {
      const params = paramSets(op).at(-1)!;
      const expected = new Float32Array(n);
      wasm!.gradient(op, params, x, dy, expected);
      const dx = backend.alloc(n);
      backend.unaryGrad(op, params, backend.upload(x), backend.upload(dy), dx);
      assert.deepEqual(backend.readSync(dx), expected);
    });
  }

  it("add, sub, mul and div (same shape and scalar on either side) give what the op table's loop gives", () => {
    const y = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 3);
    for (const op of ["add", "sub", "mul", "div"]) {
      for (const [b, bStrides, aStrides] of [[y, [1], [1]], [Float32Array.of(2.5), [0], [1]]] as const) {
        for (const swap of [false, true]) {
          const [A, B, sa, sb] = swap ? [b, x, bStrides, aStrides] : [x, b, aStrides, bStrides];
          const run = (be: CpuBackend) => {
            const o = be.alloc(n);
            be.binary(op, be.upload(A), be.upload(B), o, [n], sa, sb);
            return be.readSync(o);
          };
          assert.deepEqual(run(backend), run(typescriptOnly), `${op} with strides ${JSON.stringify([sa, sb])}`);
        }
      }
    }
  });

  it("computes in place, and names the problem when arrays differ in length or the op has no kernel", () => {
    const y = x.slice();
    wasm!.activation("relu", [], y, y);
    assert.deepEqual(y, Float32Array.from(x, (xi) => (xi <= 0 ? 0 : xi)));
    assert.throws(() => wasm!.activation("relu", [], x, new Float32Array(3)), /different lengths \(40003, 3\)/);
    assert.throws(() => wasm!.activation("relu", [], x, x.slice(), new Float32Array(3)), /different lengths \(40003, 40003, 3\)/);
    assert.throws(() => wasm!.activation("exp", [], x, x.slice()), /no WebAssembly activation kernel for "exp"; there are kernels for: relu, /);
    assert.throws(() => wasm!.activation("exp", [], x, x.slice(), x.slice()), /no WebAssembly activation kernel for "exp"; /);
    assert.throws(() => wasm!.gradient("mish", [], x, x, x.slice()), /no WebAssembly gradient kernel for "mish"; there are kernels for: relu, /);
    assert.throws(() => wasm!.arithmetic("pow" as ArithmeticOp, x, x, x.slice()), /no WebAssembly arithmetic kernel for "pow"; there are kernels for: add, sub, mul, div/);
    assert.throws(
      () => backend.matmul(backend.upload(Float32Array.of(1)), backend.upload(x), backend.alloc(n), { batch: 1, m: 1, n, k: 1, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }, { derivative: backend.alloc(n) }),
      /asks for a derivative but has no activation/,
    );
    assert.throws(
      () => backend.matmul(backend.upload(Float32Array.of(1)), backend.upload(x), backend.alloc(n), { batch: 1, m: 1, n, k: 1, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }, { activation: { op: "relu", params: [] }, derivative: backend.alloc(3) }),
      /matmul: derivative must hold 40003 values like out, got 3/,
    );
  });
});
