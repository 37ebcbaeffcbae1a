// Each activation against independent float64 references (test/helpers/reference-ops.ts: erf by
// series and continued fraction, mish in closed form, ...) at ordinary and extreme inputs, and
// the numerically delicate compositions (logSumExp, cross-entropy) at ±100 and ±1e4.
//
// Tolerances, stated once:
// - values: |y − ref| ≤ 1e-6·|ref| + 1e-30. 1e-6 is ~8 float32 ulps (rounding of the result,
//   plus the 1.2e-7 error of the erfc fit behind gelu); the 1e-30 floor only admits results whose
//   true value is below float32's normal range, such as geluTanh(−10) ≈ −1e−37, which float32
//   arithmetic flushes towards 0 (as PyTorch's float32 kernels do).
//   gelu and geluTanh: 2e-5 relative. Their float32 kernels take e^u of a computed argument u
//   (x²/2, or a cubic in x), and the exponential turns u's rounding (once or twice) into a
//   relative error of up to about |u|·2⁻²³ with |u| ≤ 104; it shows only in the tail (x < −4,
//   values below 1e-4). PyTorch's
//   float32 form there, 0.5·x·(1 + erf(x/√2)), cancels to no correct digit at all.
// - derivatives: |y' − ref'| ≤ 1e-5·|ref'| + 1e-7, against a float64 central difference of the
//   reference with a step that does not reach a kink; at a kink itself, PyTorch's choice. These
//   derivatives are O(1), so 1e-7 is about one float32 ulp of 1; it admits the zero crossing of
//   gelu' near x = −0.75, where the 1.2e-7 error of the erfc fit cancels to a large relative error.
//
// Derivatives at NaN are not required to be NaN: like PyTorch's backward kernels, the kinked ones
// decide by comparisons (relu'(NaN) = 0, leakyRelu'(NaN) = slope, hardSwish'(NaN) = 1).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listUnaryOps, logSumExp, tensor, type Tensor, unary } from "../src/index.js";
import { assertClose, type Tolerance } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ndarray.js";
import { erfRef, referenceOps } from "./helpers/reference-ops.js";

const VALUE_TOLERANCE: Tolerance = { rtol: 1e-6, atol: 1e-30 };
const EXP_OF_COMPUTED_ARGUMENT: Tolerance = { rtol: 2e-5, atol: 1e-30 };
const valueTolerance = (op: string): Tolerance => (op === "gelu" || op === "geluTanh" ? EXP_OF_COMPUTED_ARGUMENT : VALUE_TOLERANCE);
const DERIVATIVE_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-7 };

const EXTREMES = [1e4, -1e4, 100, -100, 1e-8, -1e-8, 0, -0];
const ORDINARY = Array.from({ length: 321 }, (_, i) => -8 + i * 0.05).map(Math.fround);
const POINTS = [...EXTREMES, ...ORDINARY];

const activations = listUnaryOps().filter((op) => op.activation);

/**
 * |y − ref| ≤ rtol·|ref| + atol with an absolute atol (helpers/gradcheck's assertClose scales atol
 * by the array's largest value, which would hide errors in tiny values next to large ones).
 */
function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label: string, inputs: readonly number[] = POINTS): void {
  assert.equal(actual.length, expected.length, `${label}: number of values`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tol.rtol * Math.abs(e) + tol.atol;
    assert.ok(ok, `${label} at ${inputs[i] ?? i}: got ${a}, expected ${e} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

/** The derivative of the reference by a float64 central difference whose step stays clear of kinks. */
function referenceDerivative(f: (x: number) => number, x: number, kinks: readonly number[]): number {
  let h = 1e-6 * Math.max(1, Math.abs(x));
  for (const k of kinks) if (x !== k) h = Math.min(h, Math.abs(x - k) / 4);
  return (f(x + h) - f(x - h)) / (2 * h);
}

function valuesAndGrads(name: string, points: readonly number[], params: readonly number[] = []): { y: Float32Array; dy: Float32Array } {
  const x = tensor(points, undefined, { requiresGrad: true });
  const y = unary(x, name, params);
  y.sum().backward();
  return { y: y.dataSync(), dy: x.grad!.dataSync() };
}

describe("the float64 references themselves", () => {
  it("erf matches tabulated values (Abramowitz & Stegun 7.1) to 1e-15", () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.5, 0.9995930479825550],
      [3, 0.9999779095030014],
      [-1, -0.8427007929497149],
    ];
    for (const [z, v] of table) assert.ok(Math.abs(erfRef(z) - v) < 1e-15, `erf(${z}) = ${erfRef(z)}, table ${v}`);
  });
});

describe("activations at ordinary and extreme inputs", () => {
  for (const op of activations) {
    const reference = referenceOps[op.name];
    const params = (op.params ?? []).map((p) => p.default);

    it(`${op.name}: values within ${valueTolerance(op.name).rtol} relative of the float64 reference`, () => {
      assert.ok(reference, `no float64 reference for ${op.name}`);
      const { y } = valuesAndGrads(op.name, POINTS);
      const expected = POINTS.map((x) => reference.f(Math.fround(x), params));
      compare(y, expected, valueTolerance(op.name), op.name, POINTS);
    });

    it(`${op.name}: derivatives finite and within 1e-5 relative, PyTorch's choice at kinks`, () => {
      assert.ok(reference, `no float64 reference for ${op.name}`);
      const { dy } = valuesAndGrads(op.name, POINTS);
      const kinks = reference.kinks?.(params) ?? [];
      const f = (x: number) => reference.f(x, params);
      const expected = POINTS.map((x) => reference.derivativeAtKink?.(x, params) ?? referenceDerivative(f, x, kinks));
      for (const d of dy) assert.ok(Number.isFinite(d), `${op.name}' is not finite: ${d}`);
      compare(dy, expected, DERIVATIVE_TOLERANCE, `${op.name}'`);
    });

    it(`${op.name}: NaN in gives NaN out`, () => {
      const { y } = valuesAndGrads(op.name, [Number.NaN]);
      assert.ok(Number.isNaN(y[0]!), `${op.name}(NaN) = ${y[0]}`);
    });
  }

  it("has the definitions of DESIGN.md's table at a few exact points", () => {
    const at = (name: string, x: number, params: number[] = []) => unary(tensor([x]), name, params).dataSync()[0]!;
    assert.equal(at("relu", -0), 0);
    assert.equal(at("leakyRelu", -2), Math.fround(-0.02));
    assert.equal(at("hardtanh", 5), 1);
    assert.equal(at("hardSigmoid", 3), 1);
    assert.equal(at("hardSigmoid", 0), 0.5);
    assert.equal(at("hardSwish", 3), 3);
    assert.equal(at("softsign", 1), 0.5);
    assert.equal(at("selu", 1), Math.fround(1.0507009873554805));
    assert.equal(at("elu", -1e4), -1);
    assert.equal(at("softplus", 1e4, [1]), 1e4);
  });
});

