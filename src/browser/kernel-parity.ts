// Kernel parity inside a page: runs each kernel of a backend (the browser's WebGPU one) and of
// the CPU backend on the same inputs and compares the results, with the tolerances of the Node
// suite (test/webgpu-kernels.test.ts): elementwise |gpu - cpu| <= 1e-5 + 1e-4·|cpu|; matmul and
// sums 1e-5·Σ|terms| + 1e-6. Inputs are fixed (seeded), so a failure is repeatable.
//
// What it covers: f and dy·f'(x) of every unary op in the op table (every activation), every
// binary op and both of its gradients through broadcast strides, every reduction, and matmul
// (plain, transposed, batched, with the fused bias + activation epilogue).

import type { Backend, MatmulArgs, MatmulEpilogue, ReduceOp, Storage } from "../kernels/backend.js";
import { listBinaryOps, listUnaryOps, resolveParams } from "../kernels/ops.js";
import { broadcastShapes, broadcastStrides, sizeOf } from "../kernels/shape.js";

export interface ParityCheck {
  /** What was compared, e.g. "unary mish" or "matmul 2x[7x5]·[5x9] transB +bias gelu". */
  name: string;
  ok: boolean;
  /** The largest |gpu - cpu| seen. */
  maxError: number;
  /** The first mismatch, when not ok. */
  detail?: string;
}

export interface ParityReport {
  passed: boolean;
  checks: ParityCheck[];
  milliseconds: number;
}

/** Seeded uniform values in [lo, hi) (mulberry32), so every run compares the same inputs. */
function seededValues(n: number, seed: number, lo: number, hi: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

type Tolerance = (i: number) => number;

const elementwiseTolerance = (expected: Float32Array): Tolerance => (i) => 1e-5 + 1e-4 * Math.abs(expected[i]!);

function compare(name: string, actual: Float32Array, expected: Float32Array, tolerance: Tolerance): ParityCheck {
  if (actual.length !== expected.length) {
    return { name, ok: false, maxError: Infinity, detail: `${actual.length} values, expected ${expected.length}` };
  }
  let maxError = 0;
  let detail: string | undefined;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const error = Math.abs(a - e);
    maxError = Math.max(maxError, Number.isNaN(error) ? Infinity : error);
    if (detail === undefined && !(error <= tolerance(i))) detail = `at ${i}: ${a}, the CPU gives ${e} (tolerance ${tolerance(i).toExponential(2)})`;
  }
  return detail === undefined ? { name, ok: true, maxError } : { name, ok: false, maxError, detail };
}

/** Runs `fn` on a backend with `inputs` uploaded and `outputSizes` allocated; returns the outputs. */
async function runOn(backend: Backend, inputs: Float32Array[], outputSizes: number[], fn: (b: Backend, ins: Storage[], outs: Storage[]) => void): Promise<Float32Array[]> {
  const ins = inputs.map((d) => backend.upload(d));
  const outs = outputSizes.map((n) => backend.alloc(n));
  try {
    fn(backend, ins, outs);
    return await Promise.all(outs.map((s) => backend.read(s)));
  } finally {
    for (const s of [...ins, ...outs]) backend.free(s);
  }
}

interface Case {
  name: string;
  inputs: Float32Array[];
  outputSizes: number[];
  run: (b: Backend, ins: Storage[], outs: Storage[]) => void;
  /** One name and tolerance per output. */
  outputs: { name: string; tolerance: (expected: Float32Array) => Tolerance }[];
}

