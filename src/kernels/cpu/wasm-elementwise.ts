// WebAssembly SIMD kernels for the CPU backend's elementwise work, assembled here from TypeScript
// (no toolchain, no binary in the repository), four float32 lanes at a time:
//
// - for each activation of the op table, a forward kernel out = f(x) and a forward kernel that
//   also writes the local derivative f′(x), evaluating f and f′ together so that they share their
//   exp and division: backward is then one multiply, dy·f′, whatever the activation; and for the
//   piecewise-linear ones, whose f′ is cheaper to recompute than to keep, dx = dy·f′(x);
// - add, sub, mul and div of two arrays, or of an array and a scalar (IEEE float32 arithmetic
//   rounds these exactly as the TypeScript loop's float64 result rounded to float32 does).
//
// The formulas are those of the op table (src/kernels/ops.ts) evaluated in float32, with the
// rearrangements float32 needs to stay within a few ulps (noted where they happen).
//
// Why: the TypeScript loop calls `f(x, params)` through a megamorphic call site and pays for
// Math.exp in float64, so sigmoid or mish cost two to two and a half times relu, and a plain
// add through the op table costs 10 ns per value.

import {
  ERFC_POLY, GELU_CUBIC, INV_SQRT_2, INV_SQRT_2PI, MISH_LINEAR_FROM, SELU_ALPHA, SELU_SCALE, SQRT_2_OVER_PI, unaryOp,
} from "../ops.js";
import { assembleModule, canRun, F32, funcType, I32 } from "./wasm-encoding.js";
import {
  abs, add, and, atMost, type Body, ConstantPool, div, exp, expm1, f32, ge, gt, le, logOneToTwo, loopBody, lt, memoized, mul, neg, ONE, select, sub, TWO, type Vec, ZERO,
} from "./wasm-vector.js";

/**
 * sigmoid(x) and 1 − sigmoid(x), each without cancellation: with e = e^−|x| and q = 1/(1 + e),
 * one is q and the other e·q. Also e·q², which is sigmoid′(x) = s(1 − s) on both sides, and
 * e, u = 1 + e and q themselves (softplus's log1p(e) uses them).
 */
const sigmoidParts = memoized((b, x) => {
  const e = exp(b, neg(abs(x)));
  const u = b.let(add(ONE, e));
  const q = b.let(div(ONE, u));
  const eq = b.let(mul(e, q));
  const positive = b.let(ge(x, ZERO));
  return { e, u, q, s: b.let(select(positive, q, eq)), complement: b.let(select(positive, eq, q)), slope: mul(eq, q) };
});

/**
 * softplus(βx)/β = max(x, 0) + log1p(e)/β with e = e^−|βx|, and its derivative sigmoid(βx), from
 * one exp, one log and the division sigmoid needs, plus the division by β (β > 0; max(x, 0)
 * rather than max(βx, 0)/β, which overflows for large x). log1p(e) = log u + (e − (u − 1))/u with u = 1 + e rounded: the second term restores what
 * the rounding lost (u − 1 is exact), and 1/u is sigmoid's q.
 */
const softplusParts = memoized((b, x, beta) => {
  const sigmoid = sigmoidParts(b, mul(beta, x));
  const { e, u, q } = sigmoid;
  const log1p = add(logOneToTwo(b, u), mul(sub(e, sub(u, ONE)), q));
  return { sigmoid, value: add(select(gt(x, ZERO), x, ZERO), div(log1p, beta)) };
});

const TANH_POLY = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const TANH_POLY_BELOW = 0.625;

/**
 * With u = e^−2|x| and q = 1/(1 + u): tanh|x| = (1 − u)·q and 1 − tanh² = 4u·q², one exp and one
 * division for both, neither cancelling where tanh is near ±1.
 */
const tanhParts = memoized((b, x) => {
  const u = exp(b, mul(f32(-2), abs(x)));
  return { u, q: b.let(div(ONE, add(ONE, u))) };
});

/** With e = e^x, n = e·(e + 2) and r = 1/(n + 2): tanh(softplus(x)) = n·r. */
const mishParts = memoized((b, x) => {
  const e = exp(b, x);
  const n = b.let(mul(e, add(e, TWO)));
  return { e, n, r: b.let(div(ONE, add(n, TWO))) };
});

