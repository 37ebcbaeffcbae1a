import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activations, data, losses, nn, optim } from "../src/nn/index.js";
import { closestKey, editDistance, Registry } from "../src/nn/registry.js";

describe("Registry", () => {
  it("registers, creates with options, lists keys in order, and reports has()", () => {
    const r = new Registry<string, { suffix?: string }>("greeting");
    r.register("hello", ({ suffix }) => `hello${suffix ?? ""}`);
    r.register("bye", () => "bye");
    assert.deepEqual(r.keys(), ["hello", "bye"]);
    assert.equal(r.has("hello"), true);
    assert.equal(r.has("nope"), false);
    assert.equal(r.create("hello", { suffix: "!" }), "hello!");
    assert.equal(r.create("bye"), "bye");
    assert.equal(r.get("bye")({}), "bye");
  });

  it("refuses a second registration of a key unless replace is asked for", () => {
    const r = new Registry<number>("thing");
    r.register("a", () => 1);
    assert.throws(() => r.register("a", () => 2), /a thing named "a" is already registered; pass \{ replace: true \}/);
    assert.equal(r.create("a"), 1);
    r.register("a", () => 2, { replace: true });
    assert.equal(r.create("a"), 2);
  });

  it("rejects an empty key and a factory that is not a function", () => {
    const r = new Registry<number>("thing");
    assert.throws(() => r.register("", () => 1), /a thing key must be a non-empty string/);
    assert.throws(() => r.register("x", 3 as unknown as () => number), /must be a function, got number/);
  });

  it("edit distance and the closest-key suggestion", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("mish", "mish"), 0);
    assert.equal(closestKey("mihs", ["relu", "mish", "tanh"]), "mish");
    assert.equal(closestKey("RELU", ["relu", "mish"]), "relu");
    assert.equal(closestKey("completelydifferent", ["relu", "mish"]), undefined);
  });

  // Every registry of the nn layer, with a typo of one of its keys and the key it should suggest.
  const registries: [string, { keys(): string[]; create(key: string, options?: never): unknown }, string, string][] = [
    ["activation", activations, "mihs", "mish"],
    ["layer", nn.layers, "lineer", "linear"],
    ["loss", losses, "crossEntropi", "crossEntropy"],
    ["optimizer", optim.optimizers, "adamm", "adam"],
    ["initializer", nn.initializers, "xavir", "xavier"],
    ["dataset", data.datasets, "digit", "digits"],
  ];
  for (const [kind, registry, typo, suggestion] of registries) {
    it(`the ${kind} registry's unknown-key error lists every known key and suggests the closest`, () => {
      const keys = registry.keys();
      assert.ok(keys.includes(suggestion), `${suggestion} is registered`);
      assert.throws(
        () => registry.create(typo),
        (e: Error) => {
          assert.ok(e.message.startsWith(`unknown ${kind} "${typo}"; known ${kind} keys: ${keys.join(", ")}`), e.message);
          assert.ok(e.message.endsWith(`did you mean "${suggestion}"?`), e.message);
          return true;
        },
      );
    });
  }

  it("holds the expected built-in keys", () => {
    assert.deepEqual(
      activations.keys().slice(0, 15),
      ["relu", "tanh", "sigmoid", "mish", "softplus", "gelu", "geluTanh", "silu", "elu", "leakyRelu", "selu", "softsign", "hardtanh", "hardSigmoid", "hardSwish"],
    );
    assert.deepEqual(nn.layers.keys(), ["linear", "activation", "dropout", "layerNorm", "standardize"]);
    assert.deepEqual(losses.keys(), ["mse", "crossEntropy", "bce"]);
    assert.deepEqual(optim.optimizers.keys(), ["sgd", "adam", "adamw"]);
    assert.deepEqual(nn.initializers.keys(), ["kaiming", "kaimingNormal", "xavier", "xavierNormal", "zeros"]);
    assert.deepEqual(data.datasets.keys(), ["digits", "iris", "csv"]);
  });

  it("an unknown key without a plausible neighbour gets no suggestion", () => {
    assert.throws(() => losses.create("zzzzzzzzzzzz"), (e: Error) => !e.message.includes("did you mean") && e.message.includes("known loss keys: mse, crossEntropy, bce"));
  });
});
