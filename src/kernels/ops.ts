// The op table: the one source of truth for every elementwise op (DESIGN principle 1).
//
// Each entry holds its value and its derivative twice: once in TypeScript (the CPU backend and
// the property tests use it) and once as a WGSL expression (the WebGPU backend compiles it).
// Unary expressions are written in `x` and the op's parameters `p0`, `p1`; binary ones in `a`
// and `b`. The WGSL helpers they call (`tg_*`) live in WGSL_PRELUDE below. Derivatives are
// data, as in tinygrad's gradient table: the autograd engine turns them into fused
// `dy * f'(x)` kernels, so a new activation is one entry here and nothing else.

export interface OpParam {
  readonly name: string;
  readonly default: number;
  /** The parameter must be greater than 0. */
  readonly positive?: boolean;
}

export interface UnaryOpDef {
  readonly name: string;
  readonly params?: readonly OpParam[];
  readonly ts: {
    readonly f: (x: number, p: readonly number[]) => number;
    readonly df: (x: number, p: readonly number[]) => number;
  };
  readonly wgsl: { readonly f: string; readonly df: string };
  /**
   * Where backward gets f′ from, when a gradient is needed:
   * - "forward" (the default): the forward writes f′ beside f, sharing the exp, log or division
   *   they have in common, and backward multiplies dy by it;
   * - "input": f′ is cheap to recompute from x (a piecewise polynomial), so the forward saves
   *   nothing and backward runs dy·f′(x) (Backend.unaryGrad);
   * - "output": f′ = f (exp), so backward multiplies dy by the result itself and nothing else is
   *   saved.
   */
  readonly derivativeFrom?: "forward" | "input" | "output";
  /** A condition on the parameters together (resolveParams checks it): what is wrong, or undefined. */
  readonly checkParams?: (p: readonly number[]) => string | undefined;
  /** True for the ops that the activations registry offers as modules. */
  readonly activation?: boolean;
  /** The weight initialisation that suits a layer feeding this activation. */
  readonly init?: "kaiming" | "xavier";
  readonly description?: string;
}

export interface BinaryOpDef {
  readonly name: string;
  readonly ts: {
    readonly f: (a: number, b: number) => number;
    readonly da: (a: number, b: number) => number;
    readonly db: (a: number, b: number) => number;
  };
  readonly wgsl: { readonly f: string; readonly da: string; readonly db: string };
  /** Comparisons give 0/1 and have no gradient. */
  readonly differentiable: boolean;
}

// Constants of the formulas below, shared with the CPU's WebAssembly kernels.
export const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
export const INV_SQRT_2 = Math.SQRT1_2;
export const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
/** The cubic coefficient of geluTanh's √(2/π)·(x + 0.044715·x³). */
export const GELU_CUBIC = 0.044715;
/** Past this x, mish(x) = x and mish′(x) = 1 in float64, and so in float32. */
export const MISH_LINEAR_FROM = 20;
/**
 * Numerical Recipes' Chebyshev fit of erfc (fractional error below 1.2e-7): for z ≥ 0 and
 * t = 1/(1 + z/2), erfc(z) = t·e^(−z² + P(t)) with P's coefficients here from t⁰ up.
 */
export const ERFC_POLY = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277] as const;

// --- TypeScript helpers (float64; results are rounded to float32 when stored) ---------------

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow for large x or loss of the tail for very negative x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * erfc with fractional error below 1.2e-7 everywhere (ERFC_POLY), the same formula as the WGSL
 * `tg_erfc` and the CPU kernel, so the backends agree; float32 cannot hold more.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z + ERFC_POLY.reduceRight((p, c) => p * t + c, 0));
  return x >= 0 ? r : 2 - r;
}

/** tanh(softplus(x)) from e = e^x. */
function mishTanhSoftplus(e: number): number {
  const n = e * (e + 2);
  return n / (n + 2);
}

function geluTanhInner(x: number): number {
  return SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
}

/** A number as a WGSL f32 literal (with a decimal point, which WGSL needs to make it a float). */
const f = (n: number) => {
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
};

// --- WGSL helpers -----------------------------------------------------------------------------

