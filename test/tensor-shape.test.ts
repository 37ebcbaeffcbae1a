// Shape ops, property-tested against float64 reference loops (forward) and float64 finite
// differences (gradients) on random shapes of rank 0..4; plus the errors for bad arguments.
// Tolerances as in helpers/gradcheck.ts (shape ops move values, so forward results are exact).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { concat, expand, gather, permute, reshape, slice, squeeze, type Tensor, tensor, transpose, unsqueeze, zeros } from "../src/index.js";
import { arrayArb, axisArb, broadcastableTo, shapeArb, valuesArb } from "./helpers/arbitraries.js";
import { checkForward, checkGradients, type Tolerance } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ndarray.js";

const RUNS = 40;
const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** Forward (exact) and gradient checks of a one-input shape op. */
function checkShapeOp(label: string, fn: (x: Tensor) => Tensor, rf: (a: ref.NdArray) => ref.NdArray, x: ref.NdArray): void {
  checkForward(fn, rf, [x], { tolerance: EXACT, label: `${label} forward` });
  checkGradients(fn, rf, [x], { label: `${label} gradient` });
}

/** A shape of the same size: a random regrouping of the dimensions' prime factors, maybe with 1s. */
function sameSizeShapeArb(shape: readonly number[]): fc.Arbitrary<number[]> {
  const factors = shape.flatMap((d) => {
    const out: number[] = [];
    for (let p = 2, n = d; n > 1; p++) while (n % p === 0) (out.push(p), (n /= p));
    return out;
  });
  return fc
    .tuple(fc.shuffledSubarray(factors, { minLength: factors.length, maxLength: factors.length }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: factors.length, maxLength: factors.length }), fc.integer({ min: 0, max: 2 }))
    .map(([order, cuts, ones]) => {
      const dims: number[] = [];
      order.forEach((p, i) => (dims.length === 0 || cuts[i] === 0 ? dims.push(p) : (dims[dims.length - 1]! *= p)));
      for (let i = 0; i < ones; i++) dims.splice(i % (dims.length + 1), 0, 1);
      return dims;
    });
}

describe("reshape / squeeze / unsqueeze", () => {
  it("reshape to any shape of the same size (and with -1) keeps the values in order", () => {
    const cases = arrayArb().chain((x) => fc.tuple(fc.constant(x), sameSizeShapeArb(x.shape), fc.boolean()));
    fc.assert(
      fc.property(cases, ([x, target, inferOne]) => {
        const shape = inferOne && target.length > 0 ? target.map((d, i) => (i === 0 ? -1 : d)) : target;
        checkShapeOp(`reshape [${x.shape}] -> [${shape}]`, (t) => reshape(t, shape), (a) => ref.reshape(a, shape), x);
      }),
      { numRuns: RUNS },
    );
  });

  it("unsqueeze at any position, then squeeze that axis back (or every size-1 axis)", () => {
    const cases = arrayArb().chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: -(x.shape.length + 1), max: x.shape.length })));
    fc.assert(
      fc.property(cases, ([x, axis]) => {
        const rank = x.shape.length + 1;
        const at = axis < 0 ? axis + rank : axis;
        const grown = [...x.shape];
        grown.splice(at, 0, 1);
        checkShapeOp(`unsqueeze ${axis}`, (t) => unsqueeze(t, axis), (a) => ref.reshape(a, grown), x);
        checkShapeOp(`squeeze ${at}`, (t) => squeeze(unsqueeze(t, axis), at), (a) => a, x);
        checkShapeOp("squeeze all", (t) => squeeze(t), (a) => ref.reshape(a, a.shape.filter((d) => d !== 1)), x);
      }),
      { numRuns: RUNS },
    );
  });

  it("reshape is a view: no copy, and it shares the buffer", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = x.reshape([3, 2]);
    assert.deepEqual(y.shape, [3, 2]);
    assert.deepEqual([...y.dataSync()], [1, 2, 3, 4, 5, 6]);
    x.dispose();
    assert.deepEqual([...y.dataSync()], [1, 2, 3, 4, 5, 6], "the view keeps the buffer alive after the original is disposed");
  });

  it("errors say what was wrong", () => {
    const x = zeros([2, 3]);
    assert.throws(() => x.reshape([4]), /reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4\] \(4 elements\)/);
    assert.throws(() => x.reshape([-1, -1]), /reshape: at most one dimension may be -1/);
    assert.throws(() => x.reshape([4, -1]), /reshape: cannot infer the -1 in \[4, -1\] for 6 elements/);
    assert.throws(() => x.reshape([2.5, 2]), /reshape: .* dimensions must be non-negative integers/);
    assert.throws(() => x.squeeze(0), /squeeze: axis 0 of shape \[2, 3\] has size 2, not 1/);
    assert.throws(() => x.unsqueeze(3), /unsqueeze: axis 3 is out of range for a result of rank 3 \(valid: -3..2\)/);
  });
});

