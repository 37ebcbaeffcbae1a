// WebAssembly SIMD kernels for the activations of the op table, assembled here from TypeScript
// (no toolchain, no binary in the repository), four float32 lanes at a time. Each op has a
// forward kernel out[i] = f(x[i]) and a backward kernel dx[i] = dy[i]·f'(x[i]), written with the
// same formulas as the op table (src/kernels/ops.ts) but evaluated in float32, with the
// rearrangements that float32 needs to stay within a few ulps (noted where they happen).
//
// Why: the TypeScript loop calls `f(x, params)` through a megamorphic call site and pays for
// Math.exp in float64, so sigmoid or mish cost two to two and a half times relu. Here every op
// is a straight-line vector loop with at most one vectorised exp.

import { assembleModule, canRun, EMPTY_BLOCK, F32, funcBody, funcType, I32, Op, Simd, sleb, uleb, V128 } from "./wasm-encoding.js";

// --- A small vector-expression language ---------------------------------------------------------

/** Emits, into a kernel's body, code that leaves one v128 value on the stack. */
type Vec = (b: Body) => void;

const simd = (op: readonly number[], ...operands: Vec[]): Vec => (b) => {
  for (const v of operands) v(b);
  b.code.push(Op.Simd, ...op);
};
const local = (index: number): Vec => (b) => b.code.push(Op.LocalGet, ...uleb(index));
/** The scalar shift count of an i32x4 shift (not a vector). */
const shiftCount = (bits: number): Vec => (b) => b.code.push(Op.I32Const, ...sleb(bits));

const bytesOf = (lanes: Float32Array | Int32Array) => [...new Uint8Array(lanes.buffer)];
/** A float32 constant in every lane (the value is rounded to float32). */
const f32 = (v: number): Vec => (b) => b.constant(bytesOf(new Float32Array(4).fill(v)));
const i32 = (v: number): Vec => (b) => b.constant(bytesOf(new Int32Array(4).fill(v)));

const add = (a: Vec, b: Vec) => simd(Simd.F32x4Add, a, b);
const sub = (a: Vec, b: Vec) => simd(Simd.F32x4Sub, a, b);
const mul = (a: Vec, b: Vec) => simd(Simd.F32x4Mul, a, b);
const div = (a: Vec, b: Vec) => simd(Simd.F32x4Div, a, b);
/**
 * x clamped to [lo, hi], NaN kept. With pmin/pmax (b < a ? b : a, a < b ? b : a), which are one
 * instruction each on x64 where the IEEE min/max take several.
 */
const clamp = (x: Vec, lo: Vec, hi: Vec) => simd(Simd.F32x4Pmin, simd(Simd.F32x4Pmax, x, lo), hi);
const abs = (a: Vec) => simd(Simd.F32x4Abs, a);
const neg = (a: Vec) => simd(Simd.F32x4Neg, a);
// Comparisons give all-ones lanes where true; every comparison with NaN is false, as in TS.
const lt = (a: Vec, b: Vec) => simd(Simd.F32x4Lt, a, b);
const gt = (a: Vec, b: Vec) => simd(Simd.F32x4Gt, a, b);
const le = (a: Vec, b: Vec) => simd(Simd.F32x4Le, a, b);
const ge = (a: Vec, b: Vec) => simd(Simd.F32x4Ge, a, b);
const and = (a: Vec, b: Vec) => simd(Simd.V128And, a, b);
/** Per lane: mask ? ifTrue : ifFalse. */
const select = (mask: Vec, ifTrue: Vec, ifFalse: Vec) => simd(Simd.V128Bitselect, ifTrue, ifFalse, mask);

const ZERO = f32(0);
const ONE = f32(1);
const TWO = f32(2);

/**
 * A kernel's code: `code` runs once per vector, `prologue` once before the loop. `let` evaluates
 * a subexpression once into a fresh local. Constants live in locals set in the prologue, so that
 * each is built once per call rather than once per vector.
 */
class Body {
  readonly code: number[] = [];
  readonly prologue: number[] = [];
  private vectors = 0;
  private readonly constants = new Map<string, number>();
  constructor(private readonly firstLocal: number) {}

  newLocal(): number {
    return this.firstLocal + this.vectors++;
  }

  let(v: Vec): Vec {
    const index = this.newLocal();
    v(this);
    this.code.push(Op.LocalSet, ...uleb(index));
    return local(index);
  }

  constant(bytes: number[]): void {
    const key = bytes.join(",");
    let index = this.constants.get(key);
    if (index === undefined) {
      index = this.newLocal();
      this.constants.set(key, index);
      this.prologue.push(Op.Simd, ...Simd.V128Const, ...bytes, Op.LocalSet, ...uleb(index));
    }
    this.code.push(Op.LocalGet, ...uleb(index));
  }