/** Functions the WGSL expressions of the table may call. Included once in every generated shader. */
export const WGSL_PRELUDE = /* wgsl */ `
fn tg_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
fn tg_log1p(y: f32) -> f32 {
  return select(log(1.0 + y), y * (1.0 - 0.5 * y), abs(y) < 1e-4);
}
fn tg_expm1(x: f32) -> f32 {
  return select(exp(x) - 1.0, x * (1.0 + 0.5 * x), abs(x) < 1e-4);
}
fn tg_softplus(x: f32) -> f32 {
  return max(x, 0.0) + tg_log1p(exp(-abs(x)));
}
// The builtin tanh can overflow to inf/inf for large |x| on some drivers.
fn tg_tanh(x: f32) -> f32 {
  let big = sign(x) * (1.0 - 2.0 / (exp(2.0 * abs(x)) + 1.0));
  return select(big, tanh(x), abs(x) < 4.0);
}
// mish's tanh(softplus(x)) and derivative from one exp (see the mish entry of the table).
fn tg_mish_t(x: f32) -> f32 {
  let e = exp(min(x, ${f(MISH_LINEAR_FROM)}));
  let n = e * (e + 2.0);
  return n / (n + 2.0);
}
fn tg_mish_df(x: f32) -> f32 {
  if (x > ${f(MISH_LINEAR_FROM)}) { return 1.0; }
  let e = exp(x);
  let n = e * (e + 2.0);
  let d = n + 2.0;
  return n / d + x * (4.0 * n + 4.0) / (d * d) * (e / (1.0 + e));
}
fn tg_erfc(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z + ${ERFC_POLY.slice(0, -1).reduceRight((inner, c) => `${f(c)} + t * (${inner})`, f(ERFC_POLY.at(-1)!))});
  return select(2.0 - r, r, x >= 0.0);
}
// A float from its bit pattern at run time: Tint rejects a NaN written as a constant expression.
fn tg_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }
// pow with a negative base and an integral exponent, as in IEEE pow (WGSL's pow leaves it undefined).
fn tg_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  let m = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (floor(b) != b) { return tg_f32_bits(0x7fc00000u); }
    return select(m, -m, abs(b) % 2.0 == 1.0);
  }
  return m;
}
`;

/** clamp's and hardtanh's bounds: an empty interval would make f constant. */
const minNotAboveMax = ([lo, hi]: readonly number[]) => (lo! > hi! ? `min (${lo}) must not exceed max (${hi})` : undefined);

// --- The table --------------------------------------------------------------------------------

