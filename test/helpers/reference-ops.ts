// Float64 reference definitions of the elementwise ops, written from the definitions (PyTorch's,
// as in DESIGN.md's activation table) and NOT from tunegrad's op table: different formulas where
// the library has a choice (erf by series and continued fraction instead of a Chebyshev fit,
// mish in closed form, sigmoid written naively, which float64 evaluates exactly over the whole
// range that matters to float32). NaN in gives NaN out in every one of them.

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** erf(z) by its Maclaurin series; accurate to ~1e-16 for |z| ≤ 1 (its terms grow like e^{z²}). */
function erfSeries(z: number): number {
  let term = z;
  let total = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    const add = term / (2 * n + 1);
    total += add;
    if (Math.abs(add) < 1e-17 * Math.abs(total)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * total;
}

/**
 * erfc(z) for z ≥ 1 by its continued fraction (300 terms: converged to 1e-16 from z = 1 on)
 * erfc z = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), evaluated bottom-up.
 */
function erfcContinuedFraction(z: number): number {
  let tail = z;
  for (let n = 300; n >= 1; n--) tail = z + n / 2 / tail;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / tail;
}

export function erfRef(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (Math.abs(z) <= 1) return erfSeries(z);
  const c = erfcContinuedFraction(Math.abs(z));
  return z > 0 ? 1 - c : c - 1;
}

export function erfcRef(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z >= 1) return erfcContinuedFraction(z);
  if (z <= -1) return 2 - erfcContinuedFraction(-z);
  return 1 - erfSeries(z);
}

/** The standard normal CDF Φ(x), accurate in both tails. */
export function normalCdfRef(x: number): number {
  return 0.5 * erfcRef(-x / Math.SQRT2);
}

export function sigmoidRef(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** tanh through expm1, which keeps full precision near 0 and saturates cleanly. */
export function tanhRef(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > 20) return Math.sign(x);
  const e = Math.expm1(2 * Math.abs(x));
  return (Math.sign(x) * e) / (e + 2) || x; // `|| x` keeps the sign of ±0
}

