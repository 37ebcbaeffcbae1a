// Autograd semantics: DAGs with shared tensors, gradients summed back to broadcast inputs,
// explicit output gradients, leaves-only gradients, zeroGrad, detach, noGrad, accumulation
// across backward calls, and the error messages of the tape and of bad arguments.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backward, isGradEnabled, noGrad, ones, type Tensor, tensor, zeros } from "../src/index.js";

const values = (t: Tensor | null): number[] => {
  assert.ok(t, "expected a gradient, got null");
  return [...t.dataSync()];
};

describe("reverse mode over a DAG", () => {
  it("a tensor used several times gets the sum of its gradients", () => {
    // y = x·x + 3x + x  →  dy/dx = 2x + 4
    const x = tensor([1, -2, 0.5], undefined, { requiresGrad: true });
    const y = x.mul(x).add(x.mul(3)).add(x);
    y.sum().backward();
    assert.deepEqual(values(x.grad), [6, 0, 5]);
  });

  it("a diamond: one intermediate feeding two branches that meet again", () => {
    // h = exp(x); y = h·sin-free branch: y = h·h + h  →  dy/dx = (2h + 1)·h
    const x = tensor([0, 1], undefined, { requiresGrad: true });
    const h = x.exp();
    h.mul(h).add(h).sum().backward();
    const expected = [0, 1].map((v) => (2 * Math.exp(v) + 1) * Math.exp(v));
    values(x.grad).forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-5, `${g} vs ${expected[i]}`));
  });

  it("broadcast inputs get their gradient summed back to their own shape", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true }); // [2, 3]
    const row = tensor([10, 20, 30], undefined, { requiresGrad: true }); // [3]
    const col = tensor([[1], [2]], undefined, { requiresGrad: true }); // [2, 1]
    const scalar = tensor(2, undefined, { requiresGrad: true }); // []
    a.mul(row).add(col).mul(scalar).sum().backward();
    assert.deepEqual(row.grad!.shape, [3]);
    assert.deepEqual(values(row.grad), [2 * (1 + 4), 2 * (2 + 5), 2 * (3 + 6)]);
    assert.deepEqual(col.grad!.shape, [2, 1]);
    assert.deepEqual(values(col.grad), [6, 6]);
    assert.deepEqual(scalar.grad!.shape, []);
    assert.deepEqual(values(scalar.grad), [(10 + 40 + 90 + 1 * 3) + (40 + 100 + 180 + 2 * 3)]);
    assert.deepEqual(values(a.grad), [20, 40, 60, 20, 40, 60]);
  });

  it("backward on a non-scalar takes an explicit gradient of the output's shape", () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const y = x.mul(x); // dy/dx = 2x
    y.backward(tensor([1, 0.5, -1]));
    assert.deepEqual(values(x.grad), [2, 2, -6]);
  });

  it("the explicit gradient is not aliased into a leaf's .grad", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const g = tensor([3, 4]);
    x.backward(g);
    assert.deepEqual(values(x.grad), [3, 4]);
    assert.notEqual(x.grad, g);
    g.dispose();
    assert.deepEqual(values(x.grad), [3, 4], "x.grad outlives the gradient it was given");
  });

  it("one gradient tensor reaching two leaves (add) is not shared between them", () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([3, 4], undefined, { requiresGrad: true });
    a.add(b).sum().backward();
    assert.notEqual(a.grad, b.grad);
    a.zeroGrad();
    assert.deepEqual(values(b.grad), [1, 1], "disposing a's gradient leaves b's intact");
  });

  it("gradients are kept on leaves only; intermediates have grad null", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const h = x.mul(2);
    const y = h.relu().sum();
    y.backward();
    assert.equal(h.grad, null);
    assert.equal(y.grad, null);
    assert.equal(h.isLeaf, false);
    assert.equal(x.isLeaf, true);
    assert.deepEqual(values(x.grad), [2, 2]);
  });

  it("leaves that do not require a gradient get none", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const c = tensor([5, 6]);
    x.mul(c).sum().backward();
    assert.equal(c.grad, null);
    assert.equal(c.requiresGrad, false);
    assert.deepEqual(values(x.grad), [5, 6]);
  });

  it("backward accumulates across calls until zeroGrad", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    assert.deepEqual(values(x.grad), [3 + 2, 3 + 4]);
    x.zeroGrad();
    assert.equal(x.grad, null);
    x.mul(5).sum().backward();
    assert.deepEqual(values(x.grad), [5, 5]);
  });

  it("backward through the same graph twice accumulates twice", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    y.backward();
    assert.deepEqual(values(x.grad), [4, 8]);
  });

  it("detach cuts the graph: no gradient flows through the detached copy", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.deepEqual([...d.dataSync()], [1, 2]);
    // y = x · detach(x): dy/dx = detach(x) only, not 2x.
    x.mul(d).sum().backward();
    assert.deepEqual(values(x.grad), [1, 2]);
  });

  it("noGrad records nothing and restores the tape afterwards, even when fn throws", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = noGrad(() => x.mul(2).exp());
    assert.equal(y.requiresGrad, false);
    assert.equal(y.isLeaf, true);
    assert.equal(isGradEnabled(), true);
    assert.throws(() => noGrad(() => { throw new Error("inside"); }), /inside/);
    assert.equal(isGradEnabled(), true);
    assert.throws(() => y.sum().backward(), /backward\(\): this tensor does not require a gradient/);
  });

  it("a deep chain (10,000 ops) does not overflow the stack", () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 10_000; i++) y = y.mul(1);
    y.sum().backward();
    assert.deepEqual(values(x.grad), [1]);
  });

  it("the functional form backward(y, grad) is the method's", () => {
    const x = tensor([2], undefined, { requiresGrad: true });
    backward(x.mul(x), tensor([1]));
    assert.deepEqual(values(x.grad), [4]);
  });
});

describe("errors name the op and what was wrong", () => {
  it("backward without a gradient on a non-scalar, or with one of the wrong shape", () => {
    const y = ones([2, 3], { requiresGrad: true }).mul(2);
    assert.throws(() => y.backward(), /backward\(\) without a gradient needs a one-element tensor, got shape \[2, 3\]; reduce it \(e\.g\. \.mean\(\)\) or pass backward\(grad\)/);
    assert.throws(() => y.backward(zeros([3, 2])), /backward\(grad\): grad has shape \[3, 2\] but the tensor has shape \[2, 3\]/);
  });

  it("a shape mismatch names the op and both shapes", () => {
    assert.throws(() => zeros([2, 3]).add(zeros([3, 2])), /add: shapes \[2, 3\] and \[3, 2\] cannot be broadcast together/);
    assert.throws(() => zeros([4]).sub(zeros([2, 3])), /sub: shapes \[4\] and \[2, 3\] cannot be broadcast together/);
  });

  it("bad arguments say what was wrong and what would be right", async () => {
    assert.throws(() => zeros([2, 3]).reshape([5]), /reshape: cannot reshape \[2, 3\] \(6 elements\) to \[5\] \(5 elements\)/);
    assert.throws(() => zeros([2, 3]).sum(3), /sum: axis 3 is out of range for a tensor of rank 2 \(valid: -2..1\)/);
    assert.throws(() => zeros([2, 3]).softmax(-3), /axis -3 is out of range for a tensor of rank 2/);
    assert.throws(() => zeros([2, 3]).matmul(zeros([2, 3])), /matmul: inner dimensions differ: \[2, 3\] · \[2, 3\] \(3 vs 2\)/);
    await assert.rejects(zeros([2, 3]).item(), /item\(\) needs a tensor with exactly one element, got shape \[2, 3\]/);
  });
});
