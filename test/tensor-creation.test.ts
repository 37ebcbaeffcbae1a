// Creation functions and readback: tensor() from nested arrays, numbers and typed arrays with
// shape checks; zeros/ones/full/arange/eye/rand/randn; data()/array()/item()/dataSync().
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { arange, eye, full, ones, rand, randn, tensor, zeros } from "../src/index.js";

describe("tensor()", () => {
  it("from nested arrays: the shape is inferred, values are row-major float32", async () => {
    const t = tensor([[1, 2, 3], [4, 5, 6.1]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.rank, 2);
    assert.equal(t.size, 6);
    assert.deepEqual([...t.dataSync()], [1, 2, 3, 4, 5, Math.fround(6.1)]);
    assert.deepEqual(await t.array(), [[1, 2, 3], [4, 5, Math.fround(6.1)]]);
    assert.deepEqual(tensor([[[1], [2]]]).shape, [1, 2, 1]);
    assert.deepEqual(tensor([]).shape, [0]);
  });

  it("from a number: a rank-0 tensor", async () => {
    const t = tensor(3.5);
    assert.deepEqual(t.shape, []);
    assert.equal(t.size, 1);
    assert.equal(await t.item(), 3.5);
    assert.equal(await t.array(), 3.5);
  });

  it("array() round-trips any nested array of rank 1..4", async () => {
    const nested = fc.integer({ min: 1, max: 4 }).chain((rank) =>
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank }).chain((shape) => {
        const build = (axis: number): fc.Arbitrary<unknown> =>
          axis === shape.length ? fc.integer({ min: -1000, max: 1000 }) : fc.array(build(axis + 1), { minLength: shape[axis]!, maxLength: shape[axis]! });
        return build(0);
      }),
    );
    await fc.assert(fc.asyncProperty(nested, async (data) => assert.deepEqual(await tensor(data as number[]).array(), data)), { numRuns: 50 });
  });

  it("from a typed array or a plain array with a shape; the data is copied", () => {
    const values = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(values, [3, 2]);
    values[0] = 99;
    assert.deepEqual(t.shape, [3, 2]);
    assert.equal(t.dataSync()[0], 1, "later writes to the source do not reach the tensor");
    assert.deepEqual(tensor(new Float64Array([0.5, 1.5])).shape, [2]);
    assert.deepEqual([...tensor([1, 2, 3, 4], [2, 2]).dataSync()], [1, 2, 3, 4]);
    assert.deepEqual(tensor([[1, 2], [3, 4]], [4]).shape, [4]);
    assert.deepEqual([...tensor([[1, 2], [3, 4]], [4, 1]).dataSync()], [1, 2, 3, 4]);
  });

  it("dataSync() returns a copy", () => {
    const t = tensor([1, 2]);
    t.dataSync()[0] = 7;
    assert.equal(t.dataSync()[0], 1);
  });

  it("rejects ragged arrays, non-numbers, and a shape the values do not fill", () => {
    assert.throws(() => tensor([[1, 2], [3]]), /tensor: data\[1\] has length 1 where length 2 was expected; nested arrays must be rectangular/);
    assert.throws(() => tensor([[1, 2], 3] as never), /tensor: data\[1\] has a number where length 2 was expected/);
    assert.throws(() => tensor([[1, "2"]] as never), /tensor: data\[0\]\[1\] is "2"; expected a number/);
    assert.throws(() => tensor(new Float32Array(6), [4, 2]), /tensor: 6 values do not fill shape \[4, 2\] \(8 elements\)/);
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /tensor: data of shape \[3\] does not fit shape \[2, 2\]/);
    assert.throws(() => tensor([[1, 2], [3, 4]], [2]), /tensor: data of shape \[2, 2\] does not fit shape \[2\]/);
    assert.throws(() => tensor([1, "2"] as never, [2]), /tensor: data\[1\] is "2"; expected a number/);
    assert.throws(() => tensor(new Float32Array(2), [2, -1]), /tensor: shape \[2,-1\] has -1; every dimension must be a non-negative integer/);
    // A string is array-like and would have made a tensor of NaNs.
    assert.throws(() => tensor("abc" as never), /tensor: data must be a number, a \(nested\) array of numbers or a typed array, got string/);
    assert.throws(() => tensor(null as never), /got null/);
    assert.throws(() => tensor(undefined as never), /got undefined/);
  });

  it("requiresGrad makes a leaf that collects a gradient", () => {
    const t = tensor([1, 2], undefined, { requiresGrad: true });
    assert.equal(t.requiresGrad, true);
    assert.equal(t.isLeaf, true);
    assert.equal(t.grad, null);
  });
});