/** log(1 + e^x): the direct formula where e^x is finite, the asymptote x + log1p(e^-x) beyond. */
export function softplusRef(x: number): number {
  return x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * mish(x) = x·tanh(log(1 + e^x)). With u = e^x, tanh(log(1 + u)) = u(u + 2) / (u(u + 2) + 2), and
 * with v = e^-x it is (1 + 2v) / (1 + 2v + 2v²): each form has no cancellation on its side of 0.
 */
export function mishRef(x: number): number {
  if (x <= 0) {
    const u = Math.exp(x);
    const t = u * (u + 2);
    return (x * t) / (t + 2);
  }
  const v = Math.exp(-x);
  return (x * (1 + 2 * v)) / (1 + 2 * v + 2 * v * v);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** 0.5·x·(1 + tanh(u)) = x·sigmoid(2u): the same value, without 1 + tanh cancelling to 0. */
export function geluTanhRef(x: number): number {
  const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
  return x * sigmoidRef(2 * u);
}

export interface ReferenceOp {
  /** The value in float64; `p` holds the op's parameters with defaults filled in. */
  readonly f: (x: number, p: readonly number[]) => number;
  /** The derivative at the op's kinks, where the library follows PyTorch's choice. */
  readonly derivativeAtKink?: (x: number, p: readonly number[]) => number | undefined;
  /** Points where f is not differentiable. */
  readonly kinks?: (p: readonly number[]) => number[];
}

const nanSafe = (f: (x: number, p: readonly number[]) => number) => (x: number, p: readonly number[]) => (Number.isNaN(x) ? NaN : f(x, p));
const atZero = (value: (p: readonly number[]) => number) => (x: number, p: readonly number[]) => (x === 0 ? value(p) : undefined);

/** Independent float64 references for every built-in unary op of the op table, by key. */
export const referenceOps: Readonly<Record<string, ReferenceOp>> = {
  neg: { f: (x) => -x },
  exp: { f: (x) => Math.exp(x) },
  log: { f: (x) => Math.log(x) },
  sqrt: { f: (x) => Math.sqrt(x) },
  abs: { f: (x) => Math.abs(x), kinks: () => [0], derivativeAtKink: atZero(() => 0) },
  clamp: {
    f: nanSafe((x, [lo, hi]) => Math.min(Math.max(x, lo!), hi!)),
    kinks: ([lo, hi]) => [lo!, hi!].filter(Number.isFinite),
    // PyTorch's clamp passes the gradient at the bounds themselves.
    derivativeAtKink: (x, [lo, hi]) => (x === lo || x === hi ? 1 : undefined),
  },
  relu: { f: nanSafe((x) => (x > 0 ? x : 0)), kinks: () => [0], derivativeAtKink: atZero(() => 0) },
  tanh: { f: tanhRef },
  sigmoid: { f: sigmoidRef },
  mish: { f: nanSafe(mishRef) },
  softplus: { f: nanSafe((x, [beta]) => softplusRef(beta! * x) / beta!) },
  gelu: { f: nanSafe((x) => x * normalCdfRef(x)) },
  geluTanh: { f: nanSafe(geluTanhRef) },
  silu: { f: (x) => x * sigmoidRef(x) },
  elu: {
    f: nanSafe((x, [alpha]) => (x > 0 ? x : alpha! * Math.expm1(x))),
    kinks: () => [0],
    derivativeAtKink: atZero(([alpha]) => alpha!),
  },
  leakyRelu: {
    f: nanSafe((x, [slope]) => (x >= 0 ? x : slope! * x)),
    kinks: () => [0],
    derivativeAtKink: atZero(([slope]) => slope!),
  },
  selu: {
    f: nanSafe((x) => SELU_SCALE * (Math.max(0, x) + Math.min(0, SELU_ALPHA * Math.expm1(x)))),
    kinks: () => [0],
    derivativeAtKink: atZero(() => SELU_SCALE * SELU_ALPHA),
  },
  softsign: { f: (x) => x / (1 + Math.abs(x)) },
  hardtanh: {
    f: nanSafe((x, [lo, hi]) => Math.min(Math.max(x, lo!), hi!)),
    kinks: ([lo, hi]) => [lo!, hi!],
    derivativeAtKink: (x, [lo, hi]) => (x === lo || x === hi ? 0 : undefined),
  },
  hardSigmoid: {
    f: nanSafe((x) => Math.min(Math.max(x / 6 + 0.5, 0), 1)),
    kinks: () => [-3, 3],
    derivativeAtKink: (x) => (x === -3 || x === 3 ? 0 : undefined),
  },
  hardSwish: {
    f: nanSafe((x) => x * Math.min(Math.max(x / 6 + 0.5, 0), 1)),
    kinks: () => [-3, 3],
    // PyTorch's hardswish_backward: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above.
    derivativeAtKink: (x) => (x === -3 ? -0.5 : x === 3 ? 1.5 : undefined),
  },
};

/**
 * Where to sample an op's inputs for gradient checks, and extra parameter sets to test besides
 * the defaults. Ops not listed are smooth on [-4, 4] with default parameters only.
 */
export interface OpDomain {
  readonly min: number;
  readonly max: number;
  readonly paramSets?: readonly (readonly number[])[];
}

export const opDomains: Readonly<Record<string, OpDomain>> = {
  log: { min: 0.05, max: 4 },
  sqrt: { min: 0.05, max: 4 },
  exp: { min: -4, max: 3 },
  clamp: { min: -3, max: 3, paramSets: [[-0.5, 0.7], [-Infinity, 1], [0, Infinity]] },
  softplus: { min: -4, max: 4, paramSets: [[2], [0.5]] },
  elu: { min: -4, max: 4, paramSets: [[0.5]] },
  leakyRelu: { min: -4, max: 4, paramSets: [[0.2]] },
  hardtanh: { min: -3, max: 3, paramSets: [[-2, 0.5]] },
  hardSigmoid: { min: -5, max: 5 },
  hardSwish: { min: -5, max: 5 },
};

export function domainOf(op: string): OpDomain {
  return opDomains[op] ?? { min: -4, max: 4 };
}

/** Moves x at least `margin` away from every kink, so that finite differences do not straddle one. */
export function awayFromKinks(x: number, kinks: readonly number[], margin: number): number {
  for (const k of kinks) {
    if (Math.abs(x - k) < margin) x = x >= k ? k + margin : k - margin;
  }
  return x;
}
