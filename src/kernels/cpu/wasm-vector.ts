// A small language for WebAssembly SIMD loops over float32 arrays, four lanes at a time: vector
// expressions, a loop body that evaluates them once per vector, and the vectorised exp the
// activation kernels share. wasm-elementwise.ts writes its kernels in it.

import { EMPTY_BLOCK, funcBody, I32, Op, Simd, sleb, uleb, V128 } from "./wasm-encoding.js";

/** Emits, into a kernel's body, code that leaves one v128 value on the stack. */
export type Vec = (b: Body) => void;

export const simd = (op: readonly number[], ...operands: Vec[]): Vec => (b) => {
  for (const v of operands) v(b);
  b.code.push(Op.Simd, ...op);
};
const local = (index: number): Vec => (b) => b.code.push(Op.LocalGet, ...uleb(index));
/** The scalar shift count of an i32x4 shift (not a vector). */
const shiftCount = (bits: number): Vec => (b) => b.code.push(Op.I32Const, ...sleb(bits));

const bytesOf = (lanes: Float32Array | Int32Array) => [...new Uint8Array(lanes.buffer)];
/** A float32 constant in every lane (the value is rounded to float32). */
export const f32 = (v: number): Vec => (b) => b.constant(bytesOf(new Float32Array(4).fill(v)));
const i32 = (v: number): Vec => (b) => b.constant(bytesOf(new Int32Array(4).fill(v)));

export const add = (a: Vec, b: Vec) => simd(Simd.F32x4Add, a, b);
export const sub = (a: Vec, b: Vec) => simd(Simd.F32x4Sub, a, b);
export const mul = (a: Vec, b: Vec) => simd(Simd.F32x4Mul, a, b);
export const div = (a: Vec, b: Vec) => simd(Simd.F32x4Div, a, b);
/**
 * x clamped to [lo, hi], NaN kept. With pmin/pmax (b < a ? b : a, a < b ? b : a), which are one
 * instruction each on x64 where the IEEE min/max take several.
 */
export const clamp = (x: Vec, lo: Vec, hi: Vec) => simd(Simd.F32x4Pmin, simd(Simd.F32x4Pmax, x, lo), hi);
/** x capped at hi (hi < x ? hi : x), NaN kept. */
export const atMost = (x: Vec, hi: Vec) => simd(Simd.F32x4Pmin, x, hi);
export const abs = (a: Vec) => simd(Simd.F32x4Abs, a);
export const neg = (a: Vec) => simd(Simd.F32x4Neg, a);
// Comparisons give all-ones lanes where true; every comparison with NaN is false, as in TS.
export const eq = (a: Vec, b: Vec) => simd(Simd.F32x4Eq, a, b);
export const lt = (a: Vec, b: Vec) => simd(Simd.F32x4Lt, a, b);
export const gt = (a: Vec, b: Vec) => simd(Simd.F32x4Gt, a, b);
export const le = (a: Vec, b: Vec) => simd(Simd.F32x4Le, a, b);
export const ge = (a: Vec, b: Vec) => simd(Simd.F32x4Ge, a, b);
export const and = (a: Vec, b: Vec) => simd(Simd.V128And, a, b);
/** Per lane: mask ? ifTrue : ifFalse. */
export const select = (mask: Vec, ifTrue: Vec, ifFalse: Vec) => simd(Simd.V128Bitselect, ifTrue, ifFalse, mask);

export const ZERO = f32(0);
export const ONE = f32(1);
export const TWO = f32(2);

/**
 * The vector constants of a module, each 16 bytes at `at + 16·slot` of its memory, where the host
 * writes `bytes` after instantiating it. Kernels load them once before their loop: V8 turns a
 * v128.const into three instructions (a 64-bit immediate, a move, a shuffle) at every use inside
 * the loop, which doubled the instructions of exp; a value loaded before the loop stays in a
 * register or a spill slot (measured: exp on 1M values 2.6 ms → 1.5 ms).
 */
export class ConstantPool {
  private readonly slots = new Map<string, number>();
  private readonly values: number[] = [];
  constructor(readonly at: number) {}

  address(bytes: readonly number[]): number {
    const key = bytes.join(",");
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(key, slot);
      this.values.push(...bytes);
    }
    return this.at + 16 * slot;
  }

  get bytes(): Uint8Array {
    return Uint8Array.from(this.values);
  }
}

/** The alignment hint (log2 of 16 bytes) of a whole-vector load or store. */
const ALIGN_16 = 4;

/**
 * A kernel's code: `code` runs once per vector, `prologue` once before the loop. `let` evaluates
 * a subexpression once into a fresh local; `memo` runs a helper once per argument, so that f and
 * f′ evaluated in one kernel share their exp.
 */
export class Body {
  readonly code: number[] = [];
  readonly prologue: number[] = [];
  private vectors = 0;
  private readonly constants = new Map<number, number>();
  private readonly memos = new Map<unknown, Map<unknown, unknown>>();
  constructor(
    private readonly firstLocal: number,
    private readonly pool: ConstantPool,
  ) {}

  newLocal(): number {
    return this.firstLocal + this.vectors++;
  }