function unaryCases(): Case[] {
  const cases: Case[] = [];
  listUnaryOps().forEach((op, index) => {
    const params = resolveParams(op, []);
    // log and sqrt need x > 0; the rest are compared over [-6, 6].
    const [lo, hi] = op.name === "log" || op.name === "sqrt" ? [0.01, 6] : [-6, 6];
    const x = seededValues(257, 1000 + index, lo, hi);
    const dy = seededValues(257, 2000 + index, -2, 2);
    cases.push({
      name: `unary ${op.name}`,
      inputs: [x, dy],
      // f alone, f with its derivative from the same kernel, and the gradient recomputing f'.
      outputSizes: [x.length, x.length, x.length, x.length],
      run: (b, [xs, g], [f, fWithDerivative, d, dx]) => {
        b.unary(op.name, params, xs!, f!);
        b.unary(op.name, params, xs!, fWithDerivative!, d!);
        b.unaryGrad(op.name, params, xs!, g!, dx!);
      },
      outputs: [
        { name: `${op.name}(x)`, tolerance: elementwiseTolerance },
        { name: `${op.name}(x) beside its derivative`, tolerance: elementwiseTolerance },
        { name: `${op.name}'(x)`, tolerance: elementwiseTolerance },
        { name: `dy·${op.name}'(x)`, tolerance: elementwiseTolerance },
      ],
    });
  });
  return cases;
}

function binaryCases(): Case[] {
  const aShape = [3, 1, 5];
  const bShape = [4, 1];
  const outShape = broadcastShapes("parity", aShape, bShape);
  const n = sizeOf(outShape);
  const aStrides = broadcastStrides(aShape, outShape);
  const bStrides = broadcastStrides(bShape, outShape);
  return listBinaryOps().map((op, index) => {
    // pow needs a > 0, and div a divisor away from 0, to be well conditioned.
    const a = seededValues(sizeOf(aShape), 3000 + index, op.name === "pow" ? 0.5 : -2, 2.5);
    const b = seededValues(sizeOf(bShape), 4000 + index, op.name === "pow" || op.name === "div" ? 0.5 : -2, 2.5);
    a[0] = b[0]!; // an exact tie, for maximum, minimum, eq and friends
    const dy = seededValues(n, 5000 + index, -2, 2);
    return {
      name: `binary ${op.name} [${aShape}]·[${bShape}]`,
      inputs: [a, b, dy],
      outputSizes: [n, n, n],
      run: (be, [A, B, G], [f, da, db]) => {
        be.binary(op.name, A!, B!, f!, outShape, aStrides, bStrides);
        be.binaryGrad(op.name, 0, A!, B!, G!, da!, outShape, aStrides, bStrides);
        be.binaryGrad(op.name, 1, A!, B!, G!, db!, outShape, aStrides, bStrides);
      },
      outputs: [
        { name: `${op.name}(a, b)`, tolerance: elementwiseTolerance },
        { name: `d${op.name}/da`, tolerance: elementwiseTolerance },
        { name: `d${op.name}/db`, tolerance: elementwiseTolerance },
      ],
    };
  });
}

function reduceCases(): Case[] {
  const outer = 6;
  const inner = 131;
  const x = seededValues(outer * inner, 6000, -3, 3);
  // A float32 sum of `inner` terms may collect rounding of about 1e-5·Σ|terms|.
  const sumTolerance = (row: number) => 1e-5 * x.subarray(row * inner, (row + 1) * inner).reduce((s, v) => s + Math.abs(v), 0) + 1e-6;
  return (["sum", "max", "min", "argmax", "argmin"] as ReduceOp[]).map((op) => ({
    name: `reduce ${op} ${outer}x${inner}`,
    inputs: [x],
    outputSizes: [outer],
    run: (b, [xs], [o]) => b.reduce(op, xs!, o!, outer, inner),
    outputs: [{ name: op, tolerance: () => (op === "sum" ? sumTolerance : () => 0) }],
  }));
}

interface MatmulCase {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  bias: boolean;
  activation?: string;
}