  get vectorLocals(): number {
    return this.vectors;
  }
}

// --- exp and expm1 ------------------------------------------------------------------------------

// Cephes' expf: e^x = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln 2 in [−ln2/2, ln2/2],
// ln 2 split in two (Cody–Waite) so that n·LN2_HI is exact; e^r − 1 = r + r²·P(r), P of degree 5
// fitted by Cephes (relative error about 1 ulp).
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
// e^89 overflows float32 and e^−104 rounds to 0, so clamping there changes no result but keeps n
// in a range where 2^n splits into two normal halves.
const EXP_MIN = -104;
const EXP_MAX = 89;

/** 2^k for integer lanes k in [−126, 127], by building the float's exponent field. */
const pow2 = (k: Vec) => simd(Simd.I32x4Shl, simd(Simd.I32x4Add, k, i32(127)), shiftCount(23));
// Adding 1.5·2^23 rounds a float of magnitude below 2^22 to an integer, which then sits in the
// low bits of the sum: subtracting the bit patterns gives it as an i32 (cheaper than f32x4.nearest
// and a saturating conversion).
const ROUNDER = 1.5 * 2 ** 23;
const ROUNDER_BITS = 0x4b400000;

/**
 * e^x split as (1 + m)·s1·s2, with m = e^r − 1 and s1·s2 = 2^n. Scaling by two powers of two, each
 * a normal float, gives +Inf above the float32 range and correctly rounded subnormals below it,
 * where a single 2^n could not be built.
 */
function expParts(b: Body, x: Vec): { m: Vec; s1: Vec; s2: Vec } {
  const xc = b.let(clamp(x, f32(EXP_MIN), f32(EXP_MAX)));
  const rounded = b.let(add(mul(xc, f32(LOG2E)), f32(ROUNDER)));
  const nf = b.let(sub(rounded, f32(ROUNDER)));
  const r = b.let(sub(sub(xc, mul(nf, f32(LN2_HI))), mul(nf, f32(LN2_LO))));
  // P(r) by Estrin's scheme (pairs, then powers of r²): half the dependency chain of Horner's.
  const [c5, c4, c3, c2, c1, c0] = EXP_POLY.map(f32) as [Vec, Vec, Vec, Vec, Vec, Vec];
  const r2 = b.let(mul(r, r));
  const pair = (hi: Vec, lo: Vec) => add(mul(hi, r), lo);
  const poly = add(add(pair(c1, c0), mul(r2, pair(c3, c2))), mul(mul(r2, r2), pair(c5, c4)));
  const m = b.let(add(mul(poly, r2), r));
  // In NaN lanes n is garbage, but m carries the NaN.
  const n = b.let(simd(Simd.I32x4Sub, rounded, i32(ROUNDER_BITS)));
  const half = b.let(simd(Simd.I32x4ShrS, n, shiftCount(1)));
  return { m, s1: b.let(pow2(half)), s2: b.let(pow2(simd(Simd.I32x4Sub, n, half))) };
}

function exp(b: Body, x: Vec): Vec {
  const { m, s1, s2 } = expParts(b, x);
  return b.let(mul(mul(add(m, ONE), s1), s2));
}

/** e^x − 1 without the cancellation of exp(x) − 1 near 0: 2^n·m + (2^n − 1). */
function expm1(b: Body, x: Vec): Vec {
  const { m, s1, s2 } = expParts(b, x);
  return b.let(add(mul(mul(m, s1), s2), sub(mul(s1, s2), ONE)));
}

/**
 * sigmoid(x) and 1 − sigmoid(x), each without cancellation: with e = e^−|x| and q = 1/(1 + e),
 * one is q and the other e·q. Also e·q², which is sigmoid′(x) = s(1 − s) on both sides.
 */
function sigmoidParts(b: Body, x: Vec): { s: Vec; complement: Vec; slope: Vec } {
  const e = exp(b, neg(abs(x)));
  const q = b.let(div(ONE, add(ONE, e)));
  const eq = b.let(mul(e, q));
  const positive = b.let(ge(x, ZERO));
  return { s: b.let(select(positive, q, eq)), complement: b.let(select(positive, eq, q)), slope: mul(eq, q) };
}

// --- The kernels ------------------------------------------------------------------------------

interface KernelDef {
  /** f(x) for the forward kernel; p0 and p1 are the op's parameters, broadcast. */
  readonly f: (b: Body, x: Vec, p0: Vec, p1: Vec) => Vec;
  /** f′(x) for the backward kernel, which multiplies it by dy. */
  readonly df: (b: Body, x: Vec, p0: Vec, p1: Vec) => Vec;
}