describe("permute / transpose", () => {
  it("permute by any permutation (negative axes too)", () => {
    const cases = arrayArb().chain((x) => {
      const rank = x.shape.length;
      const axes = Array.from({ length: rank }, (_, i) => i);
      return fc.tuple(fc.constant(x), fc.shuffledSubarray(axes, { minLength: rank, maxLength: rank }), fc.array(fc.boolean(), { minLength: rank, maxLength: rank }));
    });
    fc.assert(
      fc.property(cases, ([x, perm, negative]) => {
        const p = perm.map((a, i) => (negative[i] ? a - perm.length : a));
        checkShapeOp(`permute [${p}]`, (t) => permute(t, p), (a) => ref.permute(a, p), x);
      }),
      { numRuns: RUNS },
    );
  });

  it("transpose swaps two axes (the last two by default)", () => {
    const cases = arrayArb({ minRank: 2 }).chain((x) => fc.tuple(fc.constant(x), axisArb(x.shape.length), axisArb(x.shape.length)));
    fc.assert(
      fc.property(cases, ([x, a, b]) => {
        checkShapeOp(`transpose ${a} ${b}`, (t) => transpose(t, a, b), (v) => ref.transpose(v, a, b), x);
        checkShapeOp("transpose", (t) => transpose(t), (v) => ref.transpose(v), x);
      }),
      { numRuns: RUNS },
    );
  });

  it("errors say what was wrong", () => {
    const x = zeros([2, 3, 4]);
    assert.throws(() => x.permute([0, 1]), /permute: \[0,1\] is not a permutation of the 3 axes of a tensor of shape \[2, 3, 4\]/);
    assert.throws(() => x.permute([0, 1, 1]), /permute: axis 1 is given twice/);
    assert.throws(() => x.permute([0, 1, 3]), /permute: axis 3 is out of range for a tensor of rank 3/);
    assert.throws(() => zeros([3]).transpose(), /transpose: needs a tensor of rank 2 or more, got shape \[3\]/);
  });
});

describe("expand", () => {
  it("broadcasts to any compatible shape; the gradient sums back", () => {
    const cases = shapeArb().chain((full) => fc.tuple(fc.constant(full), broadcastableTo(full).chain((s) => valuesArb(s))));
    fc.assert(
      fc.property(cases, ([full, x]) => {
        checkShapeOp(`expand [${x.shape}] -> [${full}]`, (t) => expand(t, full), (a) => ref.expand(a, full), x);
      }),
      { numRuns: RUNS },
    );
  });

  it("-1 keeps a dimension; growing a non-1 dimension is an error that names both shapes", () => {
    assert.deepEqual(zeros([3, 1]).expand([2, -1, 4]).shape, [2, 3, 4]);
    assert.throws(() => zeros([3, 2]).expand([3, 4]), /expand: shapes \[3, 2\] and \[3, 4\] cannot be broadcast together/);
  });
});