const unaryOps: UnaryOpDef[] = [
  { name: "neg", derivativeFrom: "input", ts: { f: (x) => -x, df: () => -1 }, wgsl: { f: "-x", df: "-1.0" } },
  { name: "exp", derivativeFrom: "output", ts: { f: Math.exp, df: Math.exp }, wgsl: { f: "exp(x)", df: "exp(x)" } },
  { name: "log", ts: { f: Math.log, df: (x) => 1 / x }, wgsl: { f: "log(x)", df: "1.0 / x" } },
  { name: "sqrt", ts: { f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x) }, wgsl: { f: "sqrt(x)", df: "0.5 / sqrt(x)" } },
  { name: "abs", derivativeFrom: "input", ts: { f: Math.abs, df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) }, wgsl: { f: "abs(x)", df: "sign(x)" } },
  {
    name: "clamp",
    derivativeFrom: "input",
    params: [{ name: "min", default: -Infinity }, { name: "max", default: Infinity }],
    checkParams: minNotAboveMax,
    ts: {
      f: (x, [lo, hi]) => (x < lo! ? lo! : x > hi! ? hi! : x),
      df: (x, [lo, hi]) => (x >= lo! && x <= hi! ? 1 : 0),
    },
    wgsl: { f: "clamp(x, p0, p1)", df: "select(0.0, 1.0, x >= p0 && x <= p1)" },
  },
  {
    name: "relu",
    derivativeFrom: "input",
    activation: true,
    init: "kaiming",
    description: "max(0, x)",
    ts: { f: (x) => (x <= 0 ? 0 : x), df: (x) => (x > 0 ? 1 : 0) },
    wgsl: { f: "select(x, 0.0, x <= 0.0)", df: "select(0.0, 1.0, x > 0.0)" },
  },
  {
    name: "tanh",
    activation: true,
    init: "xavier",
    description: "tanh(x)",
    ts: { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
    wgsl: { f: "tg_tanh(x)", df: "1.0 - tg_tanh(x) * tg_tanh(x)" },
  },
  {
    name: "sigmoid",
    activation: true,
    init: "xavier",
    description: "1 / (1 + e^-x)",
    ts: { f: sigmoid, df: (x) => sigmoid(x) * (1 - sigmoid(x)) },
    wgsl: { f: "tg_sigmoid(x)", df: "tg_sigmoid(x) * (1.0 - tg_sigmoid(x))" },
  },
  {
    // tanh(softplus(x)) = n / (n + 2) with n = e^x (e^x + 2): one exp instead of exp, log1p and
    // tanh, so mish costs about what silu does. Past x = 20 it equals 1 in float64.
    name: "mish",
    activation: true,
    init: "kaiming",
    description: "x * tanh(softplus(x))",
    ts: {
      f: (x) => (x > MISH_LINEAR_FROM ? x : x * mishTanhSoftplus(Math.exp(x))),
      df: (x) => {
        if (x > MISH_LINEAR_FROM) return 1;
        const e = Math.exp(x);
        const n = e * (e + 2);
        const d = n + 2;
        // d/dx = t + x (1 − t²) sigmoid(x), with 1 − t² = (4n + 4) / d².
        return n / d + (x * (4 * n + 4)) / (d * d) * (e / (1 + e));
      },
    },
    wgsl: { f: `select(x * tg_mish_t(x), x, x > ${f(MISH_LINEAR_FROM)})`, df: "tg_mish_df(x)" },
  },
  {
    name: "softplus",
    activation: true,
    init: "kaiming",
    description: "log(1 + e^(beta x)) / beta",
    params: [{ name: "beta", default: 1, positive: true }],
    ts: { f: (x, [beta]) => softplus(beta! * x) / beta!, df: (x, [beta]) => sigmoid(beta! * x) },
    wgsl: { f: "tg_softplus(p0 * x) / p0", df: "tg_sigmoid(p0 * x)" },
  },
  {
    name: "gelu",
    activation: true,
    init: "kaiming",
    description: "x * Phi(x), the exact (erf) form",
    ts: {
      f: (x) => 0.5 * x * erfc(-x * INV_SQRT_2),
      df: (x) => 0.5 * erfc(-x * INV_SQRT_2) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI,
    },
    wgsl: {
      f: `0.5 * x * tg_erfc(-x * ${f(INV_SQRT_2)})`,
      df: `0.5 * tg_erfc(-x * ${f(INV_SQRT_2)}) + x * exp(-0.5 * x * x) * ${f(INV_SQRT_2PI)}`,
    },
  },
  {
    // 0.5·x·(1 + tanh(u)) is computed as x·sigmoid(2u), the same value without the
    // cancellation in 1 + tanh(u) for very negative x.
    name: "geluTanh",
    activation: true,
    init: "kaiming",
    description: "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
    ts: {
      f: (x) => x * sigmoid(2 * geluTanhInner(x)),
      df: (x) => {
        const s = sigmoid(2 * geluTanhInner(x));
        return s + 2 * x * s * (1 - s) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x);
      },
    },
    wgsl: {
      f: `x * tg_sigmoid(${f(2 * SQRT_2_OVER_PI)} * (x + ${f(GELU_CUBIC)} * x * x * x))`,
      df:
        `tg_sigmoid(${f(2 * SQRT_2_OVER_PI)} * (x + ${f(GELU_CUBIC)} * x * x * x)) * (1.0 + 2.0 * x * ` +
        `(1.0 - tg_sigmoid(${f(2 * SQRT_2_OVER_PI)} * (x + ${f(GELU_CUBIC)} * x * x * x))) * ${f(SQRT_2_OVER_PI)} * (1.0 + ${f(3 * GELU_CUBIC)} * x * x))`,
    },
  },
  {
    name: "silu",
    activation: true,
    init: "kaiming",
    description: "x * sigmoid(x)",
    ts: { f: (x) => x * sigmoid(x), df: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))) },
    wgsl: { f: "x * tg_sigmoid(x)", df: "tg_sigmoid(x) * (1.0 + x * (1.0 - tg_sigmoid(x)))" },
  },
  {
    name: "elu",
    activation: true,
    init: "kaiming",
    description: "x if x > 0 else alpha (e^x - 1)",
    params: [{ name: "alpha", default: 1 }],
    ts: { f: (x, [a]) => (x > 0 ? x : a! * Math.expm1(x)), df: (x, [a]) => (x > 0 ? 1 : a! * Math.exp(x)) },
    wgsl: { f: "select(p0 * tg_expm1(x), x, x > 0.0)", df: "select(p0 * exp(x), 1.0, x > 0.0)" },
  },
  {
    name: "leakyRelu",
    derivativeFrom: "input",
    activation: true,
    init: "kaiming",
    description: "x if x >= 0 else slope x",
    params: [{ name: "slope", default: 0.01 }],
    ts: { f: (x, [s]) => (x >= 0 ? x : s! * x), df: (x, [s]) => (x > 0 ? 1 : s!) },
    wgsl: { f: "select(p0 * x, x, x >= 0.0)", df: "select(p0, 1.0, x > 0.0)" },
  },
  {
    name: "selu",
    activation: true,
    init: "xavier",
    description: "scale (max(0, x) + min(0, alpha (e^x - 1)))",
    ts: {
      f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
      df: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
    },
    wgsl: {
      f: `${f(SELU_SCALE)} * select(${f(SELU_ALPHA)} * tg_expm1(x), x, x > 0.0)`,
      df: `${f(SELU_SCALE)} * select(${f(SELU_ALPHA)} * exp(x), 1.0, x > 0.0)`,
    },
  },
  {
    name: "softsign",
    activation: true,
    init: "xavier",
    description: "x / (1 + |x|)",
    ts: { f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 },
    wgsl: { f: "x / (1.0 + abs(x))", df: "1.0 / ((1.0 + abs(x)) * (1.0 + abs(x)))" },
  },
  {
    name: "hardtanh",
    derivativeFrom: "input",
    activation: true,
    init: "xavier",
    description: "clamp(x, min, max)",
    params: [{ name: "min", default: -1 }, { name: "max", default: 1 }],
    checkParams: minNotAboveMax,
    ts: {
      f: (x, [lo, hi]) => (x < lo! ? lo! : x > hi! ? hi! : x),
      df: (x, [lo, hi]) => (x > lo! && x < hi! ? 1 : 0),
    },
    wgsl: { f: "clamp(x, p0, p1)", df: "select(0.0, 1.0, x > p0 && x < p1)" },
  },
  {
    name: "hardSigmoid",
    derivativeFrom: "input",
    activation: true,
    init: "xavier",
    description: "clamp(x / 6 + 1/2, 0, 1)",
    ts: {
      f: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
      df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
    },
    wgsl: { f: "clamp(x / 6.0 + 0.5, 0.0, 1.0)", df: "select(0.0, 1.0 / 6.0, x > -3.0 && x < 3.0)" },
  },
  {
    name: "hardSwish",
    derivativeFrom: "input",
    activation: true,
    init: "kaiming",
    description: "x * hardSigmoid(x)",
    ts: {
      f: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
      df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
    },
    wgsl: {
      f: "x * clamp(x / 6.0 + 0.5, 0.0, 1.0)",
      df: "select(select(x / 3.0 + 0.5, 1.0, x > 3.0), 0.0, x < -3.0)",
    },
  },
];

