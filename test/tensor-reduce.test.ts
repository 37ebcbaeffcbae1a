// Reductions over random axes (positive and negative, keepDims both ways) and softmax /
// logSoftmax, property-tested against float64 reference loops and float64 finite differences on
// random shapes of rank 0..4. Tolerances as in helpers/gradcheck.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { argmax, argmin, logSoftmax, logSumExp, max, mean, min, softmax, sum, type Tensor, tensor, zeros } from "../src/index.js";
import { arrayArb, axesArb, axisArb } from "./helpers/arbitraries.js";
import { checkForward, checkGradients } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ndarray.js";

const RUNS = 40;

type Reduction = (x: Tensor, axes?: number | readonly number[], keepDims?: boolean) => Tensor;
type ReferenceReduction = (a: ref.NdArray, axes?: number | readonly number[], keepDims?: boolean) => ref.NdArray;

const reductions: [string, Reduction, ReferenceReduction, boolean][] = [
  // name, op, reference, needs distinct values (the gradient of max/min follows the extreme element)
  ["sum", sum, ref.sum, false],
  ["mean", mean, ref.mean, false],
  ["max", max, ref.max, true],
  ["min", min, ref.min, true],
  ["logSumExp", logSumExp, ref.logSumExp, false],
];

describe("reductions over any axes", () => {
  for (const [name, op, rf, distinct] of reductions) {
    it(`${name}: forward and gradient over random axes, keepDims both ways, and over all axes`, () => {
      const cases = arrayArb({}, { distinct, min: -3, max: 3 }).chain((x) =>
        fc.tuple(fc.constant(x), fc.option(axesArb(x.shape.length), { nil: undefined }), fc.boolean()),
      );
      fc.assert(
        fc.property(cases, ([x, axes, keepDims]) => {
          const label = `${name}(axes ${JSON.stringify(axes)}, keepDims ${keepDims}) of [${x.shape}]`;
          const fn = (t: Tensor) => op(t, axes, keepDims);
          const r = (a: ref.NdArray) => rf(a, axes, keepDims);
          checkForward(fn, r, [x], { label });
          checkGradients(fn, r, [x], { label });
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("argmax/argmin: the first index of the extreme value along an axis, with ties", () => {
    const cases = arrayArb({ minRank: 1 }).chain((x) => fc.tuple(fc.constant(ref.map(x, Math.round)), axisArb(x.shape.length), fc.boolean()));
    fc.assert(
      fc.property(cases, ([x, axis, keepDims]) => {
        checkForward((t) => argmax(t, axis, keepDims), (a) => ref.argExtreme(a, axis, "max", keepDims), [x], { tolerance: { rtol: 0, atol: 0 }, label: "argmax" });
        checkForward((t) => argmin(t, axis, keepDims), (a) => ref.argExtreme(a, axis, "min", keepDims), [x], { tolerance: { rtol: 0, atol: 0 }, label: "argmin" });
      }),
      { numRuns: RUNS },
    );
  });

  it("max/min share the gradient evenly among tied extremes", () => {
    const x = tensor([[3, 1, 3], [0, 2, 2]], undefined, { requiresGrad: true });
    x.max(1).sum().backward();
    assert.deepEqual([...x.grad!.dataSync()], [0.5, 0, 0.5, 0, 0.5, 0.5]);
  });

  it("argmax and argmin point at the first NaN, where max and min give NaN, as NumPy's do", () => {
    const x = tensor([[1, Number.NaN, 3, Number.NaN], [4, 2, 0, 5]]);
    assert.deepEqual([...x.argmax(1).dataSync()], [1, 3]);
    assert.deepEqual([...x.argmin(1).dataSync()], [1, 2]);
    assert.deepEqual([...tensor([Number.NaN, 1]).argmax().dataSync()], [0]);
  });

  it("NaN wins in max and min, as in NumPy and PyTorch", () => {
    assert.ok(Number.isNaN(tensor([1, Number.NaN, 3]).max().dataSync()[0]!));
    assert.ok(Number.isNaN(tensor([1, Number.NaN, 3]).min().dataSync()[0]!));
  });

  it("sum over an empty axis is 0, logSumExp −∞, softmax empty; max over one is an error", () => {
    assert.deepEqual([...zeros([0, 3]).sum(0).dataSync()], [0, 0, 0]);
    assert.throws(() => zeros([0, 3]).max(0), /max: cannot reduce over an empty axis \(shape \[0, 3\]\)/);
    const x = zeros([2, 0], { requiresGrad: true });
    assert.deepEqual([...x.logSumExp(1).dataSync()], [-Infinity, -Infinity]);
    assert.deepEqual(x.logSumExp(1, true).shape, [2, 1]);
    assert.deepEqual(x.softmax().shape, [2, 0]);
    assert.deepEqual(x.logSoftmax(1).shape, [2, 0]);
    x.logSumExp(1).sum().add(x.softmax().sum()).backward();
    assert.deepEqual(x.grad!.shape, [2, 0]);
  });

  it("a rank-0 tensor reduces to itself, over no axes or over axis 0", () => {
    const x = tensor(5);
    assert.equal(x.sum().dataSync()[0], 5);
    assert.deepEqual(x.sum().shape, []);
    assert.deepEqual(sum(x, 0).shape, []);
    assert.equal(sum(x, 0).dataSync()[0], 5);
  });

  it("an axis out of range says which axes are valid", () => {
    assert.throws(() => zeros([2, 3]).sum(2), /sum: axis 2 is out of range for a tensor of rank 2 \(valid: -2..1\)/);
    assert.throws(() => zeros([2, 3]).mean([0, -2]), /mean: axis -2 is given twice/);
    assert.throws(() => zeros([2, 3]).logSumExp(1.5), /logSumExp: axis 1.5 is out of range/);
  });
});

describe("softmax and logSoftmax", () => {
  const cases = arrayArb({ minRank: 1 }).chain((x) => fc.tuple(fc.constant(x), axisArb(x.shape.length)));

  it("softmax: forward and gradient along any axis", () => {
    fc.assert(
      fc.property(cases, ([x, axis]) => {
        checkForward((t) => softmax(t, axis), (a) => ref.softmax(a, axis), [x], { label: `softmax ${axis}` });
        checkGradients((t) => softmax(t, axis), (a) => ref.softmax(a, axis), [x], { label: `softmax ${axis}` });
      }),
      { numRuns: RUNS },
    );
  });

  it("logSoftmax: forward and gradient along any axis", () => {
    fc.assert(
      fc.property(cases, ([x, axis]) => {
        checkForward((t) => logSoftmax(t, axis), (a) => ref.logSoftmax(a, axis), [x], { label: `logSoftmax ${axis}` });
        checkGradients((t) => logSoftmax(t, axis), (a) => ref.logSoftmax(a, axis), [x], { label: `logSoftmax ${axis}` });
      }),
      { numRuns: RUNS },
    );
  });

  it("softmax rows sum to 1 and logSoftmax is ≤ 0, even for huge logits", () => {
    // A float32 logit of magnitude L is itself only known to an ulp (2^-23·L), so the sum is
    // allowed an error of a few ulps of the largest logit: 1e-6 + 4·2^-24·L.
    const x = tensor([[1e4, -1e4, 0], [100, 100, 100], [-1e4, -1e4, -1e4], [0.5, -0.25, 2]]);
    const scales = [1e4, 100, 1e4, 2];
    const rows = softmax(x).sum(1).dataSync();
    rows.forEach((r, i) => assert.ok(Math.abs(r - 1) <= 1e-6 + 4 * 2 ** -24 * scales[i]!, `row ${i} sums to ${r}`));
    for (const v of logSoftmax(x).dataSync()) assert.ok(v <= 0 && Number.isFinite(v), `logSoftmax value ${v}`);
  });
});