/** geluTanh's sigmoid(v) with v = 2·√(2/π)·(x + 0.044715·x³), so that gelu_tanh(x) = x·sigmoid(v). */
const geluTanhParts = memoized((b, x) => {
  const v = b.let(mul(mul(f32(2 * SQRT_2_OVER_PI), x), add(ONE, mul(f32(GELU_CUBIC), mul(x, x)))));
  return sigmoidParts(b, v);
});

/**
 * erfc(−x/√2) = 2·Φ(x), the normal distribution gelu multiplies x by (halved), by the op table's
 * erfc fit: with z = |x|/√2 and t = 1/(1 + z/2), t·e^(−z² + P(t)), or 2 minus that for x > 0.
 */
const twicePhi = memoized((b, x) => {
  const z = b.let(mul(abs(x), f32(INV_SQRT_2)));
  const t = b.let(div(ONE, add(ONE, mul(f32(0.5), z))));
  const poly = ERFC_POLY.slice(0, -1).reduceRight((inner: Vec, c) => add(mul(inner, t), f32(c)), f32(ERFC_POLY.at(-1)!));
  const tail = b.let(mul(t, exp(b, sub(poly, mul(z, z)))));
  // w = −x/√2 is negative exactly where x is positive.
  return select(gt(x, ZERO), sub(TWO, tail), tail);
});

/** 1 + |x|, softsign's denominator. */
const softsignDenominator = memoized((b, x) => b.let(add(ONE, abs(x))));

interface ActivationKernel {
  /** f(x); p0 and p1 are the op's parameters, broadcast. */
  readonly f: (b: Body, x: Vec, p0: Vec, p1: Vec) => Vec;
  /** f′(x). */
  readonly df: (b: Body, x: Vec, p0: Vec, p1: Vec) => Vec;
}

