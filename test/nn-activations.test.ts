import assert from "node:assert/strict";
import { testBackends } from "./helpers/backends.js";
import { after, describe, it } from "node:test";
import { listUnaryOps, resolveParams } from "../src/kernels/ops.js";
import { init } from "../src/init.js";
import { activations, nn } from "../src/nn/index.js";
import { describeMismatches, findDerivativeMismatches } from "../src/nn/derivative-check.js";
import { noGrad, type Tensor, tensor, tidy } from "../src/tensor/index.js";
import { INSTANCE_FIELDS } from "../src/tensor/tensor.js";
import { standardizedIris, trainClassifier } from "./nn-helpers.js";

async function trainsIris(activation: string): Promise<number> {
  const { train, validation } = await standardizedIris();
  const model = nn.fromSpec(
    { input: 4, layers: [{ type: "linear", units: 16 }, { type: "activation", name: activation }, { type: "linear", units: 3 }] },
    { seed: 7 },
  );
  let before = 0;
  await trainClassifier(model, train, {
    epochs: 40,
    lr: 0.02,
    batchSize: 16,
    afterEpoch: async (epoch) => {
      if (epoch === 0) before = await nn.evaluateAccuracy(model, validation);
    },
  });
  const after = await nn.evaluateAccuracy(model, validation);
  assert.ok(after >= 0.9, `${activation}: validation accuracy ${after} after training (after one epoch: ${before})`);
  return after;
}

describe("activations", () => {
  it("offers every activation of the op table as a module, with the op table's init hint", () => {
    const tableActivations = listUnaryOps().filter((op) => op.activation);
    for (const op of tableActivations) {
      const module = activations.create(op.name);
      assert.ok(module instanceof nn.OpActivation);
      assert.equal(module.init, op.init);
    }
    assert.ok(tableActivations.every((op) => activations.has(op.name)));
  });

  it("takes op parameters as named options and rejects unknown ones", async () => {
    const x = tensor([[-2, 3]]);
    const y = activations.create("leakyRelu", { slope: 0.2 }).forward(x);
    assert.deepEqual([...(await y.data())], [-0.4000000059604645, 3]);
    assert.deepEqual(activations.create("leakyRelu", { slope: 0.2 }).toSpec(), { type: "activation", name: "leakyRelu", options: { slope: 0.2 } });
    assert.throws(() => activations.create("leakyRelu", { alpha: 0.2 }), /activation "leakyRelu" has no option "alpha"; its options are: slope \(default 0.01\)/);
    assert.throws(() => activations.create("relu", { slope: 1 }), /activation "relu" has no option "slope"; it takes no options/);
    assert.throws(() => activations.create("softplus", { beta: 0 }).forward(x), /softplus: parameter beta must be greater than 0, got 0/);
  });

  it("a composed custom activation is registered, differentiated by autograd, and trains a model", async () => {
    activations.define({ name: "swishComposed", forward: (x: Tensor) => x.mul(x.sigmoid()) });
    assert.ok(activations.keys().includes("swishComposed"));
    const module = activations.create("swishComposed");
    assert.ok(module instanceof nn.ComposedActivation);
    const x = tensor([-1.5, 0.25, 2], [3], { requiresGrad: true });
    tidy(() => module.forward(x).sum().backward());
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const grads = await x.grad!.data();
    [-1.5, 0.25, 2].forEach((v, i) => assert.ok(Math.abs(grads[i]! - (s(v) + v * s(v) * (1 - s(v)))) < 1e-6));
    await trainsIris("swishComposed");
  });

  it("a fused custom activation becomes an op, checked against finite differences, and trains a model", async () => {
    activations.define({
      name: "softsignFused",
      ts: { f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 },
      wgsl: { f: "x / (1.0 + abs(x))", df: "1.0 / ((1.0 + abs(x)) * (1.0 + abs(x)))" },
      init: "xavier",
    });
    const module = activations.create("softsignFused");
    assert.ok(module instanceof nn.OpActivation);
    assert.equal(module.init, "xavier");
    const y = tensor([[-3, 1]]).unary("softsignFused");
    assert.deepEqual([...(await y.data())], [-0.75, 0.5]);
    // Like every op of the table, it is a Tensor method too (in JavaScript; TypeScript needs a cast).
    const asMethod = (tensor([[-3, 1]]) as unknown as Record<string, () => Tensor>).softsignFused!();
    assert.deepEqual([...(await asMethod.data())], [-0.75, 0.5]);
    await activations.verifyOnBackend("softsignFused");
    await trainsIris("softsignFused");
  });

  it("rejects a fused activation with a wrong derivative, naming the inputs where it disagrees", () => {
    assert.throws(
      () =>
        activations.define({
          name: "badCube",
          // The derivative is right below 2 and wrong above it.
          ts: { f: (x) => x * x * x, df: (x) => (x < 2 ? 3 * x * x : 2 * x * x) },
          wgsl: { f: "x * x * x", df: "3.0 * x * x" },
        }),
      (e: Error) => {
        assert.match(e.message, /^activation "badCube": ts\.df is not the derivative of ts\.f: \d+ points disagree \(x=2\.0/);
        assert.match(e.message, /df gives 8\.\d+, finite difference 12\.\d+/);
        return true;
      },
    );
    assert.equal(activations.has("badCube"), false);
    assert.throws(() => tensor([1]).unary("badCube"), /unknown elementwise op "badCube"/);
  });

  it("the derivative check accepts every entry of the op table (no false alarms)", () => {
    for (const op of listUnaryOps()) {
      const params = resolveParams(op, []);
      const mismatches = findDerivativeMismatches((x) => op.ts.f(x, params), (x) => op.ts.df(x, params));
      assert.deepEqual(mismatches, [], `${op.name}: ${describeMismatches(mismatches)}`);
    }
  });

  it("accepts correct derivatives of functions with kinks (the check skips the kink itself)", () => {
    assert.deepEqual(findDerivativeMismatches((x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0), [-1, -1e-9, 0, 1e-9, 1]), []);
    assert.deepEqual(findDerivativeMismatches((x) => Math.min(1, Math.max(-1, x)), (x) => (Math.abs(x) < 1 ? 1 : 0), [-1, 1, 0.5, 2]), []);
    const wrong = findDerivativeMismatches((x) => Math.sin(x), (x) => Math.sin(x), [0.5]);
    assert.equal(wrong.length, 1);
    assert.match(describeMismatches(wrong), /^1 point disagree \(x=0\.500000: df gives 0\.479426, finite difference 0\.877583\)$/);
  });

  it("rejects malformed definitions and duplicate names with clear errors", () => {
    assert.throws(() => activations.define({ name: "relu", forward: (x: Tensor) => x }), /an activation named "relu" is already registered; pass replace: true/);
    assert.throws(
      () => activations.define({ name: "brokenComposed", forward: () => { throw new Error("boom"); } }),
      /activation "brokenComposed": forward failed on a \[1, 3\] input: boom/,
    );
    assert.throws(
      () => activations.define({ name: "shapeChanging", forward: (x: Tensor) => x.sum() }),
      /activation "shapeChanging": forward must return a Tensor of its input's shape; for a \[1, 3\] input it returned shape \[\]/,
    );
    assert.throws(
      () => activations.define({ name: "noWgsl", ts: { f: (x: number) => x, df: () => 1 } } as never),
      /activation "noWgsl": a fused activation needs wgsl: \{ f, df \}/,
    );
    assert.equal(activations.has("brokenComposed"), false);
    // A fused op becomes a method, so it may not take the name of a Tensor member.
    const fused = (name: string) => ({ name, ts: { f: (x: number) => 2 * x, df: () => 2 }, wgsl: { f: "2.0 * x", df: "2.0" } });
    assert.throws(() => activations.define(fused("reshape")), /"reshape" is a Tensor method already, and every op becomes a method: choose another name/);
    assert.throws(() => activations.define(fused("grad")), /"grad" is a Tensor property already/);
    assert.equal(activations.has("reshape"), false);
  });

  it("knows every field a Tensor holds (the names a run-time op may not take)", () => {
    assert.deepEqual(new Set(Object.keys(tensor([1]))), INSTANCE_FIELDS);
  });

  it("Sequential fuses Linear + activation into one kernel with the same result as running them apart", async () => {
    const model = nn.fromSpec({ input: 5, layers: [{ type: "linear", units: 4 }, { type: "activation", name: "mish" }, { type: "linear", units: 2 }] }, { seed: 2 });
    const [linear1, act, linear2] = model.layers as [nn.Linear, nn.Activation, nn.Linear];
    const x = tensor(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), [3, 5]);
    const fused = noGrad(() => model.forward(x));
    const apart = noGrad(() => linear2.forward(act.forward(linear1.forward(x))));
    const [a, b] = [await fused.data(), await apart.data()];
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-6, `${v} vs ${b[i]}`));
  });
});