  let(v: Vec): Vec {
    const index = this.newLocal();
    v(this);
    this.code.push(Op.LocalSet, ...uleb(index));
    return local(index);
  }

  memo<A extends Vec[], T>(helper: (b: Body, ...args: A) => T, args: A): T {
    // A trie over the helper and its arguments, by identity.
    let node = this.memos.get(helper);
    if (!node) this.memos.set(helper, (node = new Map()));
    for (const arg of args) {
      let next = node.get(arg) as Map<unknown, unknown> | undefined;
      if (!next) node.set(arg, (next = new Map()));
      node = next;
    }
    if (!node.has(RESULT)) node.set(RESULT, helper(this, ...args));
    return node.get(RESULT) as T;
  }

  constant(bytes: number[]): void {
    const address = this.pool.address(bytes);
    let index = this.constants.get(address);
    if (index === undefined) {
      index = this.newLocal();
      this.constants.set(address, index);
      this.prologue.push(Op.I32Const, ...sleb(address), Op.Simd, ...Simd.V128Load, ALIGN_16, 0, Op.LocalSet, ...uleb(index));
    }
    this.code.push(Op.LocalGet, ...uleb(index));
  }

  get vectorLocals(): number {
    return this.vectors;
  }
}

const RESULT = Symbol("result");

/** Defines a helper that a kernel evaluates at most once per set of arguments (see Body.memo). */
export function memoized<A extends Vec[], T>(helper: (b: Body, ...args: A) => T): (b: Body, ...args: A) => T {
  return (b, ...args) => b.memo(helper, args);
}

/**
 * A loop over whole f32x4 vectors, outputs[j] = compute(inputs)[j]. Parameters: the input
 * pointers, the output pointers, n, p0, p1. It covers ceil(n/4)·4 floats: the caller pads every
 * region to whole vectors, and the extra lanes are computed and ignored.
 */
export function loopBody(pool: ConstantPool, inputs: number, outputs: number, compute: (b: Body, inputs: Vec[], p0: Vec, p1: Vec) => Vec[]): number[] {
  const pointers = Array.from({ length: inputs + outputs }, (_, i) => i);
  const [n, p0, p1, end] = [pointers.length, pointers.length + 1, pointers.length + 2, pointers.length + 3];
  const b = new Body(pointers.length + 4, pool);
  const splat = (scalar: number): Vec => {
    const index = b.newLocal();
    b.prologue.push(Op.LocalGet, scalar, Op.Simd, ...Simd.F32x4Splat, Op.LocalSet, ...uleb(index));
    return local(index);
  };
  const load = (pointer: number): Vec => (body) => body.code.push(Op.LocalGet, pointer, Op.Simd, ...Simd.V128Load, ALIGN_16, 0);

  const values = pointers.slice(0, inputs).map((p) => b.let(load(p)));
  const results = compute(b, values, splat(p0), splat(p1)).map((v) => b.let(v));
  if (results.length !== outputs) throw new Error(`internal: a kernel computed ${results.length} outputs where its loop stores ${outputs}`);
  results.forEach((result, j) => {
    b.code.push(Op.LocalGet, inputs + j);
    result(b);
    b.code.push(Op.Simd, ...Simd.V128Store, ALIGN_16, 0);
  });
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
const expParts = memoized((b, x) => {
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
});

export const exp = memoized((b, x) => {
  const { m, s1, s2 } = expParts(b, x);
  return b.let(mul(mul(add(m, ONE), s1), s2));
});

/**
 * e^x − 1 without the cancellation of exp(x) − 1 near 0: 2^n·m + (2^n − 1); x itself at ±0, whose
 * sign the reduction loses (it gives +0 for −0).
 */
export const expm1 = memoized((b, x) => {
  const { m, s1, s2 } = expParts(b, x);
  return b.let(select(eq(x, ZERO), x, add(mul(mul(m, s1), s2), sub(mul(s1, s2), ONE))));
});

// --- log ------------------------------------------------------------------------------------

// Cephes' logf: u = m·2^k with m in [√2/2, √2), log u = k·ln 2 + log m, and with z = m − 1,
// log m = z − z²/2 + z³·P(z), P of degree 8 (relative error about 1 ulp).
const LOG_POLY = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];

/** log u for u in [1, 2] (the range softplus needs: u = 1 + e^−|x|). */
export const logOneToTwo = memoized((b, u) => {
  const above = b.let(ge(u, f32(Math.SQRT2)));
  const k = b.let(select(above, ONE, ZERO));
  // m − 1 is exact: m and 1 are within a factor of two of each other.
  const z = b.let(sub(select(above, mul(u, f32(0.5)), u), ONE));
  const z2 = b.let(mul(z, z));
  let poly: Vec = f32(LOG_POLY[0]!);
  for (const c of LOG_POLY.slice(1)) poly = add(mul(poly, z), f32(c));
  const tail = add(mul(mul(z2, z), poly), mul(k, f32(LN2_LO)));
  return b.let(add(add(z, sub(tail, mul(f32(0.5), z2))), mul(k, f32(LN2_HI))));
});
