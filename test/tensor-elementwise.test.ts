// Every elementwise op of the op table, property-tested: forward values against float64
// references, autograd gradients against float64 central finite differences, on random shapes
// of rank 0..4 and on random broadcasting pairs.
//
// Tolerances (see helpers/gradcheck.ts): forward |y − ref| ≤ 1e-5·|ref| + 1e-6·max(1, max|ref|);
// gradients |g − fd| ≤ 1e-4·|fd| + 1e-5·max(1, max|fd|).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { binary, listBinaryOps, listUnaryOps, tensor, type Tensor, unary, where } from "../src/index.js";
import { arrayArb, broadcastPairArb, valuesArb } from "./helpers/arbitraries.js";
import { checkForward, checkGradients } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ndarray.js";
import { domainOf, referenceOps } from "./helpers/reference-ops.js";

const RUNS = 30;

/** The op's parameters with its defaults filled in, as the library resolves them. */
function withDefaults(params: readonly number[], declared: readonly { default: number }[] = []): number[] {
  return declared.map((p, i) => params[i] ?? p.default);
}

describe("unary ops of the op table", () => {
  const ops = listUnaryOps();

  it("has an independent float64 reference for every built-in op", () => {
    const missing = ops.map((op) => op.name).filter((name) => !(name in referenceOps));
    assert.deepEqual(missing, [], `add a reference to test/helpers/reference-ops.ts for: ${missing.join(", ")}`);
  });

  for (const op of ops) {
    const domain = domainOf(op.name);
    const paramSets: readonly (readonly number[])[] = [[], ...(domain.paramSets ?? [])];
    for (const given of paramSets) {
      const params = withDefaults(given, op.params);
      const reference = referenceOps[op.name];
      // An op added at run time without an entry in reference-ops is checked against its own
      // TypeScript definition: the gradient check still tests its derivative by finite differences.
      const f = reference ? (x: number) => reference.f(x, params) : (x: number) => op.ts.f(x, params);
      const kinks = reference?.kinks?.(params) ?? [];
      const name = `${op.name}(${given.join(", ")})`;

      it(`${name}: forward and gradient match float64 on random shapes`, () => {
        fc.assert(
          fc.property(arrayArb({}, { min: domain.min, max: domain.max, kinks }), (x) => {
            const fn = (t: Tensor) => unary(t, op.name, given);
            const rf = (a: ref.NdArray) => ref.map(a, f);
            checkForward(fn, rf, [x], { label: `${name} forward` });
            checkGradients(fn, rf, [x], { label: `${name} gradient` });
          }),
          { numRuns: RUNS },
        );
      });
    }
  }

  it("every op is also a Tensor method named as its key", () => {
    const x = tensor([0.5, 1.5]);
    const methods = x as unknown as Record<string, unknown>;
    for (const op of ops) assert.equal(typeof methods[op.name], "function", `x.${op.name} is missing`);
    assert.deepEqual([...x.leakyRelu(0.5).dataSync()], [0.5, 1.5]);
    assert.deepEqual([...x.clamp(0.7, 1).dataSync()], [0.699999988079071, 1]);
  });

  it("rejects too many parameters and non-numeric ones, naming the op", () => {
    const x = tensor([1]);
    assert.throws(() => unary(x, "relu", [1]), /relu takes no parameters, got 1/);
    assert.throws(() => unary(x, "elu", [Number.NaN]), /elu: parameter alpha must be a number/);
    assert.throws(() => unary(x, "nope"), /unknown elementwise op "nope"; the op table has: .*relu/);
    assert.throws(() => x.clamp(2, 1), /clamp: min \(2\) must not exceed max \(1\)/);
    assert.throws(() => x.hardtanh(2, -2), /hardtanh: min \(2\) must not exceed max \(-2\)/);
  });
});

/** Input domains per binary op: [a range, b range]; b keeps away from 0 for div, a > 0 for pow. */
const binaryDomains: Record<string, { a: [number, number]; b: [number, number]; bAwayFromZero?: boolean }> = {
  add: { a: [-3, 3], b: [-3, 3] },
  sub: { a: [-3, 3], b: [-3, 3] },
  mul: { a: [-3, 3], b: [-3, 3] },
  div: { a: [-3, 3], b: [-3, 3], bAwayFromZero: true },
  pow: { a: [0.2, 3], b: [-2.5, 2.5] },
  maximum: { a: [-3, 3], b: [-3, 3] },
  minimum: { a: [-3, 3], b: [-3, 3] },
};

const binaryReference: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