const cmp = (name: string, ts: (a: number, b: number) => boolean, wgslOp: string): BinaryOpDef => ({
  name,
  differentiable: false,
  ts: { f: (a, b) => (ts(a, b) ? 1 : 0), da: () => 0, db: () => 0 },
  wgsl: { f: `select(0.0, 1.0, a ${wgslOp} b)`, da: "0.0", db: "0.0" },
});

const binaryOps: BinaryOpDef[] = [
  { name: "add", differentiable: true, ts: { f: (a, b) => a + b, da: () => 1, db: () => 1 }, wgsl: { f: "a + b", da: "1.0", db: "1.0" } },
  { name: "sub", differentiable: true, ts: { f: (a, b) => a - b, da: () => 1, db: () => -1 }, wgsl: { f: "a - b", da: "1.0", db: "-1.0" } },
  { name: "mul", differentiable: true, ts: { f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a }, wgsl: { f: "a * b", da: "b", db: "a" } },
  {
    name: "div",
    differentiable: true,
    ts: { f: (a, b) => a / b, da: (_a, b) => 1 / b, db: (a, b) => -a / (b * b) },
    wgsl: { f: "a / b", da: "1.0 / b", db: "-a / (b * b)" },
  },
  {
    name: "pow",
    differentiable: true,
    ts: {
      f: Math.pow,
      da: (a, b) => (b === 0 ? 0 : b * Math.pow(a, b - 1)),
      db: (a, b) => (a === 0 ? 0 : Math.pow(a, b) * Math.log(a)),
    },
    wgsl: {
      f: "tg_pow(a, b)",
      da: "select(b * tg_pow(a, b - 1.0), 0.0, b == 0.0)",
      db: "select(tg_pow(a, b) * log(a), 0.0, a == 0.0)",
    },
  },
  {
    // At a tie the gradient is split evenly, as PyTorch does.
    name: "maximum",
    differentiable: true,
    ts: {
      f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
      da: (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
      db: (a, b) => (b > a ? 1 : a === b ? 0.5 : 0),
    },
    wgsl: { f: "max(a, b)", da: "select(select(0.0, 0.5, a == b), 1.0, a > b)", db: "select(select(0.0, 0.5, a == b), 1.0, b > a)" },
  },
  {
    name: "minimum",
    differentiable: true,
    ts: {
      f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
      da: (a, b) => (a < b ? 1 : a === b ? 0.5 : 0),
      db: (a, b) => (b < a ? 1 : a === b ? 0.5 : 0),
    },
    wgsl: { f: "min(a, b)", da: "select(select(0.0, 0.5, a == b), 1.0, a < b)", db: "select(select(0.0, 0.5, a == b), 1.0, b < a)" },
  },
  cmp("eq", (a, b) => a === b, "=="),
  cmp("ne", (a, b) => a !== b, "!="),
  cmp("lt", (a, b) => a < b, "<"),
  cmp("le", (a, b) => a <= b, "<="),
  cmp("gt", (a, b) => a > b, ">"),
  cmp("ge", (a, b) => a >= b, ">="),
];

export type BuiltinUnaryOp = (typeof BUILTIN_UNARY)[number];
export const BUILTIN_UNARY = [
  "neg", "exp", "log", "sqrt", "abs", "clamp",
  "relu", "tanh", "sigmoid", "mish", "softplus", "gelu", "geluTanh", "silu", "elu", "leakyRelu",
  "selu", "softsign", "hardtanh", "hardSigmoid", "hardSwish",
] as const;
export type ActivationOp = Exclude<BuiltinUnaryOp, "neg" | "exp" | "log" | "sqrt" | "abs" | "clamp">;
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";

const unaryTable = new Map<string, UnaryOpDef>(unaryOps.map((op) => [op.name, op]));
const binaryTable = new Map<string, BinaryOpDef>(binaryOps.map((op) => [op.name, op]));

export function unaryOp(name: string): UnaryOpDef {
  const op = unaryTable.get(name);
  if (!op) throw new Error(`unknown elementwise op "${name}"; the op table has: ${[...unaryTable.keys()].join(", ")}`);
  return op;
}

export function binaryOp(name: string): BinaryOpDef {
  const op = binaryTable.get(name);
  if (!op) throw new Error(`unknown binary op "${name}"; the op table has: ${[...binaryTable.keys()].join(", ")}`);
  return op;
}

export function listUnaryOps(): UnaryOpDef[] {
  return [...unaryTable.values()];
}

export function listBinaryOps(): BinaryOpDef[] {
  return [...binaryTable.values()];
}

/** The op parameters with defaults filled in, checked against the op's declared parameters. */
export function resolveParams(op: UnaryOpDef, given: readonly number[]): number[] {
  const declared = op.params ?? [];
  if (given.length > declared.length) {
    throw new Error(
      `${op.name} takes ${declared.length === 0 ? "no parameters" : `at most ${declared.length} (${declared.map((p) => p.name).join(", ")})`}, got ${given.length}`,
    );
  }
  const resolved = declared.map((p, i) => {
    const v = given[i] ?? p.default;
    if (typeof v !== "number" || Number.isNaN(v)) throw new Error(`${op.name}: parameter ${p.name} must be a number, got ${String(v)}`);
    if (p.positive && !(v > 0)) throw new Error(`${op.name}: parameter ${p.name} must be greater than 0, got ${v}`);
    return v;
  });
  const wrong = op.checkParams?.(resolved);
  if (wrong !== undefined) throw new Error(`${op.name}: ${wrong}`);
  return resolved;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Called with each op defined at run time, before it joins the table; may refuse it by throwing. */
type DefinitionHook = (name: string) => void;
const definitionHooks: DefinitionHook[] = [];

/**
 * Runs `hook` for every op defineUnaryOp adds from now on (the tensor layer installs each as a
 * Tensor method this way; this layer cannot import that one).
 */
export function onUnaryOpDefined(hook: DefinitionHook): void {
  definitionHooks.push(hook);
}

/**
 * Add an elementwise op to the table at run time (custom fused activations). The name must be
 * new unless `replace` is set; the nn layer checks the derivative before calling this.
 */
export function defineUnaryOp(op: UnaryOpDef, options: { replace?: boolean } = {}): void {
  if (!NAME.test(op.name)) throw new Error(`op name "${op.name}" must be an identifier (letters, digits, _), as it becomes a method name`);
  if ((BUILTIN_UNARY as readonly string[]).includes(op.name) || binaryTable.has(op.name)) {
    throw new Error(`"${op.name}" is a built-in op and cannot be replaced`);
  }
  if (unaryTable.has(op.name) && !options.replace) {
    throw new Error(`an op named "${op.name}" is already in the op table; pass { replace: true } to replace it`);
  }
  for (const hook of definitionHooks) hook(op.name);
  unaryTable.set(op.name, op);
}