function matmulCases(): Case[] {
  const shapes: MatmulCase[] = [
    { batch: 1, m: 17, n: 13, k: 29, transA: false, transB: false, bias: false },
    { batch: 1, m: 9, n: 33, k: 64, transA: true, transB: false, bias: true, activation: "relu" },
    { batch: 2, m: 7, n: 9, k: 5, transA: false, transB: true, bias: true, activation: "gelu" },
    { batch: 1, m: 32, n: 10, k: 64, transA: false, transB: false, bias: true, activation: "mish" },
  ];
  return shapes.map((s, index) => {
    const a = seededValues(s.batch * s.m * s.k, 7000 + index, -1, 1);
    const b = seededValues(s.batch * s.k * s.n, 8000 + index, -1, 1);
    const bias = seededValues(s.n, 9000 + index, -0.5, 0.5);
    const args: MatmulArgs = { batch: s.batch, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, aBatchStride: s.m * s.k, bBatchStride: s.k * s.n };
    // The magnitude bound Σ|a||b| + |bias| of each output, for the sum's rounding tolerance, and
    // the value itself in float64.
    const bound = new Float32Array(s.batch * s.m * s.n);
    const exact = new Float64Array(s.batch * s.m * s.n);
    for (let p = 0; p < s.batch; p++) {
      for (let i = 0; i < s.m; i++) {
        for (let j = 0; j < s.n; j++) {
          let total = s.bias ? Math.abs(bias[j]!) : 0;
          let value = s.bias ? bias[j]! : 0;
          for (let l = 0; l < s.k; l++) {
            const av = s.transA ? a[p * s.m * s.k + l * s.m + i]! : a[p * s.m * s.k + i * s.k + l]!;
            const bv = s.transB ? b[p * s.k * s.n + j * s.k + l]! : b[p * s.k * s.n + l * s.n + j]!;
            total += Math.abs(av * bv);
            value += av * bv;
          }
          bound[(p * s.m + i) * s.n + j] = total;
          exact[(p * s.m + i) * s.n + j] = value;
        }
      }
    }
    const sumTolerance: Tolerance = (i) => 1e-5 * bound[i]! + 1e-6;
    const size = s.batch * s.m * s.n;
    const label = `matmul ${s.batch}x[${s.m}x${s.k}]·[${s.k}x${s.n}]${s.transA ? " transA" : ""}${s.transB ? " transB" : ""}${s.bias ? " +bias" : ""}${s.activation ? ` ${s.activation}` : ""}`;
    return {
      name: label,
      inputs: [a, b, bias],
      // With an activation, its derivative is written too (backward multiplies dy by it).
      outputSizes: s.activation ? [size, size] : [size],
      run: (be, [A, B, bias_], [out, derivative]) => {
        const epilogue: MatmulEpilogue = {
          ...(s.bias ? { bias: bias_! } : {}),
          ...(s.activation ? { activation: { op: s.activation, params: [] }, derivative: derivative! } : {}),
        };
        be.matmul(A!, B!, out!, args, epilogue);
      },
      outputs: [
        // An activation after the sum scales its rounding by at most |f'| (<= ~1.13 for these).
        { name: "out", tolerance: () => (i) => 1.2 * sumTolerance(i) + 1e-5 },
        // Likewise f' moves by at most |f''| (<= 1 for gelu and mish) times the sum's rounding;
        // relu's f' steps at 0, so a value within rounding of 0 may fall on either side.
        ...(s.activation
          ? [{
              name: "derivative",
              tolerance: (expected: Float32Array): Tolerance => (i) =>
                Math.abs(exact[i]!) <= sumTolerance(i) ? Infinity : 1.2 * sumTolerance(i) + elementwiseTolerance(expected)(i),
            }]
          : []),
      ],
    };
  });
}

/** Compares `backend`'s kernels with `reference`'s (the CPU backend) on fixed inputs. */
export async function checkKernelParity(backend: Backend, reference: Backend, onCheck?: (check: ParityCheck) => void): Promise<ParityReport> {
  const started = performance.now();
  const checks: ParityCheck[] = [];
  for (const c of [...unaryCases(), ...binaryCases(), ...reduceCases(), ...matmulCases()]) {
    const [got, expected] = [await runOn(backend, c.inputs, c.outputSizes, c.run), await runOn(reference, c.inputs, c.outputSizes, c.run)];
    c.outputs.forEach((output, i) => {
      const check = compare(`${c.name}: ${output.name}`, got[i]!, expected[i]!, output.tolerance(expected[i]!));
      checks.push(check);
      onCheck?.(check);
    });
  }
  return { passed: checks.every((c) => c.ok), checks, milliseconds: performance.now() - started };
}