describe("binary ops of the op table", () => {
  it("has a reference and, if differentiable, an input domain for every binary op", () => {
    for (const op of listBinaryOps()) {
      assert.ok(op.name in binaryReference, `no reference for ${op.name}`);
      if (op.differentiable) assert.ok(op.name in binaryDomains, `no input domain for ${op.name}`);
    }
  });

  for (const op of listBinaryOps().filter((o) => o.differentiable)) {
    const d = binaryDomains[op.name]!;
    const f = binaryReference[op.name]!;
    it(`${op.name}: forward and both gradients match float64 on broadcasting pairs`, () => {
      const cases = broadcastPairArb().chain(([sa, sb]) =>
        fc.tuple(
          valuesArb(sa, { min: d.a[0], max: d.a[1] }),
          // div: |b| ≥ 0.3 keeps 1/b and a/b² moderate.
          valuesArb(sb, { min: d.b[0], max: d.b[1], kinks: d.bAwayFromZero ? [0] : [], margin: 0.3 }),
        ),
      );
      fc.assert(
        fc.property(cases, ([a, b]) => {
          // maximum/minimum have a kink where a = b: skip the rare draws that come that close.
          if (op.name === "maximum" || op.name === "minimum") {
            fc.pre(ref.binary(a, b, (x, y) => Math.abs(x - y)).data.every((gap) => gap > 1e-3));
          }
          const fn = (x: Tensor, y: Tensor) => binary(x, y, op.name);
          const rf = (x: ref.NdArray, y: ref.NdArray) => ref.binary(x, y, f);
          checkForward(fn, rf, [a, b], { label: `${op.name} forward` });
          checkGradients(fn, rf, [a, b], { label: `${op.name} gradient` });
        }),
        { numRuns: RUNS * 2 },
      );
    });
  }

  it("comparisons give 0/1 on broadcasting pairs, with ties, and record no gradient", () => {
    const cases = broadcastPairArb().chain(([sa, sb]) =>
      // Small integers so that equal values occur often.
      fc.tuple(valuesArb(sa, { min: -2, max: 2 }), valuesArb(sb, { min: -2, max: 2 })).map(([a, b]) => [ref.map(a, Math.round), ref.map(b, Math.round)] as const),
    );
    fc.assert(
      fc.property(cases, ([a, b]) => {
        for (const op of listBinaryOps().filter((o) => !o.differentiable)) {
          checkForward((x, y) => binary(x, y, op.name), (x, y) => ref.binary(x, y, binaryReference[op.name]!), [a, b], { label: op.name });
        }
      }),
      { numRuns: RUNS * 2 },
    );
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const mask = x.gt(1.5);
    assert.equal(mask.requiresGrad, false);
    assert.deepEqual([...mask.dataSync()], [0, 1, 1]);
  });

  it("takes a number on either side", () => {
    const x = tensor([1, 2, 4], undefined, { requiresGrad: true });
    assert.deepEqual([...x.sub(1).dataSync()], [0, 1, 3]);
    assert.deepEqual([...binary(8, x, "div").dataSync()], [8, 4, 2]);
    binary(8, x, "div").sum().backward();
    assert.deepEqual([...x.grad!.dataSync()], [-8, -2, -0.5]);
  });

  it("splits the gradient evenly at a tie of maximum/minimum, as PyTorch does", () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([1, 3], undefined, { requiresGrad: true });
    a.maximum(b).sum().backward();
    assert.deepEqual([...a.grad!.dataSync()], [0.5, 0]);
    assert.deepEqual([...b.grad!.dataSync()], [0.5, 1]);
  });

  it("a shape mismatch names the op and both shapes", () => {
    assert.throws(() => tensor([1, 2, 3]).mul(tensor([1, 2])), /mul: shapes \[3\] and \[2\] cannot be broadcast together/);
    assert.throws(() => binary(1, 2, "add"), /add: at least one operand must be a Tensor/);
  });
});

describe("where", () => {
  it("forward and gradients to both branches match float64 on broadcasting triples", () => {
    const cases = broadcastPairArb().chain(([sa, sb]) =>
      fc.tuple(
        fc.constantFrom(sa, sb, [] as number[]).chain((sc) => valuesArb(sc, { min: -1, max: 1 })).map((c) => ref.map(c, (v) => (v > 0 ? 1 : 0))),
        valuesArb(sa),
        valuesArb(sb),
      ),
    );
    fc.assert(
      fc.property(cases, ([c, a, b]) => {
        const fn = (cond: Tensor, x: Tensor, y: Tensor) => where(cond, x, y);
        checkForward(fn, ref.where, [c, a, b], { label: "where forward" });
        checkGradients(fn, ref.where, [c, a, b], { wrt: [1, 2], label: "where gradient" });
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("takes numbers for either branch", () => {
    const x = tensor([-1, 2, -3], undefined, { requiresGrad: true });
    const y = where(x.gt(0), x, 0);
    assert.deepEqual([...y.dataSync()], [0, 2, 0]);
    y.sum().backward();
    assert.deepEqual([...x.grad!.dataSync()], [0, 1, 0]);
  });
});

describe("NaN and infinities pass through elementwise ops", () => {
  it("NaN in gives NaN out for every unary op", () => {
    for (const op of listUnaryOps()) {
      const y = unary(tensor([Number.NaN]), op.name).dataSync()[0]!;
      assert.ok(Number.isNaN(y), `${op.name}(NaN) = ${y}`);
    }
  });

  it("NaN in gives NaN out for every arithmetic binary op, on both sides", () => {
    for (const op of listBinaryOps().filter((o) => o.differentiable)) {
      assert.ok(Number.isNaN(binary(tensor([Number.NaN]), 2, op.name).dataSync()[0]!), `${op.name}(NaN, 2)`);
      assert.ok(Number.isNaN(binary(tensor([2]), Number.NaN, op.name).dataSync()[0]!), `${op.name}(2, NaN)`);
    }
  });
});