const activations: Readonly<Record<string, ActivationKernel>> = {
  relu: {
    f: (_b, x) => select(le(x, ZERO), ZERO, x),
    df: (_b, x) => select(gt(x, ZERO), ONE, ZERO),
  },
  leakyRelu: {
    f: (_b, x, slope) => select(ge(x, ZERO), x, mul(slope, x)),
    df: (_b, x, slope) => select(gt(x, ZERO), ONE, slope),
  },
  sigmoid: {
    f: (b, x) => sigmoidParts(b, x).s,
    df: (b, x) => sigmoidParts(b, x).slope,
  },
  tanh: {
    // Cephes' tanhf: an odd polynomial below |x| = 0.625, where 1 − u would cancel.
    f: (b, x) => {
      const z = b.let(mul(x, x));
      let poly: Vec = f32(TANH_POLY[0]!);
      for (const c of TANH_POLY.slice(1)) poly = add(mul(poly, z), f32(c));
      const small = mul(x, add(ONE, mul(poly, z))); // x·(…) keeps the sign of −0
      const { u, q } = tanhParts(b, x);
      const large = b.let(mul(sub(ONE, u), q));
      return select(lt(abs(x), f32(TANH_POLY_BELOW)), small, select(lt(x, ZERO), neg(large), large));
    },
    df: (b, x) => {
      const { u, q } = tanhParts(b, x);
      return mul(mul(mul(f32(4), u), q), q);
    },
  },
  silu: {
    f: (b, x) => mul(x, sigmoidParts(b, x).s),
    // s·(1 + x·(1 − s)) with 1 − s computed directly, not by cancellation.
    df: (b, x) => {
      const { s, complement } = sigmoidParts(b, x);
      return mul(s, add(ONE, mul(x, complement)));
    },
  },
  mish: {
    // x·tanh(softplus(x)), as in the op table; x itself past 20.
    f: (b, x) => {
      const { n, r } = mishParts(b, x);
      return select(gt(x, f32(MISH_LINEAR_FROM)), x, mul(x, mul(n, r)));
    },
    // e·ω/(n + 2)² with ω = 4(x + 1) + e·(4x + 6) + 4e² + e³ (Misra, 2019), so one division
    // serves f and f′. Each x-term is multiplied by e before anything can overflow: for x near
    // −3e38, 4x alone is −Inf where e·(x + 1) is −0. (e·ω)·r·r stays finite up to x = 20.
    df: (b, x) => {
      const { e, r } = mishParts(b, x);
      const xe1 = mul(add(x, ONE), e);
      const xe15 = mul(add(x, f32(1.5)), e);
      const inner = add(mul(f32(4), xe15), mul(e, mul(e, add(f32(4), e))));
      const eOmega = add(mul(f32(4), xe1), mul(e, inner));
      return select(gt(x, f32(MISH_LINEAR_FROM)), ONE, mul(mul(eOmega, r), r));
    },
  },
  softplus: {
    f: (b, x, beta) => softplusParts(b, x, beta).value,
    df: (b, x, beta) => softplusParts(b, x, beta).sigmoid.s,
  },
  geluTanh: {
    f: (b, x) => mul(x, geluTanhParts(b, x).s),
    // s + s·x·(1 − s)·v′ with v′ = 2·√(2/π)·(1 + 3·0.044715·x²), multiplied in that order so that
    // a zero s or 1 − s comes before anything large. x² is capped at 1e4 in v′: beyond |x| = 100,
    // s·(1 − s) is 0 in float32, and uncapped x² overflows to Inf (and 0·Inf is NaN) from 1.8e19.
    df: (b, x) => {
      const { s, complement } = geluTanhParts(b, x);
      const x2 = atMost(mul(x, x), f32(1e4));
      const slope = mul(f32(2 * SQRT_2_OVER_PI), add(ONE, mul(f32(3 * GELU_CUBIC), x2)));
      return add(s, mul(mul(mul(s, x), complement), slope));
    },
  },
  gelu: {
    f: (b, x) => mul(mul(f32(0.5), x), twicePhi(b, x)),
    // Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
    df: (b, x) => add(mul(f32(0.5), twicePhi(b, x)), mul(mul(x, exp(b, mul(f32(-0.5), mul(x, x)))), f32(INV_SQRT_2PI))),
  },
  elu: {
    f: (b, x, alpha) => select(gt(x, ZERO), x, mul(alpha, expm1(b, x))),
    df: (b, x, alpha) => select(gt(x, ZERO), ONE, mul(alpha, exp(b, x))),
  },
  selu: {
    f: (b, x) => select(gt(x, ZERO), mul(f32(SELU_SCALE), x), mul(f32(SELU_SCALE * SELU_ALPHA), expm1(b, x))),
    df: (b, x) => select(gt(x, ZERO), f32(SELU_SCALE), mul(f32(SELU_SCALE * SELU_ALPHA), exp(b, x))),
  },
  // The bounds are compared in float32, as the WebGPU backend compares them.
  hardtanh: {
    f: (_b, x, lo, hi) => select(lt(x, lo), lo, select(gt(x, hi), hi, x)),
    df: (_b, x, lo, hi) => select(and(gt(x, lo), lt(x, hi)), ONE, ZERO),
  },
  hardSigmoid: {
    // (x + 3)/6 rather than x/6 + 1/2, which cancels near x = −3.
    f: (_b, x) => select(le(x, f32(-3)), ZERO, select(ge(x, f32(3)), ONE, div(add(x, f32(3)), f32(6)))),
    df: (_b, x) => select(and(gt(x, f32(-3)), lt(x, f32(3))), f32(1 / 6), ZERO),
  },
  hardSwish: {
    f: (_b, x) => select(le(x, f32(-3)), ZERO, select(ge(x, f32(3)), x, div(mul(x, add(x, f32(3))), f32(6)))),
    // (2x + 3)/6 rather than x/3 + 1/2, which cancels near x = −1.5.
    df: (_b, x) => select(lt(x, f32(-3)), ZERO, select(le(x, f32(3)), div(add(add(x, x), f32(3)), f32(6)), ONE)),
  },
  softsign: {
    // x/d rather than x·(1/d): correctly rounded, where 1/d is subnormal for |x| near 3e38.
    f: (b, x) => div(x, softsignDenominator(b, x)),
    df: (b, x) => {
      const d = softsignDenominator(b, x);
      return div(ONE, mul(d, d));
    },
  },
};

/** The arithmetic ops with kernels here, by the op table's names. */
export type ArithmeticOp = "add" | "sub" | "mul" | "div";

const arithmetic: Readonly<Record<ArithmeticOp, (a: Vec, b: Vec) => Vec>> = { add, sub, mul, div };

// --- The module -------------------------------------------------------------------------------