describe("slice", () => {
  it("any block, with negative begins and -1 extents", () => {
    const cases = arrayArb({ minRank: 1 }).chain((x) =>
      fc.tuple(
        fc.constant(x),
        fc.tuple(...x.shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: d - b }), fc.boolean(), fc.boolean())))),
      ),
    );
    fc.assert(
      fc.property(cases, ([x, spec]) => {
        const begin = spec.map(([b, , negative], i) => (negative ? b - x.shape[i]! : b));
        const extent = spec.map(([b, e, toEnd], i) => (toEnd && b + e === x.shape[i] ? -1 : e));
        checkShapeOp(`slice [${begin}] [${extent}]`, (t) => slice(t, begin, extent), (a) => ref.slice(a, begin, extent), x);
      }),
      { numRuns: RUNS },
    );
  });

  it("errors say what was wrong", () => {
    const x = zeros([2, 3]);
    assert.throws(() => x.slice([0, 0, 0]), /slice: 3 begin values for a tensor of rank 2/);
    assert.throws(() => x.slice([0, 4]), /slice: begin 4 on axis 1 is out of range for size 3/);
    assert.throws(() => x.slice([0, 1], [1, 3]), /slice: size 3 from 1 on axis 1 runs past the end of the axis \(size 3\)/);
    assert.throws(() => x.slice([0, 0], [1, 1, 1]), /slice: 3 size values for a tensor of rank 2/);
  });
});

describe("concat", () => {
  it("joins 1..3 tensors along any axis; each gets its slice of the gradient", () => {
    const cases = shapeArb({ minRank: 1 }).chain((shape) =>
      fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([axis, lengths]) =>
        fc.tuple(
          fc.constant(axis),
          fc.tuple(...lengths.map((n) => valuesArb(shape.map((d, i) => (i === axis ? n : d))))),
          fc.boolean(),
        ),
      ),
    );
    fc.assert(
      fc.property(cases, ([axis, parts, negative]) => {
        const ax = negative ? axis - parts[0]!.shape.length : axis;
        const fn = (...ts: Tensor[]) => concat(ts, ax);
        const rf = (...as: ref.NdArray[]) => ref.concat(as, ax);
        checkForward(fn, rf, parts, { tolerance: EXACT, label: "concat forward" });
        checkGradients(fn, rf, parts, { label: "concat gradient" });
      }),
      { numRuns: RUNS },
    );
  });

  it("errors say what was wrong", () => {
    assert.throws(() => concat([]), /concat: needs at least one tensor/);
    assert.throws(() => concat([zeros([2, 3]), zeros([2, 4])], 0), /concat: shapes \[2, 3\] and \[2, 4\] differ outside axis 0/);
    assert.throws(() => concat([zeros([2, 3]), zeros([2, 3])], 2), /concat: axis 2 is out of range for a tensor of rank 2/);
    assert.throws(() => concat([tensor(1), tensor(2)]), /concat: rank-0 tensors have no axis to join along; unsqueeze\(0\) them first/);
  });
});

describe("gather", () => {
  it("picks along any axis with repeated indices; the gradient scatter-adds", () => {
    const cases = arrayArb({ minRank: 1 }).chain((x) =>
      fc.integer({ min: 0, max: x.shape.length - 1 }).chain((axis) => {
        const d = x.shape[axis]!;
        return fc.integer({ min: 1, max: 4 }).chain((len) => {
          const shape = x.shape.map((s, i) => (i === axis ? len : s));
          const n = ref.size(shape);
          return fc.tuple(fc.constant(x), fc.constant(axis), fc.array(fc.integer({ min: 0, max: d - 1 }), { minLength: n, maxLength: n }).map((v) => ref.nd(shape, v)));
        });
      }),
    );
    fc.assert(
      fc.property(cases, ([x, axis, index]) => {
        const fn = (t: Tensor, i: Tensor) => gather(t, axis, i);
        const rf = (a: ref.NdArray, i: ref.NdArray) => ref.gather(a, axis, i);
        checkForward(fn, rf, [x, index], { tolerance: EXACT, label: "gather forward" });
        checkGradients(fn, rf, [x, index], { wrt: [0], label: "gather gradient" });
      }),
      { numRuns: RUNS },
    );
  });

  it("errors say what was wrong", () => {
    const x = zeros([2, 3]);
    assert.throws(() => x.gather(1, tensor([0, 1])), /gather: index shape \[2\] must have the rank of x \[2, 3\].*use labels of shape \[N, 1\]/);
    assert.throws(() => x.gather(1, tensor([[0], [3]])), /gather: index 3 is out of range; indices along this axis must be integers in \[0, 2\]/);
    assert.throws(() => x.gather(1, tensor([[0], [0.5]])), /gather: index 0.5 is out of range/);
  });
});
