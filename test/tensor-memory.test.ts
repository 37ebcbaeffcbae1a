// Memory: memory() returns to its baseline (live tensors and bytes) after a thousand tidy'd
// training steps, and the rules of tidy / keep / dispose / views, plus the FinalizationRegistry
// backstop for tensors that are dropped without dispose().
//
// Each measurement brackets synchronous code only: FinalizationRegistry callbacks run between
// event-loop turns, so a tensor collected from an earlier test cannot move the count mid-check.
import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, it } from "node:test";
import { getBackend, keep, linear, memory, noGrad, randn, type Tensor, tensor, tidy, zeros } from "../src/index.js";

const cpuBytes = () => memory().bytes.cpu!;

interface Mlp {
  params: Tensor[];
  x: Tensor;
  labels: Tensor;
}

/** A 8-16-4 MLP on a fixed batch of 16 (random data, random labels). */
function makeMlp(seed: number): Mlp {
  const params = [
    randn([8, 16], { seed, std: 0.3, requiresGrad: true }),
    zeros([16], { requiresGrad: true }),
    randn([16, 4], { seed: seed + 1, std: 0.3, requiresGrad: true }),
    zeros([4], { requiresGrad: true }),
  ];
  const x = randn([16, 8], { seed: seed + 2 });
  const labels = tensor(Array.from({ length: 16 }, (_, i) => [i % 4]));
  return { params, x, labels };
}

/** Mean cross-entropy of the MLP; leaves gradients on the parameters. Call inside tidy. */
function lossAndBackward({ params, x, labels }: Mlp): number {
  const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
  const logits = linear(linear(x, w1, b1, "relu"), w2, b2);
  const loss = logits.logSoftmax(1).gather(1, labels).neg().mean();
  loss.backward();
  return loss.dataSync()[0]!;
}

function dispose(mlp: Mlp): void {
  for (const t of [...mlp.params, mlp.x, mlp.labels]) {
    t.zeroGrad();
    t.dispose();
  }
}

describe("memory() after training-like steps", () => {
  it("is back at its baseline after 1000 tidy'd steps with the backend's in-place SGD update", () => {
    const mlp = makeMlp(1);
    const backend = getBackend();
    const before = memory();
    const losses: number[] = [];
    for (let step = 0; step < 1000; step++) {
      const loss = tidy(() => lossAndBackward(mlp));
      for (const p of mlp.params) {
        backend.sgdStep(p.storage, p.grad!.storage, null, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: step === 0 });
        p.zeroGrad();
      }
      losses.push(loss);
    }
    assert.deepEqual(memory(), before);
    assert.ok(losses[999]! < 0.5 * losses[0]!, `the loss went from ${losses[0]} to ${losses[999]}: the steps did train`);
    dispose(mlp);
  });

  it("is back at its baseline after 200 steps that update with tensor ops and keep()", () => {
    const mlp = makeMlp(2);
    const before = memory();
    for (let step = 0; step < 200; step++) {
      tidy(() => {
        lossAndBackward(mlp);
        noGrad(() => {
          mlp.params = mlp.params.map((p) => {
            const next = keep(p.sub(p.grad!.mul(0.1)));
            next.requiresGrad = true;
            p.zeroGrad();
            p.dispose();
            return next;
          });
        });
      });
    }
    assert.deepEqual(memory(), before);
    dispose(mlp);
  });

  it("gradients kept across steps (no zeroGrad) are one tensor per parameter, not one per step", () => {
    const mlp = makeMlp(3);
    tidy(() => lossAndBackward(mlp));
    const after1 = memory();
    for (let i = 0; i < 20; i++) tidy(() => lossAndBackward(mlp));
    assert.deepEqual(memory(), after1);
    dispose(mlp);
  });
});

