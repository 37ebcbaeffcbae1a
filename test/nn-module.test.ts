import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activations, nn } from "../src/nn/index.js";
import { Generator, noGrad, type Tensor, tensor } from "../src/tensor/index.js";

const spec = { input: 3, layers: [{ type: "linear", units: 4 }, { type: "activation", name: "relu" }, { type: "dropout", rate: 0.5 }, { type: "linear", units: 2 }] };

describe("Module", () => {
  it("names parameters by their path through the children", () => {
    const model = nn.fromSpec(spec);
    assert.deepEqual(
      model.namedParameters().map(([n, t]) => [n, t.shape]),
      [["0.weight", [3, 4]], ["0.bias", [4]], ["3.weight", [4, 2]], ["3.bias", [2]]],
    );
    assert.equal(model.parameters().length, 4);
    assert.equal(model.children().length, 4);
    assert.deepEqual(model.namedChildren().map(([n]) => n), ["0", "1", "2", "3"]);
    assert.ok(model.parameters().every((p) => p.requiresGrad));
  });

  it("train() and eval() switch the whole tree", () => {
    const model = nn.fromSpec(spec);
    model.eval();
    assert.ok(model.children().every((c) => !c.training));
    model.train();
    assert.ok(model.children().every((c) => c.training));
  });

  it("loadStateDict copies values in place, keeping the parameter tensors", async () => {
    const a = nn.fromSpec(spec, { seed: 1 });
    const b = nn.fromSpec(spec, { seed: 2 });
    const weight = b.parameters()[0]!;
    b.loadStateDict(a.stateDict());
    assert.equal(b.parameters()[0], weight);
    for (const [name, p] of a.namedParameters()) assert.deepEqual(await b.stateDict()[name]!.data(), await p.data());
  });

  it("loadStateDict names missing, unexpected and mis-shaped keys and writes nothing then", async () => {
    const model = nn.fromSpec(spec, { seed: 1 });
    const before = await model.parameters()[0]!.data();
    const state: Record<string, Tensor> = { ...nn.fromSpec(spec, { seed: 2 }).stateDict() };
    assert.throws(() => model.loadStateDict({ ...state, "3.bias": tensor([1, 2, 3]) }), /loadStateDict: "3\.bias" has shape \[3\] but the model's is \[2\]/);
    const { ["0.bias"]: _dropped, ...missing } = state;
    assert.throws(() => model.loadStateDict(missing), /missing keys: 0\.bias; the model's keys are: 0\.weight, 0\.bias, 3\.weight, 3\.bias/);
    assert.throws(() => model.loadStateDict({ ...state, extra: tensor([1]) }), /unexpected keys: extra/);
    // Plain data (as read from a file) of the right shape but the wrong length.
    const short = { ...state, "0.weight": { shape: [...state["0.weight"]!.shape], data: new Float32Array(1) } };
    assert.throws(() => model.loadStateDict(short), /loadStateDict: "0\.weight" has 1 values but its shape \[3, 4\] holds 12/);
    assert.deepEqual(await model.parameters()[0]!.data(), before);
  });

  it("a Sequential inside a Sequential: the input size is found through it, and toSpec says it has no spec form", async () => {
    // A layer that takes any size comes first: the size is the first Linear's, found inside.
    const inner = new nn.Sequential([activations.create("relu"), new nn.Linear(3, 4, { generator: new Generator(1) })]);
    const outer = new nn.Sequential([inner, new nn.Linear(4, 2, { generator: new Generator(2) })]);
    assert.equal(outer.inFeatures, 3);
    assert.deepEqual(noGrad(() => outer.forward(tensor(new Float32Array(6), [2, 3]))).shape, [2, 2]);
    assert.throws(() => outer.toSpec(), /toSpec: layer 0 is a Sequential, which a spec cannot hold; put its layers in this one instead/);
    await assert.rejects(nn.toBytes(outer), /layer 0 is a Sequential/);
  });

  it("Linear without bias, and a model of custom modules that has no spec form", () => {
    const linear = new nn.Linear(2, 3, { bias: false, generator: new Generator(1) });
    assert.equal(linear.bias, null);
    assert.deepEqual(linear.toSpec(), { type: "linear", units: 3, bias: false });
    class Double extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const model = new nn.Sequential([linear, new Double()]);
    assert.deepEqual(noGrad(() => model.forward(tensor([[1, 1]]))).shape, [1, 3]);
    assert.throws(() => model.toSpec(), /Double has no spec form/);
    assert.throws(() => new nn.Sequential([new nn.Linear(2, 3, { generator: new Generator(1) }), new nn.Linear(4, 1, { generator: new Generator(1) })]), /Linear expects 4 input features, got 3/);
  });
});

describe("Dropout", () => {
  it("in training zeroes about `rate` of the values and scales the rest; in eval it is the identity", async () => {
    const dropout = new nn.Dropout(0.25, new Generator(3));
    const x = tensor(new Float32Array(4000).fill(1), [40, 100]);
    const y = await noGrad(() => dropout.forward(x)).data();
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / 4000 - 0.25) < 0.03, `${zeros} zeros`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
    dropout.eval();
    assert.equal(dropout.forward(x), x);
  });

  it("is reproducible from its seed, and draws a new mask per call", async () => {
    const x = tensor(new Float32Array(64).fill(1), [8, 8]);
    const masks = async (seed: number) => {
      const d = new nn.Dropout(0.5, new Generator(seed));
      return [await noGrad(() => d.forward(x)).data(), await noGrad(() => d.forward(x)).data()];
    };
    const [a1, a2] = await masks(7);
    const [b1] = await masks(7);
    assert.deepEqual(a1, b1);
    assert.notDeepEqual(a1, a2);
    assert.throws(() => new nn.Dropout(1, new Generator(1)), /rate must be a number in \[0, 1\), got 1/);
  });
});

describe("LayerNorm", () => {
  it("normalises the last axis (biased variance, eps 1e-5) and learns scale and shift", async () => {
    const norm = new nn.LayerNorm(4);
    const rows = [[1, 2, 3, 4], [-2, 0, 0, 10]];
    const y = await noGrad(() => norm.forward(tensor(rows))).data();
    rows.flatMap((row) => {
      const mean = row.reduce((s, v) => s + v, 0) / 4;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
      return row.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
    }).forEach((v, i) => assert.ok(Math.abs(y[i]! - v) < 1e-5, `${y[i]} vs ${v}`));
    assert.deepEqual(norm.namedParameters().map(([n, t]) => [n, t.shape]), [["weight", [4]], ["bias", [4]]]);
    const x = tensor(rows, undefined, { requiresGrad: true });
    norm.forward(x).mul(tensor([1, 0, 0, 0])).sum().backward();
    assert.ok((await norm.weight!.grad!.data()).some((g) => g !== 0));
    assert.deepEqual(new nn.LayerNorm(3, { affine: false }).parameters(), []);
  });
});