// The backends to compare against the TypeScript definitions (test/helpers/backends.ts); on
// "webgpu" this checks each activation's WGSL against its TypeScript.
const backends = await testBackends();
for (const backend of backends) {
  describe(`activations on the ${backend} backend`, () => {
    after(() => init({ backend: "cpu" }));

    it("every activation, built in or fused custom, agrees with its TypeScript definition, forward and backward", async () => {
      await init({ backend });
      if (!activations.has("softsignFused")) throw new Error("the fused-activation test above must run first");
      // (The deliberately mismatched ones of the next test are left out.)
      const fused = activations.keys().filter((k) => activations.create(k) instanceof nn.OpActivation && !k.startsWith("mismatched_"));
      for (const key of fused) await activations.verifyOnBackend(key);
    });

    it("a fused activation whose WGSL disagrees with its TypeScript is caught", async () => {
      await init({ backend });
      activations.define({
        name: `mismatched_${backend}`,
        ts: { f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 },
        // The CPU runs the TypeScript, so only a GPU backend can disagree.
        wgsl: { f: "x / (2.0 + abs(x))", df: "1.0 / ((1.0 + abs(x)) * (1.0 + abs(x)))" },
      });
      const check = activations.verifyOnBackend(`mismatched_${backend}`);
      if (backend === "cpu") await check;
      else await assert.rejects(check, new RegExp(`activation "mismatched_${backend}" disagrees with its TypeScript definition at \\d+ points: f\\(`));
    });
  });
}