describe("zeros, ones, full, arange, eye", () => {
  it("zeros / ones / full fill any shape, rank 0 included", () => {
    assert.deepEqual([...zeros([2, 2]).dataSync()], [0, 0, 0, 0]);
    assert.deepEqual([...ones([3]).dataSync()], [1, 1, 1]);
    assert.deepEqual([...full([2], -2.5).dataSync()], [-2.5, -2.5]);
    assert.deepEqual(full([], 7).shape, []);
    assert.equal(full([], 7).dataSync()[0], 7);
    assert.deepEqual(zeros([0, 4]).shape, [0, 4]);
    assert.equal(zeros([0, 4]).size, 0);
    assert.throws(() => zeros([2, 1.5]), /zeros: shape \[2,1.5\] has 1.5; every dimension must be a non-negative integer/);
    assert.throws(() => ones(3 as never), /ones: a shape must be an array of non-negative integers, got 3/);
  });

  it("arange as NumPy's: one argument, start/stop, fractional and negative steps", () => {
    assert.deepEqual([...arange(4).dataSync()], [0, 1, 2, 3]);
    assert.deepEqual([...arange(2, 5).dataSync()], [2, 3, 4]);
    assert.deepEqual([...arange(0, 1, 0.25).dataSync()], [0, 0.25, 0.5, 0.75]);
    assert.deepEqual([...arange(3, 0, -1).dataSync()], [3, 2, 1]);
    assert.deepEqual(arange(5, 2).shape, [0]);
    assert.throws(() => arange(0, 3, 0), /arange: step must be a finite non-zero number, got 0/);
    assert.throws(() => arange(Number.NaN), /arange: start and stop must be finite numbers, got 0 and NaN/);
    assert.throws(() => arange(0, Infinity), /arange: start and stop must be finite numbers, got 0 and Infinity/);
  });

  it("eye: square and rectangular identities", () => {
    assert.deepEqual([...eye(2).dataSync()], [1, 0, 0, 1]);
    assert.deepEqual(eye(2, 3).shape, [2, 3]);
    assert.deepEqual([...eye(2, 3).dataSync()], [1, 0, 0, 0, 1, 0]);
    assert.deepEqual([...eye(3, 1).dataSync()], [1, 0, 0]);
  });

  it("rand and randn take a shape and check it", () => {
    assert.deepEqual(rand([2, 3], { seed: 1 }).shape, [2, 3]);
    assert.deepEqual(randn([], { seed: 1 }).shape, []);
    assert.equal(randn([4], { seed: 1, requiresGrad: true }).requiresGrad, true);
    assert.throws(() => randn([-1]), /randn: shape \[-1\] has -1/);
    assert.throws(() => rand([2], { low: 2, high: 1 }), /rand: low and high must be finite with low <= high, got 2 and 1/);
    assert.throws(() => randn([2], { std: -1 }), /randn: mean must be finite and std finite and >= 0, got 0 and -1/);
    assert.throws(() => randn([2], { mean: Number.NaN }), /randn: mean must be finite/);
  });

  it("an unknown backend name is an error that says how to initialise it", () => {
    assert.throws(() => zeros([1], { backend: "webgpu" }), /no backend named "webgpu" is registered \(registered: cpu\); call await init\(\{ backend: "webgpu" \}\) first/);
    assert.throws(() => zeros([1], { backend: "tpu" }), /there is no backend named "tpu"; the backends are cpu and webgpu \(registered now: cpu\)/);
  });
});

describe("readback", () => {
  it("data() resolves to a copy of the values; item() needs one element", async () => {
    const t = tensor([[1.5]]);
    assert.deepEqual([...(await t.data())], [1.5]);
    assert.equal(await t.item(), 1.5);
    await assert.rejects(tensor([1, 2]).item(), /item\(\) needs a tensor with exactly one element, got shape \[2\]; reduce it first/);
  });

  it("toString names the shape and backend", () => {
    assert.equal(String(tensor([[1, 2]], undefined, { requiresGrad: true })), "Tensor(shape=[1, 2], backend=cpu, requiresGrad)");
  });
});
