// An MLP 64-64-10 on the digits (80/20 seeded split) must reach 95% validation accuracy within
// 30 epochs for relu, tanh and mish. The backends: see test/helpers/backends.ts (the CPU, and WebGPU
// wherever an adapter exists).

import assert from "node:assert/strict";
import { testBackends } from "./helpers/backends.js";
import { describe, it } from "node:test";
import { init } from "../src/init.js";
import { data, nn } from "../src/nn/index.js";
import { Generator, memory } from "../src/tensor/index.js";
import { trainClassifier } from "./nn-helpers.js";

const backends = await testBackends();

for (const backend of backends) {
  describe(`digits MLP on the ${backend} backend`, () => {
    for (const activation of ["relu", "tanh", "mish"]) {
      it(`${activation} reaches >= 95% validation accuracy within 30 epochs`, async (t) => {
        await init({ backend });
        const digits = await data.load("digits");
        const { train, validation } = digits.split({ validation: 0.2, generator: new Generator(42) });
        assert.equal(validation.length, 359);
        const model = nn.fromSpec(
          { input: 64, layers: [{ type: "linear", units: 64 }, { type: "activation", name: activation }, { type: "linear", units: 10 }] },
          { seed: 42 },
        );
        const before = memory().tensors;
        const curve: number[] = [];
        await trainClassifier(model, train, {
          epochs: 30,
          lr: 3e-3,
          seed: 42,
          afterEpoch: async () => {
            curve.push(await nn.evaluateAccuracy(model, validation));
            return curve[curve.length - 1]! >= 0.95;
          },
        });
        const best = Math.max(...curve);
        t.diagnostic(`${backend} ${activation}: ${(best * 100).toFixed(1)}% after ${curve.length} epochs (curve ${curve.map((a) => a.toFixed(3)).join(" ")})`);
        assert.ok(best >= 0.95, `${activation} on ${backend}: best validation accuracy ${best} in ${curve.length} epochs`);
        // Nothing leaks: with the optimizer's state freed, exactly the model's tensors are alive.
        assert.equal(memory().tensors, before);
        model.dispose();
      });
    }
  });
}
