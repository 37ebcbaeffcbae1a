import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { activations, nn } from "../src/nn/index.js";
import { memory, noGrad, tensor, tidy } from "../src/tensor/index.js";

// Random valid specs, with optional fields present only when they differ from the default, so
// toSpec (which leaves defaults out) must give back exactly the spec it was built from.
const activationKeys = activations.keys().filter((k) => activations.create(k) instanceof nn.OpActivation);
const linearSpec = fc.record(
  { type: fc.constant("linear"), units: fc.integer({ min: 1, max: 12 }), bias: fc.constant(false), init: fc.constantFrom(...nn.initializers.keys()) },
  { requiredKeys: ["type", "units"] },
);
const activationSpec = fc.oneof(
  fc.record({ type: fc.constant("activation"), name: fc.constantFrom(...activationKeys) }),
  fc.record({ type: fc.constant("activation"), name: fc.constant("leakyRelu"), options: fc.record({ slope: fc.double({ min: 0.001, max: 0.5, noNaN: true }) }) }),
);
const dropoutSpec = fc.record({ type: fc.constant("dropout"), rate: fc.double({ min: 0, max: 0.9, noNaN: true }) });
const layerNormSpec = fc.record(
  { type: fc.constant("layerNorm"), eps: fc.constantFrom(1e-3, 1e-6), affine: fc.constant(false) },
  { requiredKeys: ["type"] },
);
const modelSpec = fc.record({
  input: fc.integer({ min: 1, max: 10 }),
  layers: fc.array(fc.oneof(linearSpec, activationSpec, dropoutSpec, layerNormSpec), { minLength: 1, maxLength: 6 }),
});

function structure(model: nn.Module): [string, readonly number[]][] {
  return model.namedParameters().map(([name, t]) => [name, t.shape]);
}