// Arrays go through the module's memory in chunks of CHUNK floats, so its three regions (two
// inputs, or an input and a second output, and one output) stay a fixed 192 KiB that sits in L2
// cache, whatever the size of the tensor. The vector constants follow them.
const CHUNK = 16384;
const REGION_BYTES = CHUNK * 4;
const IN_AT = 0;
const SECOND_AT = REGION_BYTES;
const OUT_AT = 2 * REGION_BYTES;
const CONSTANTS_AT = 3 * REGION_BYTES;
const MEMORY_PAGES = (3 * REGION_BYTES) / 65536 + 1;

type Kernel = (...args: number[]) => void;

/** One kernel per export: its name, its input and output streams, and what it computes. */
interface Export {
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly compute: (b: Body, inputs: Vec[], p0: Vec, p1: Vec) => Vec[];
}

const ACTIVATION_OPS = Object.keys(activations);
const ARITHMETIC_OPS = Object.keys(arithmetic) as ArithmeticOp[];

// The activations whose backward recomputes f′ from x (the op table's derivativeFrom "input") get a
// gradient kernel dx = dy·f′(x); the others get f′ from the forward.
const GRADIENT_OPS = ACTIVATION_OPS.filter((op) => unaryOp(op).derivativeFrom === "input");

const EXPORTS: readonly Export[] = [
  ...ACTIVATION_OPS.flatMap((op): Export[] => {
    const { f, df } = activations[op]!;
    return [
      { name: op, inputs: 1, outputs: 1, compute: (b, [x], p0, p1) => [f(b, x!, p0, p1)] },
      { name: `${op}WithDerivative`, inputs: 1, outputs: 2, compute: (b, [x], p0, p1) => [f(b, x!, p0, p1), df(b, x!, p0, p1)] },
    ];
  }),
  ...GRADIENT_OPS.map((op): Export => {
    const { df } = activations[op]!;
    return { name: `${op}Gradient`, inputs: 2, outputs: 1, compute: (b, [x, dy], p0, p1) => [mul(dy!, df(b, x!, p0, p1))] };
  }),
  ...ARITHMETIC_OPS.flatMap((op): Export[] => {
    const f = arithmetic[op]!;
    return [
      { name: op, inputs: 2, outputs: 1, compute: (_b, [a, c]) => [f(a!, c!)] },
      // The scalar travels as p0.
      { name: `${op}Scalar`, inputs: 1, outputs: 1, compute: (_b, [a], s) => [f(a!, s)] },
      { name: `scalar${op}`, inputs: 1, outputs: 1, compute: (_b, [a], s) => [f(s, a!)] },
    ];
  }),
];

function instantiate(): { kernels: Map<string, Kernel>; memory: WebAssembly.Memory } | null {
  const pool = new ConstantPool(CONSTANTS_AT);
  // One function type per pointer count: (pointers…, n, p0, p1) → ().
  const pointerCounts = [...new Set(EXPORTS.map((e) => e.inputs + e.outputs))];
  const bytes = assembleModule({
    types: pointerCounts.map((pointers) => funcType([...Array<number>(pointers).fill(I32), I32, F32, F32], [])),
    functions: EXPORTS.map((e) => ({ type: pointerCounts.indexOf(e.inputs + e.outputs), body: loopBody(pool, e.inputs, e.outputs, e.compute) })),
    memoryPages: MEMORY_PAGES,
    exports: EXPORTS.map((e, i) => ({ name: e.name, func: i })),
  });
  if (!canRun(bytes)) return null;
  if (pool.bytes.length > MEMORY_PAGES * 65536 - CONSTANTS_AT) throw new Error("internal: the kernels' constants do not fit the module's memory");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  new Uint8Array(memory.buffer, CONSTANTS_AT, pool.bytes.length).set(pool.bytes);
  // Looked up once here, not per call: the backend calls these for every activation.
  return { kernels: new Map(EXPORTS.map((e) => [e.name, instance.exports[e.name] as Kernel])), memory };
}

// --- The host side ------------------------------------------------------------------------------