describe("tidy, keep and dispose", () => {
  it("tidy disposes what fn created and did not return; returned tensors survive", () => {
    const before = memory();
    let inner: Tensor | undefined;
    const out = tidy(() => {
      inner = zeros([3]).add(1);
      return inner.mul(2);
    });
    assert.equal(inner!.disposed, true);
    assert.equal(out.disposed, false);
    assert.deepEqual([...out.dataSync()], [2, 2, 2]);
    out.dispose();
    assert.deepEqual(memory(), before);
  });

  it("finds returned tensors inside arrays, objects and maps", () => {
    const before = memory();
    const { a, list, map } = tidy(() => ({ a: zeros([1]), list: [zeros([2]), 5], map: new Map([["m", zeros([3])]]) }));
    for (const t of [a, list[0] as Tensor, map.get("m")!]) assert.equal(t.disposed, false);
    for (const t of [a, list[0] as Tensor, map.get("m")!]) t.dispose();
    assert.deepEqual(memory(), before);
  });

  it("nested: an inner result moves to the outer scope and is freed there unless returned", () => {
    const before = memory();
    let fromInner: Tensor | undefined;
    const out = tidy(() => {
      fromInner = tidy(() => zeros([2]).add(1));
      assert.equal(fromInner.disposed, false);
      return fromInner.mul(3);
    });
    assert.equal(fromInner!.disposed, true);
    assert.deepEqual([...out.dataSync()], [3, 3]);
    out.dispose();
    assert.deepEqual(memory(), before);
  });

  it("keep() lets a tensor outlive every enclosing tidy", () => {
    const before = memory();
    let kept: Tensor | undefined;
    tidy(() => tidy(() => void (kept = keep(zeros([4])))));
    assert.equal(kept!.disposed, false);
    kept!.dispose();
    assert.deepEqual(memory(), before);
  });

  it("a throwing fn still frees its tensors, and the error propagates", () => {
    const before = memory();
    assert.throws(() => tidy(() => { zeros([5]); throw new Error("boom"); }), /boom/);
    assert.deepEqual(memory(), before);
  });

  it("an async fn is refused (tidy needs synchronous work)", () => {
    const before = memory();
    assert.throws(() => tidy(async () => zeros([1])), /tidy\(fn\): fn returned a Promise; tidy needs a synchronous function/);
    assert.deepEqual(memory(), before);
  });

  it("use after dispose is an error that says what happened; disposing twice is harmless", async () => {
    const t = zeros([2, 2]);
    t.dispose();
    t.dispose();
    assert.throws(() => t.add(1), /a tensor of shape \[2, 2\] was used after dispose\(\) \(or after the tidy\(\) that created it ended\)/);
    assert.throws(() => t.dataSync(), /used after dispose/);
    await assert.rejects(t.data(), /used after dispose/);
    const leaked = tidy(() => zeros([1]).add(1).mul(1).sub(0).add(0));
    assert.equal(leaked.disposed, false);
    leaked.dispose();
  });

  it("what backward saved lives as long as the result it belongs to, not as long as the tidy", () => {
    const before = memory();
    const w = tensor([-1, 0.5, 2], [3], { requiresGrad: true });
    const x = tensor([[1, -2]], [1, 2], { requiresGrad: true });
    const weight = tensor([[0.5, -1], [2, 0.25]], [2, 2], { requiresGrad: true });
    const afterLeaves = memory();
    // sigmoid keeps f′ from its forward, linear+mish keeps mish′: both outlive the tidy with the
    // result returned from it, or with a view of it, and backward still works.
    const y = tidy(() => w.unary("sigmoid"));
    const z = tidy(() => linear(x, weight, null, "mish").reshape([2]));
    tidy(() => y.sum().add(z.sum()).backward());
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    [-1, 0.5, 2].forEach((v, i) => assert.ok(Math.abs(w.grad!.dataSync()[i]! - s(v) * (1 - s(v))) < 1e-6));
    assert.ok(weight.grad!.dataSync().every(Number.isFinite));
    // Disposing the result frees what it saved at once (no garbage collection needed).
    for (const t of [w, x, weight]) t.zeroGrad();
    y.dispose();
    z.dispose();
    assert.deepEqual(memory(), afterLeaves);
    for (const t of [w, x, weight]) t.dispose();
    assert.deepEqual(memory(), before);
  });

  it("exp's backward multiplies by its own result: the forward keeps no second buffer", () => {
    const x = tensor([-1, 0, 0.5, 3], [4], { requiresGrad: true });
    const before = cpuBytes();
    const y = x.exp();
    assert.equal(cpuBytes(), before + 16, "only the result's 4 floats");
    // Through a view, the result's buffer outlives the result's own handle.
    const view = y.reshape([2, 2]);
    y.dispose();
    view.sum().backward();
    [-1, 0, 0.5, 3].forEach((v, i) => assert.ok(Math.abs(x.grad!.dataSync()[i]! - Math.exp(v)) <= 1e-6 * Math.exp(v)));
    view.dispose();
    x.dispose();
  });

  it("a backward that needs what a disposed result kept says which op and what to do", () => {
    const x = tensor([[1, -2]], [1, 2], { requiresGrad: true });
    const weight = tensor([[0.5, -1], [2, 0.25]], [2, 2], { requiresGrad: true });
    const cases: [string, (t: Tensor) => Tensor][] = [
      ["sigmoid", (t) => t.unary("sigmoid")], // f′ written by the forward
      ["exp", (t) => t.exp()], // f′ is the result itself
      ["linear\\+mish", (t) => linear(t, weight, null, "mish")], // f′ from the fused epilogue
    ];
    for (const [op, f] of cases) {
      const y = f(x);
      const loss = y.sum();
      y.dispose();
      assert.throws(
        () => loss.backward(),
        new RegExp(`backward through ${op} needs values its forward kept with its result \\(shape \\[1, 2\\]\\), but that result was disposed before backward\\(\\) ran; dispose results only after backward\\(\\)`),
      );
      loss.dispose();
    }
    x.dispose();
    weight.dispose();
  });

  it("a leaf's gradient is freed with the leaf, unless a tidy() returns it", () => {
    const before = memory();
    tidy(() => {
      const x = randn([1000], { requiresGrad: true });
      x.mul(x).sum().backward();
    });
    assert.deepEqual(memory(), before, "the tidy freed the leaf and its gradient");
    const w = tensor([1, 2], [2], { requiresGrad: true });
    tidy(() => w.mul(w).sum().backward());
    w.dispose();
    assert.deepEqual(memory(), before, "dispose() freed the leaf and its gradient");
    const grad = tidy(() => {
      const x = tensor([1, 2, 3], [3], { requiresGrad: true });
      x.mul(x).sum().backward();
      return x.grad!;
    });
    assert.deepEqual([...grad.dataSync()], [2, 4, 6]);
    grad.dispose();
    assert.deepEqual(memory(), before);
  });

  it("a number operand lives as long as the result that needs it for backward", () => {
    const before = memory();
    const x = tensor([1, 2], [2], { requiresGrad: true });
    // The 3 becomes a rank-0 tensor that mul's backward reads, after the tidy has ended.
    const y = tidy(() => x.mul(3));
    tidy(() => y.sum().backward());
    assert.deepEqual([...x.grad!.dataSync()], [3, 3]);
    y.dispose();
    x.dispose();
    assert.deepEqual(memory(), before, "disposing the result freed the rank-0 tensor too");
  });

  it("a backward that needs a tensor a tidy() disposed names the op and says what to do", () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const w = tensor([3, 4], [2], { requiresGrad: true });
    // x·w is made inside the tidy and disposed at its end; the second mul's backward needs it.
    const y = tidy(() => x.mul(w).mul(x));
    assert.throws(
      () => y.sum().backward(),
      /^Error: backward through mul needs a tensor of shape \[2\] that was disposed before backward\(\) ran \(by dispose\(\), or at the end of the tidy\(\) that created it\); call backward\(\) inside that tidy\(\), or keep\(\) what the loss is computed from$/,
    );
    for (const t of [x, w, y]) t.dispose();
  });

  it("views share a buffer: its bytes are freed when the last view goes", () => {
    const before = memory();
    const base = zeros([6]);
    const view = base.reshape([2, 3]);
    assert.equal(memory().tensors, before.tensors + 2);
    assert.equal(cpuBytes(), before.bytes.cpu! + 24);
    base.dispose();
    assert.equal(cpuBytes(), before.bytes.cpu! + 24, "the view still holds the buffer");
    view.dispose();
    assert.deepEqual(memory(), before);
  });

  it("memory() counts live tensors and the bytes of their float32 buffers", () => {
    const before = memory();
    const t = zeros([10, 10]);
    assert.equal(memory().tensors, before.tensors + 1);
    assert.equal(cpuBytes(), before.bytes.cpu! + 400);
    t.dispose();
    assert.deepEqual(memory(), before);
  });

  it("the FinalizationRegistry backstop releases tensors that were dropped without dispose()", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    // Collect whatever earlier tests dropped (e.g. the scalar a failed t.add(1) made), then measure.
    const settle = async (target: number) => {
      for (let i = 0; i < 20 && (i < 2 || memory().tensors > target); i++) {
        gc();
        await nextTurn();
      }
    };
    await settle(0);
    const before = memory();
    (() => {
      for (let i = 0; i < 50; i++) zeros([100]).add(1);
    })();
    assert.ok(memory().tensors >= before.tensors + 100, "the dropped tensors are still counted before collection");
    await settle(before.tensors);
    assert.deepEqual(memory(), before);
  });
});