describe("logSumExp and cross-entropy at ±100 and ±1e4", () => {
  // A float32 logit of magnitude L is only known to an ulp, so the absolute floor here scales with
  // the largest logit: |y − ref| ≤ 1e-6·|ref| + 4·2^-24·L.
  const logitTolerance = (logits: number[][]): Tolerance => ({ rtol: 1e-6, atol: 4 * 2 ** -24 * Math.max(1, ...logits.flat().map(Math.abs)) });
  const cases: number[][][] = [
    [[100, -100, 0], [-100, -100, -100], [100, 100, 100]],
    [[1e4, -1e4, 0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4], [1e4, 1e4 - 1, -1e4]],
    [[-1e4, 100, -100], [0, 1e-8, -1e-8], [3, 2, 1]],
  ];

  for (const logits of cases) {
    const scale = Math.max(...logits.flat().map(Math.abs));
    it(`logSumExp over rows of logits up to ${scale} is finite and matches float64`, () => {
      const x = tensor(logits, undefined, { requiresGrad: true });
      const y = logSumExp(x, 1);
      const expected = ref.logSumExp(ref.nd([logits.length, 3], logits.flat()), 1);
      for (const v of y.dataSync()) assert.ok(Number.isFinite(v), `logSumExp gave ${v}`);
      compare(y.dataSync(), expected.data, logitTolerance(logits), "logSumExp", logits.map((_, i) => i));
      y.sum().backward();
      const softmax = ref.softmax(ref.nd([logits.length, 3], logits.flat()), 1);
      for (const g of x.grad!.dataSync()) assert.ok(Number.isFinite(g), `logSumExp gradient ${g}`);
      assertClose(x.grad!.dataSync(), softmax.data, { rtol: 1e-5, atol: 1e-6 }, "logSumExp gradient (softmax)");
    });

    it(`cross-entropy (logSoftmax + gather) on logits up to ${scale} is finite and matches float64, for every label`, () => {
      for (let label = 0; label < 3; label++) {
        const x = tensor(logits, undefined, { requiresGrad: true });
        const labels = tensor(logits.map(() => [label]));
        const loss: Tensor = x.logSoftmax(1).gather(1, labels).neg().mean();
        const x64 = ref.nd([logits.length, 3], logits.flat());
        const picked = ref.gather(ref.logSoftmax(x64, 1), 1, ref.nd([logits.length, 1], logits.map(() => label)));
        const expected = -ref.mean(picked).data[0]!;
        const got = loss.dataSync()[0]!;
        assert.ok(Number.isFinite(got), `loss ${got}`);
        compare([got], [expected], logitTolerance(logits), `cross-entropy, label ${label}`, [0]);
        loss.backward();
        // d loss / d logits = (softmax − onehot) / N.
        const soft = ref.softmax(x64, 1);
        const grad = soft.data.map((p, i) => (p - (i % 3 === label ? 1 : 0)) / logits.length);
        for (const g of x.grad!.dataSync()) assert.ok(Number.isFinite(g), `cross-entropy gradient ${g}`);
        assertClose(x.grad!.dataSync(), grad, { rtol: 1e-5, atol: 1e-6 }, `cross-entropy gradient, label ${label}`);
      }
    });
  }
});