export interface WasmElementwise {
  /** The activations that have kernels here. */
  readonly activations: ReadonlySet<string>;
  /** out[i] = f(x[i]), and derivative[i] = f′(x[i]) when given; `out` may be `x`. */
  activation(op: string, params: readonly number[], x: Float32Array, out: Float32Array, derivative?: Float32Array): void;
  /** The activations whose f′ is recomputed in backward (derivativeFrom "input"), with gradient kernels. */
  readonly gradients: ReadonlySet<string>;
  /** dx[i] = dy[i]·f′(x[i]); `dx` may be `x` or `dy`. */
  gradient(op: string, params: readonly number[], x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[i] = a[i] op b[i]; `out` may be `a` or `b`. */
  arithmetic(op: ArithmeticOp, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = a[i] op s, or s op a[i] with `scalarFirst`; `out` may be `a`. */
  arithmeticScalar(op: ArithmeticOp, a: Float32Array, s: number, scalarFirst: boolean, out: Float32Array): void;
}

/** Compiles the kernels, or returns null where WebAssembly SIMD is unavailable. */
export function createWasmElementwise(): WasmElementwise | null {
  const module = instantiate();
  if (!module) return null;
  const { kernels, memory } = module;
  const first = new Float32Array(memory.buffer, IN_AT, CHUNK);
  const second = new Float32Array(memory.buffer, SECOND_AT, CHUNK);
  const outs = new Float32Array(memory.buffer, OUT_AT, CHUNK);
  /** The export `name` that runs `op`; an error naming the op when there is none. */
  const kernel = (name: string, op: string, what: string, ops: readonly string[]): Kernel => {
    const run = kernels.get(name);
    if (run === undefined) throw new Error(`no WebAssembly ${what} kernel for "${op}"; there are kernels for: ${ops.join(", ")}`);
    return run;
  };
  const checkLengths = (op: string, ...arrays: Float32Array[]) => {
    if (arrays.some((a) => a.length !== arrays[0]!.length)) {
      throw new Error(`${op}: arrays of different lengths (${arrays.map((a) => a.length).join(", ")}); they must all have the same`);
    }
  };
  /**
   * Runs `run` over `input` chunk by chunk: the chunk in the first region (and `secondInput`'s in
   * the second), then the output region copied to `out` (and the second region to `secondOutput`).
   */
  const chunked = (input: Float32Array, secondInput: Float32Array | null, run: (n: number) => void, out: Float32Array, secondOutput: Float32Array | null) => {
    for (let start = 0; start < input.length; start += CHUNK) {
      const n = Math.min(CHUNK, input.length - start);
      first.set(input.subarray(start, start + n));
      if (secondInput) second.set(secondInput.subarray(start, start + n));
      run(n);
      out.set(outs.subarray(0, n), start);
      if (secondOutput) secondOutput.set(second.subarray(0, n), start);
    }
  };
  return {
    activations: new Set(ACTIVATION_OPS),
    activation(op, params, x, out, derivative) {
      checkLengths(op, ...(derivative ? [x, out, derivative] : [x, out]));
      const p0 = params[0] ?? 0;
      const p1 = params[1] ?? 0;
      if (!derivative) {
        const run = kernel(op, op, "activation", ACTIVATION_OPS);
        chunked(x, null, (n) => run(IN_AT, OUT_AT, n, p0, p1), out, null);
      } else {
        const run = kernel(`${op}WithDerivative`, op, "activation", ACTIVATION_OPS);
        // The derivative is written to the second region.
        chunked(x, null, (n) => run(IN_AT, OUT_AT, SECOND_AT, n, p0, p1), out, derivative);
      }
    },
    gradients: new Set(GRADIENT_OPS),
    gradient(op, params, x, dy, dx) {
      checkLengths(op, x, dy, dx);
      const run = kernel(`${op}Gradient`, op, "gradient", GRADIENT_OPS);
      chunked(x, dy, (n) => run(IN_AT, SECOND_AT, OUT_AT, n, params[0] ?? 0, params[1] ?? 0), dx, null);
    },
    arithmetic(op, a, b, out) {
      checkLengths(op, a, b, out);
      const run = kernel(op, op, "arithmetic", ARITHMETIC_OPS);
      chunked(a, b, (n) => run(IN_AT, SECOND_AT, OUT_AT, n, 0, 0), out, null);
    },
    arithmeticScalar(op, a, s, scalarFirst, out) {
      checkLengths(op, a, out);
      const run = kernel(scalarFirst ? `scalar${op}` : `${op}Scalar`, op, "arithmetic", ARITHMETIC_OPS);
      chunked(a, null, (n) => run(IN_AT, OUT_AT, n, s, 0), out, null);
    },
  };
}
