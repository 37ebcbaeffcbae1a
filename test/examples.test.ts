// The README's walk-through (examples/quickstart.ts) runs end to end and finds a good config.
import assert from "node:assert/strict";
import { test } from "node:test";
import { quickstart } from "../examples/quickstart.js";

test("examples/quickstart.ts trains, searches activations with Hyperband, and reports a best config", async () => {
  const lines: string[] = [];
  const result = await quickstart((line) => lines.push(line));
  assert.match(lines[0]!, /^backend: (webgpu|cpu) \(/);
  assert.ok(result.best, "a best trial");
  assert.ok(["relu", "tanh", "mish", "swish"].includes(result.best.config.activation as string));
  // Iris is easy: a tuned 4-16-3 MLP separates it well.
  assert.ok((result.best.metrics.accuracy ?? 0) >= 0.9, `best accuracy ${result.best.metrics.accuracy}`);
  // Hyperband with R = 9, eta = 3: brackets of 9, 5 and 3 trials.
  assert.equal(result.trials.length, 17);
  assert.ok(result.trials.every((t) => t.status !== "errored"), "no trial errored");
});
