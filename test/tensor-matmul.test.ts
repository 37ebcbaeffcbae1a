// matmul (2-D, batched, broadcast batch axes) and linear (with and without bias and fused
// activation), property-tested against float64 reference loops and float64 finite differences.
// Tolerances as in helpers/gradcheck.ts; forward results are sums of k float32 products, so the
// forward tolerance is relative 1e-5 with a floor of 1e-6 × the largest output.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { linear, listUnaryOps, matmul, randn, type Tensor, tensor, zeros } from "../src/index.js";
import { broadcastableTo, shapeArb, valuesArb } from "./helpers/arbitraries.js";
import { checkForward, checkGradients } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ndarray.js";
import { referenceOps } from "./helpers/reference-ops.js";

const RUNS = 30;
const dim = fc.integer({ min: 1, max: 6 });

function checkMatmul(a: ref.NdArray, b: ref.NdArray): void {
  const label = `matmul [${a.shape}]·[${b.shape}]`;
  checkForward(matmul, ref.matmul, [a, b], { label });
  checkGradients(matmul, ref.matmul, [a, b], { label });
}

describe("matmul", () => {
  it("2-D products of any size", () => {
    const cases = fc.tuple(dim, dim, dim).chain(([m, k, n]) => fc.tuple(valuesArb([m, k]), valuesArb([k, n])));
    fc.assert(fc.property(cases, ([a, b]) => checkMatmul(a, b)), { numRuns: RUNS });
  });

  it("batched products whose batch axes broadcast (rank 2..4 operands)", () => {
    const cases = fc.tuple(shapeArb({ maxRank: 2 }), dim, dim, dim).chain(([batch, m, k, n]) =>
      fc.tuple(broadcastableTo(batch), broadcastableTo(batch)).chain(([ba, bb]) => fc.tuple(valuesArb([...ba, m, k]), valuesArb([...bb, k, n]))),
    );
    fc.assert(fc.property(cases, ([a, b]) => checkMatmul(a, b)), { numRuns: RUNS * 2 });
  });

  it("a larger product crosses the 4x4 register blocks and their ragged edges", () => {
    const cases = fc.tuple(fc.integer({ min: 5, max: 19 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 5, max: 19 })).chain(([m, k, n]) =>
      fc.tuple(valuesArb([m, k]), valuesArb([k, n])),
    );
    fc.assert(fc.property(cases, ([a, b]) => checkForward(matmul, ref.matmul, [a, b], { label: `matmul [${a.shape}]·[${b.shape}]` })), { numRuns: 10 });
  });

  it("errors say what was wrong", () => {
    assert.throws(() => zeros([2, 3]).matmul(zeros([4, 5])), /matmul: inner dimensions differ: \[2, 3\] · \[4, 5\] \(3 vs 4\)/);
    assert.throws(() => zeros([3]).matmul(zeros([3, 2])), /matmul: both operands need rank 2 or more, got \[3\] and \[3, 2\]; unsqueeze a vector/);
    assert.throws(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 4])), /matmul: shapes \[2\] and \[3\] cannot be broadcast together/);
  });
});

/** Activations whose pre-activation is random: smooth ones, and kinked ones checked away from kinks. */
const activations = listUnaryOps()
  .filter((op) => op.activation)
  .map((op) => op.name);

describe("linear", () => {
  it("x·w + b with any input rank, with and without bias", () => {
    const cases = fc.tuple(shapeArb({ maxRank: 2 }), dim, dim, fc.boolean()).chain(([lead, fanIn, fanOut, withBias]) =>
      fc.tuple(valuesArb([...lead, fanIn]), valuesArb([fanIn, fanOut]), withBias ? valuesArb([fanOut]) : fc.constant(undefined)),
    );
    fc.assert(
      fc.property(cases, ([x, w, b]) => {
        const inputs = b ? [x, w, b] : [x, w];
        const fn = (...ts: Tensor[]) => linear(ts[0]!, ts[1]!, ts[2]);
        const rf = (...as: ref.NdArray[]) => ref.linear(as[0]!, as[1]!, as[2]);
        checkForward(fn, rf, inputs, { label: "linear" });
        checkGradients(fn, rf, inputs, { label: "linear" });
      }),
      { numRuns: RUNS },
    );
  });

  it("with every activation fused in its epilogue: forward and gradients of x, w and b", () => {
    const cases = fc.tuple(fc.constantFrom(...activations), shapeArb({ maxRank: 2 }), dim, dim).chain(([act, lead, fanIn, fanOut]) =>
      fc.tuple(fc.constant(act), valuesArb([...lead, fanIn], { min: -1.5, max: 1.5 }), valuesArb([fanIn, fanOut], { min: -1.5, max: 1.5 }), valuesArb([fanOut], { min: -1, max: 1 })),
    );
    fc.assert(
      fc.property(cases, ([act, x, w, b]) => {
        const reference = referenceOps[act]!;
        const op = listUnaryOps().find((o) => o.name === act)!;
        const params = (op.params ?? []).map((p) => p.default);
        const f = (z: number) => reference.f(z, params);
        // Finite differences must not straddle a kink of the activation.
        const kinks = reference.kinks?.(params) ?? [];
        const pre = ref.linear(ref.roundToFloat32(x), ref.roundToFloat32(w), ref.roundToFloat32(b));
        fc.pre(pre.data.every((z) => kinks.every((k) => Math.abs(z - k) > 1e-2)));
        const fn = (xt: Tensor, wt: Tensor, bt: Tensor) => linear(xt, wt, bt, act);
        const rf = (xa: ref.NdArray, wa: ref.NdArray, ba: ref.NdArray) => ref.linear(xa, wa, ba, f);
        checkForward(fn, rf, [x, w, b], { label: `linear+${act}` });
        checkGradients(fn, rf, [x, w, b], { label: `linear+${act}` });
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("fused activation parameters are passed through (leakyRelu slope, elu alpha)", () => {
    const x = tensor([[-2, 1]]);
    const w = tensor([[1, 0], [0, 1]]);
    assert.deepEqual([...linear(x, w, null, "leakyRelu", [0.5]).dataSync()], [-1, 1]);
    assert.deepEqual([...x.linear(w, null, "elu", [2]).dataSync()], [Math.fround(2 * Math.expm1(-2)), 1]);
  });

  it("equals matmul + add + activation", () => {
    const x = randn([5, 7], { seed: 1 });
    const w = randn([7, 3], { seed: 2 });
    const b = randn([3], { seed: 3 });
    const fused = linear(x, w, b, "tanh").dataSync();
    const composed = x.matmul(w).add(b).tanh().dataSync();
    fused.forEach((v, i) => assert.ok(Math.abs(v - composed[i]!) < 1e-6, `${v} vs ${composed[i]}`));
  });

  it("errors say what was wrong", () => {
    assert.throws(() => linear(zeros([2, 3]), zeros([4, 5])), /linear: input \[2, 3\] does not end in 4, the weight's input size \(weight \[4, 5\]\)/);
    assert.throws(() => linear(zeros([2, 3]), zeros([3])), /linear: the weight must be \[in, out\], got \[3\]/);
    assert.throws(() => linear(zeros([2, 3]), zeros([3, 5]), zeros([4])), /linear: the bias must be \[5\], got \[4\]/);
    assert.throws(() => linear(zeros([2, 3]), zeros([3, 5]), null, "nope"), /unknown elementwise op "nope"/);
  });
});
