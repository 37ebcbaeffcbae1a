// Checks of tunegrad's forward values and autograd gradients against a float64 reference.
//
// checkGradients(fn, reference, inputs) runs `fn` on float32 tensors, back-propagates a fixed
// random cotangent w (so every output element matters), and compares each input's gradient
// with the central finite difference of Σ w · reference(inputs), evaluated entirely in float64
// on the same float32-rounded inputs. The library's float32 forward never enters the finite
// difference, so a wrong forward and a matching wrong backward cannot agree by accident.

import assert from "node:assert/strict";
import { type Tensor, tensor, tidy } from "../../src/index.js";
import { type NdArray, nd, roundToFloat32, size } from "./ndarray.js";

export interface Tolerance {
  /** Allowed error relative to the reference value. */
  readonly rtol: number;
  /** Absolute floor, relative to the largest reference magnitude of the array (at least 1). */
  readonly atol: number;
}

/**
 * Gradients from a float32 forward and backward are good to a few float32 ulps times the depth of
 * the computation (the CPU backend passes at 2e-5 over many runs); 1e-4 relative leaves room for
 * cancellation in sums and for less exact devices, and still catches a derivative whose formula
 * is slightly off (a wrong constant in its fourth digit), not only ones that are wrong by O(1).
 * The float64 finite differences themselves are good to ~1e-9.
 */
export const GRADIENT_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** A float32 forward against float64: rounding of inputs and result, a few ulps of arithmetic. */
export const FORWARD_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-6 };

export interface GradCheckOptions {
  readonly tolerance?: Tolerance;
  /** Indices of the inputs to differentiate (default: all). The others are constants (indices, masks). */
  readonly wrt?: readonly number[];
  /** Finite-difference step relative to max(1, |x|); float64 central differences are best near 1e-5. */
  readonly step?: number;
  /** Seeds the cotangent. */
  readonly seed?: number;
  /** Names the case in failure messages. */
  readonly label?: string;
}

/** A tiny deterministic generator (mulberry32) for cotangents, independent of the library's RNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function toTensor(a: NdArray, requiresGrad = false): Tensor {
  return tensor(Float32Array.from(a.data), a.shape, { requiresGrad });
}

export function fromTensor(t: Tensor): NdArray {
  return nd(t.shape, t.dataSync());
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]!) > m) m = Math.abs(values[i]!);
  return m;
}

/** Positions where `actual` is not within tolerance of `expected` (NaN matches only NaN). */
export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): number[] {
  const scale = Math.max(1, maxAbs(Array.from(expected).filter(Number.isFinite)));
  const bad: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) bad.push(i);
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) bad.push(i);
    } else if (Math.abs(a - e) > tol.rtol * Math.abs(e) + tol.atol * scale) {
      bad.push(i);
    }
  }
  return bad;
}

/** Asserts elementwise closeness, listing the first few offending positions. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label = "values"): void {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} values, expected ${expected.length}`);
  const bad = mismatches(actual, expected, tol);
  if (bad.length > 0) {
    const show = bad.slice(0, 5).map((i) => `[${i}] got ${actual[i]} expected ${expected[i]}`);
    assert.fail(`${label}: ${bad.length} of ${expected.length} values outside rtol ${tol.rtol}, atol ${tol.atol}: ${show.join("; ")}`);
  }
}

/** Runs `fn` on the inputs (no gradient) and compares its result with `reference` in float64. */
export function checkForward(
  fn: (...xs: Tensor[]) => Tensor,
  reference: (...xs: NdArray[]) => NdArray,
  inputs: readonly NdArray[],
  options: { tolerance?: Tolerance; label?: string } = {},
): void {
  const label = options.label ?? "forward";
  const rounded = inputs.map(roundToFloat32);
  const expected = reference(...rounded);
  const actual = tidy(() => fromTensor(fn(...rounded.map((a) => toTensor(a)))));
  assert.deepEqual([...actual.shape], [...expected.shape], `${label}: result shape`);
  assertClose(actual.data, expected.data, options.tolerance ?? FORWARD_TOLERANCE, label);
}

/** Σ w · reference(inputs) in float64. */
function weightedLoss(reference: (...xs: NdArray[]) => NdArray, inputs: readonly NdArray[], w: Float64Array): number {
  const y = reference(...inputs);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * y.data[i]!;
  return s;
}

/**
 * Asserts that the autograd gradients of `fn` match central finite differences of `reference`
 * in float64. `fn` and `reference` take their inputs in the same order.
 */
export function checkGradients(
  fn: (...xs: Tensor[]) => Tensor,
  reference: (...xs: NdArray[]) => NdArray,
  inputs: readonly NdArray[],
  options: GradCheckOptions = {},
): void {
  const label = options.label ?? "gradient";
  const tol = options.tolerance ?? GRADIENT_TOLERANCE;
  const wrt = options.wrt ?? inputs.map((_, i) => i);
  const step = options.step ?? 1e-5;
  const x64 = inputs.map(roundToFloat32);
  const y64 = reference(...x64);
  const random = mulberry32(options.seed ?? 12345);
  // Weights in ±[0.5, 1.5): no output is ignored and none dominates.
  const w = new Float64Array(size(y64.shape)).map(() => (random() < 0.5 ? -1 : 1) * (0.5 + random()));

  const grads = tidy(() => {
    const ts = x64.map((a, i) => toTensor(a, wrt.includes(i)));
    const y = fn(...ts);
    assert.deepEqual([...y.shape], [...y64.shape], `${label}: result shape`);
    y.backward(toTensor(nd(y64.shape, w)));
    const out = ts.map((t) => (t.grad ? t.grad.dataSync() : null));
    for (const t of ts) t.zeroGrad();
    return out;
  });

  for (const i of wrt) {
    const g = grads[i];
    assert.ok(g, `${label}: input ${i} got no gradient`);
    const x = x64[i]!;
    const fd = new Float64Array(x.data.length);
    for (let j = 0; j < x.data.length; j++) {
      const h = step * Math.max(1, Math.abs(x.data[j]!));
      const plus = x64.slice();
      const minus = x64.slice();
      const up = nd(x.shape, x.data);
      const down = nd(x.shape, x.data);
      up.data[j] = x.data[j]! + h;
      down.data[j] = x.data[j]! - h;
      plus[i] = up;
      minus[i] = down;
      fd[j] = (weightedLoss(reference, plus, w) - weightedLoss(reference, minus, w)) / (up.data[j]! - down.data[j]!);
    }
    assertClose(g, fd, tol, `${label}: d/d(input ${i} of shape [${x.shape.join(", ")}])`);
  }
}