const TANH_POLY = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const TANH_POLY_BELOW = 0.625;
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const MISH_LINEAR_FROM = 20;

const kernels: Readonly<Record<string, KernelDef>> = {
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
    // Cephes' tanhf: an odd polynomial below |x| = 0.625, where 1 − 2/(e^2|x| + 1) would cancel.
    f: (b, x) => {
      const z = b.let(mul(x, x));
      let poly: Vec = f32(TANH_POLY[0]!);
      for (const c of TANH_POLY.slice(1)) poly = add(mul(poly, z), f32(c));
      const small = mul(x, add(ONE, mul(poly, z))); // x·(…) keeps the sign of −0
      const s = exp(b, add(abs(x), abs(x)));
      const large = b.let(sub(ONE, div(TWO, add(s, ONE))));
      return select(lt(abs(x), f32(TANH_POLY_BELOW)), small, select(lt(x, ZERO), neg(large), large));
    },
    // 1 − tanh² = 4e/(1 + e)² with e = e^−2|x|, which does not cancel where tanh is near ±1.
    df: (b, x) => {
      const e = exp(b, mul(f32(-2), abs(x)));
      const d = b.let(add(ONE, e));
      return div(mul(f32(4), e), mul(d, d));
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
    // tanh(softplus(x)) = n/(n + 2) with n = e^x·(e^x + 2), as in the op table; x itself past 20.
    f: (b, x) => {
      const e = exp(b, x);
      const n = b.let(mul(e, add(e, TWO)));
      return select(gt(x, f32(MISH_LINEAR_FROM)), x, mul(x, div(n, add(n, TWO))));
    },
    // n/d + x·(4n + 4)/d²·e/(1 + e) with d = n + 2, the last two divisions merged into one.
    // d²·(1 + e) overflows to Inf only from x ≈ 18, where that term is below 1e-13 of n/d.
    df: (b, x) => {
      const e = exp(b, x);
      const n = b.let(mul(e, add(e, TWO)));
      const d = b.let(add(n, TWO));
      // x·e first: x·(4n + 4) alone would overflow for x near −3e38, where e = 0.
      const tail = div(mul(mul(x, e), add(mul(f32(4), n), f32(4))), mul(mul(d, d), add(ONE, e)));
      return select(gt(x, f32(MISH_LINEAR_FROM)), ONE, add(div(n, d), tail));
    },
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
    f: (b, x) => div(x, b.let(add(ONE, abs(x)))),
    df: (b, x) => {
      const d = b.let(add(ONE, abs(x)));
      return div(ONE, mul(d, d));
    },
  },
};

// --- The module -------------------------------------------------------------------------------

/** The alignment hint (log2 of 16 bytes) of a whole-vector load or store. */
const ALIGN_16 = 4;

/**
 * A loop over whole f32x4 vectors: out = compute(inputs) for `streams` input arrays. Parameters:
 * the input pointers, the output pointer, n, p0, p1. It covers ceil(n/4)·4 floats: the caller pads
 * every region to whole vectors, and the extra lanes are computed and ignored.
 */
function loopBody(streams: number, compute: (b: Body, inputs: Vec[], p0: Vec, p1: Vec) => Vec): number[] {
  const pointers = Array.from({ length: streams + 1 }, (_, i) => i);
  const out = streams;
  const [n, p0, p1, end] = [streams + 1, streams + 2, streams + 3, streams + 4];
  const b = new Body(streams + 5);
  const splat = (scalar: number): Vec => {
    const index = b.newLocal();
    b.prologue.push(Op.LocalGet, scalar, Op.Simd, ...Simd.F32x4Splat, Op.LocalSet, ...uleb(index));
    return local(index);
  };
  const load = (pointer: number): Vec => (body) => body.code.push(Op.LocalGet, pointer, Op.Simd, ...Simd.V128Load, ALIGN_16, 0);

  const inputs = pointers.slice(0, streams).map((p) => b.let(load(p)));
  const result = b.let(compute(b, inputs, splat(p0), splat(p1)));
  b.code.push(Op.LocalGet, out);
  result(b);
  b.code.push(Op.Simd, ...Simd.V128Store, ALIGN_16, 0);
  for (const p of pointers) b.code.push(Op.LocalGet, p, Op.I32Const, ...sleb(16), Op.I32Add, Op.LocalSet, p);

  const code = [
    // end = first input + ceil(n/4)·16 bytes
    ...[Op.LocalGet, 0, Op.LocalGet, n, Op.I32Const, ...sleb(3), Op.I32Add, Op.I32Const, ...sleb(-4), Op.I32And],
    ...[Op.I32Const, ...sleb(4), Op.I32Mul, Op.I32Add, Op.LocalSet, end],
    ...b.prologue,
    ...[Op.Block, EMPTY_BLOCK, Op.Loop, EMPTY_BLOCK, Op.LocalGet, 0, Op.LocalGet, end, Op.I32GeU, Op.BrIf, 1],
    ...b.code,
    ...[Op.Br, 0, Op.End, Op.End],
  ];
  return funcBody([[1, I32], [b.vectorLocals, V128]], code);
}