describe("model specs", () => {
  it("toSpec(fromSpec(spec)) is the spec, and fromSpec(toSpec(m)) has m's structure (property)", () => {
    fc.assert(
      fc.property(modelSpec, fc.integer({ min: 0, max: 1000 }), (spec, seed) => {
        // Specs are JSON: compare as such (fast-check's records have a null prototype).
        const json = JSON.parse(JSON.stringify(spec));
        const model = nn.fromSpec(json, { seed });
        const back = model.toSpec();
        assert.deepEqual(back, json);
        const rebuilt = nn.fromSpec(JSON.parse(JSON.stringify(back)), { seed: seed + 1 });
        assert.deepEqual(structure(rebuilt), structure(model));
        assert.deepEqual(rebuilt.layers.map((l) => l.constructor.name), model.layers.map((l) => l.constructor.name));
        for (const t of [...model.parameters(), ...rebuilt.parameters()]) t.dispose();
      }),
      { numRuns: 150, seed: 20240601 },
    );
  });

  it("the same seed gives the same weights; another seed gives others", async () => {
    const spec = { input: 3, layers: [{ type: "linear", units: 4 }, { type: "activation", name: "tanh" }, { type: "linear", units: 2 }] };
    const [a, b, c] = [nn.fromSpec(spec, { seed: 5 }), nn.fromSpec(spec, { seed: 5 }), nn.fromSpec(spec, { seed: 6 })];
    const values = async (m: nn.Module) => Promise.all(m.parameters().map(async (p) => [...(await p.data())]));
    assert.deepEqual(await values(a), await values(b));
    assert.notDeepEqual(await values(a), await values(c));
  });

  it("a Linear's init follows the next activation's hint: Kaiming for relu, Xavier for tanh", async () => {
    const spread = async (activation: string) => {
      const model = nn.fromSpec({ input: 400, layers: [{ type: "linear", units: 400 }, { type: "activation", name: activation }] }, { seed: 1 });
      const w = await (model.layers[0] as nn.Linear).weight.data();
      return w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    };
    // Uniform bounds: Kaiming sqrt(6/400) = 0.1225, Xavier sqrt(6/800) = 0.0866.
    assert.ok(Math.abs((await spread("relu")) - Math.sqrt(6 / 400)) < 1e-3);
    assert.ok(Math.abs((await spread("tanh")) - Math.sqrt(6 / 800)) < 1e-3);
  });

  it("a built model runs forward with the spec's output size", () => {
    const model = nn.fromSpec({
      input: 6,
      layers: [{ type: "linear", units: 8 }, { type: "layerNorm" }, { type: "activation", name: "gelu" }, { type: "dropout", rate: 0.5 }, { type: "linear", units: 3 }],
    });
    const y = noGrad(() => model.eval().forward(tensor(new Float32Array(12).fill(0.5), [2, 6])));
    assert.deepEqual(y.shape, [2, 3]);
  });

  it("a standardize layer computes (x − shift)·scale, round-trips through its spec and frees its constants", async () => {
    const before = memory();
    const spec = { input: 2, layers: [{ type: "standardize", shift: [1, -2], scale: [0.5, 4] }] };
    const model = nn.fromSpec(spec);
    assert.deepEqual(model.toSpec(), spec);
    const y = tidy(() => noGrad(() => model.forward(tensor([[3, -1], [1, -2]]))));
    assert.deepEqual([...(await y.data())], [1, 4, 0, 0]);
    y.dispose();
    model.dispose();
    assert.deepEqual(memory(), before);
    assert.throws(
      () => nn.fromSpec({ input: 3, layers: [{ type: "standardize", shift: [0, 0], scale: [1, 1, 1] }] }),
      /spec\.layers\[0\]\.shift must be an array of 3 finite numbers \(one per input feature\), got 2 values$/,
    );
  });

  const invalid: [string, unknown, RegExp][] = [
    ["a non-object spec", [1, 2], /^spec must be an object \{ input, layers \}, got an array$/],
    ["a missing input", { layers: [] }, /^spec\.input is missing: a model spec needs input \(a positive integer\)$/],
    ["a string units", { input: 4, layers: [{ type: "linear", units: 8 }, { type: "activation", name: "relu" }, { type: "linear", units: "64" }] }, /^spec\.layers\[2\]\.units must be a positive integer, got "64"$/],
    ["a fractional input", { input: 2.5, layers: [{ type: "linear", units: 1 }] }, /^spec\.input must be a positive integer, got 2\.5$/],
    ["layers not an array", { input: 4, layers: { type: "linear" } }, /^spec\.layers must be an array of layer objects, got object$/],
    ["no layers", { input: 4, layers: [] }, /^spec\.layers must hold at least one layer$/],
    ["a layer that is not an object", { input: 4, layers: ["relu"] }, /^spec\.layers\[0\] must be an object with a "type", got "relu"$/],
    ["a missing type", { input: 4, layers: [{ units: 3 }] }, /^spec\.layers\[0\]\.type must be a string naming a layer \(one of: linear, activation, dropout, layerNorm, standardize\), got nothing$/],
    ["an unknown type", { input: 4, layers: [{ type: "lineer", units: 3 }] }, /^spec\.layers\[0\]\.type: unknown layer "lineer"; known layer keys: linear, activation, dropout, layerNorm, standardize; did you mean "linear"\?$/],
    ["an unknown activation", { input: 4, layers: [{ type: "linear", units: 3 }, { type: "activation", name: "mihs" }] }, /^spec\.layers\[1\]\.name: unknown activation "mihs"; known activation keys: relu, .*; did you mean "mish"\?$/],
    ["a missing activation name", { input: 4, layers: [{ type: "activation" }] }, /^spec\.layers\[0\]\.name is missing: it must name a activation \(one of: relu, /],
    ["a misspelt field", { input: 4, layers: [{ type: "linear", unit: 3 }] }, /^spec\.layers\[0\]\.unit is not a field of a linear layer; its fields are: type, units, bias, init$/],
    ["a missing units", { input: 4, layers: [{ type: "linear" }] }, /^spec\.layers\[0\]\.units is missing: a linear layer needs units \(a positive integer\)$/],
    ["a non-boolean bias", { input: 4, layers: [{ type: "linear", units: 2, bias: "no" }] }, /^spec\.layers\[0\]\.bias must be true or false, got "no"$/],
    ["an unknown initializer", { input: 4, layers: [{ type: "linear", units: 2, init: "he" }] }, /^spec\.layers\[0\]\.init: unknown initializer "he"; known initializer keys: kaiming, kaimingNormal, xavier, xavierNormal, zeros/],
    ["a dropout rate of 1", { input: 4, layers: [{ type: "dropout", rate: 1 }] }, /^spec\.layers\[0\]\.rate must be a number in \[0, 1\), got 1$/],
    ["a bad activation option", { input: 4, layers: [{ type: "activation", name: "elu", options: { slope: 1 } }] }, /^spec\.layers\[0\]\.options: activation "elu" has no option "slope"; its options are: alpha \(default 1\)$/],
    ["a non-number option", { input: 4, layers: [{ type: "activation", name: "elu", options: { alpha: "1" } }] }, /^spec\.layers\[0\]\.options\.alpha must be a finite number, got "1"$/],
    ["options that contradict each other", { input: 4, layers: [{ type: "activation", name: "hardtanh", options: { min: 2, max: -2 } }] }, /^spec\.layers\[0\]\.options: hardtanh: min \(2\) must not exceed max \(-2\)$/],
    ["a function in a spec", { input: 4, layers: [{ type: "activation", name: (x: number) => x }] }, /^spec\.layers\[0\]\.name must be a string naming a activation, got undefined$/],
    ["an unknown top-level field", { input: 4, layers: [{ type: "linear", units: 1 }], seed: 3 }, /^spec\.seed is not a field of a model spec; its fields are: input, layers$/],
  ];
  for (const [what, spec, message] of invalid) {
    it(`rejects ${what} with an error naming its path`, () => {
      assert.throws(() => nn.fromSpec(spec), (e: Error) => {
        assert.match(e.message, message);
        return true;
      });
    });
  }
});