const OPS = Object.keys(kernels);

function moduleBytes(memoryPages: number): Uint8Array<ArrayBuffer> {
  const functions = OPS.flatMap((op) => {
    const def = kernels[op]!;
    return [
      { type: 0, body: loopBody(1, (b, [x], p0, p1) => def.f(b, x!, p0, p1)) },
      { type: 1, body: loopBody(2, (b, [x, dy], p0, p1) => mul(dy!, def.df(b, x!, p0, p1))) },
    ];
  });
  return assembleModule({
    types: [funcType([I32, I32, I32, F32, F32], []), funcType([I32, I32, I32, I32, F32, F32], [])],
    functions,
    memoryPages,
    exports: OPS.flatMap((op, i) => [{ name: op, func: 2 * i }, { name: `${op}Grad`, func: 2 * i + 1 }]),
  });
}

// --- The host side ------------------------------------------------------------------------------

// Arrays go through the module's memory in chunks of CHUNK floats, so its three regions (x, dy,
// out) stay a fixed 192 KiB that sits in L2 cache, whatever the size of the tensor.
const CHUNK = 16384;
const REGION_BYTES = CHUNK * 4;
const X_AT = 0;
const DY_AT = REGION_BYTES;
const OUT_AT = 2 * REGION_BYTES;

type Forward = (x: number, out: number, n: number, p0: number, p1: number) => void;
type Backward = (x: number, dy: number, dx: number, n: number, p0: number, p1: number) => void;

export interface WasmElementwise {
  /** The ops that have kernels here. */
  readonly ops: ReadonlySet<string>;
  /** out[i] = f(x[i]); `out` may be `x`. */
  forward(op: string, params: readonly number[], x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i]·f′(x[i]); `dx` may be `x` or `dy`. */
  backward(op: string, params: readonly number[], x: Float32Array, dy: Float32Array, dx: Float32Array): void;
}

/** Compiles the kernels, or returns null where WebAssembly SIMD is unavailable. */
export function createWasmElementwise(): WasmElementwise | null {
  const bytes = moduleBytes((3 * REGION_BYTES) / 65536);
  if (!canRun(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const xs = new Float32Array(memory.buffer, X_AT, CHUNK);
  const dys = new Float32Array(memory.buffer, DY_AT, CHUNK);
  const outs = new Float32Array(memory.buffer, OUT_AT, CHUNK);
  // Looked up once here, not per call: the backend calls these for every activation.
  const forwards = new Map(OPS.map((op) => [op, instance.exports[op] as Forward]));
  const backwards = new Map(OPS.map((op) => [op, instance.exports[`${op}Grad`] as Backward]));
  const kernel = <T>(table: Map<string, T>, op: string): T => {
    const run = table.get(op);
    if (run === undefined) throw new Error(`no WebAssembly kernel for "${op}"; the kernels are: ${OPS.join(", ")}`);
    return run;
  };
  const checkLengths = (op: string, ...arrays: Float32Array[]) => {
    if (arrays.some((a) => a.length !== arrays[0]!.length)) {
      throw new Error(`${op}: arrays of different lengths (${arrays.map((a) => a.length).join(", ")}); they must all have the same`);
    }
  };
  return {
    ops: new Set(OPS),
    forward(op, params, x, out) {
      checkLengths(op, x, out);
      const run = kernel(forwards, op);
      for (let start = 0; start < x.length; start += CHUNK) {
        const n = Math.min(CHUNK, x.length - start);
        xs.set(x.subarray(start, start + n));
        run(X_AT, OUT_AT, n, params[0] ?? 0, params[1] ?? 0);
        out.set(outs.subarray(0, n), start);
      }
    },
    backward(op, params, x, dy, dx) {
      checkLengths(op, x, dy, dx);
      const run = kernel(backwards, op);
      for (let start = 0; start < x.length; start += CHUNK) {
        const n = Math.min(CHUNK, x.length - start);
        xs.set(x.subarray(start, start + n));
        dys.set(dy.subarray(start, start + n));
        run(X_AT, DY_AT, OUT_AT, n, params[0] ?? 0, params[1] ?? 0);
        dx.set(outs.subarray(0, n), start);
      }
    },
  };
}
