import { test } from "node:test";
import assert from "node:assert/strict";
import * as tune from "../src/tune/index.js";

/** Feeds a scheduler one result per trial at `iteration` (trials 0..n-1, values given) and returns each verdict. */
function verdicts(s: tune.Scheduler, values: number[], iteration: number): (tune.Verdict | undefined)[] {
  values.forEach((_, i) => {
    s.onTrialCreated(`t${i}`, i);
    for (let it = 1; it <= iteration; it++) s.onResult(`t${i}`, it, values[i]!);
  });
  return values.map((_, i) => s.verdict(`t${i}`, iteration));
}

test("ASHA promotes only the top 1/eta of a rung (by trial index order, at least one)", () => {
  const asha = new tune.ASHA({ maxBudget: 9, eta: 3 });
  asha.setup({ metric: "m", mode: "max", numSamples: 9 });
  const values = [0.5, 0.9, 0.1, 0.3, 0.95, 0.2, 0.4, 0.6, 0.7];
  const v = verdicts(asha, values, 1);
  // Trial i is compared with trials 0..i; it continues if within the top max(1, floor((i+1)/3)).
  const expected = values.map((x, i) => {
    const peers = values.slice(0, i + 1).sort((a, b) => b - a);
    return peers.indexOf(x) < Math.max(1, Math.floor((i + 1) / 3)) ? "continue" : "stop";
  });
  assert.deepEqual(v, expected);
  const promoted = v.filter((d) => d === "continue").length;
  assert.ok(promoted <= Math.ceil(values.length / 3) + 1, `promoted ${promoted} of ${values.length}`);
  assert.equal(asha.verdict("t0", 2), "continue"); // not a rung
  assert.equal(asha.verdict("t0", 9), "complete");
});

test("ASHA waits for a lower-indexed trial still below the rung, and decides when it ends", () => {
  const asha = new tune.ASHA({ maxBudget: 9, eta: 3 });
  asha.setup({ metric: "m", mode: "min", numSamples: 2 });
  asha.onTrialCreated("a", 0);
  asha.onTrialCreated("b", 1);
  asha.onResult("b", 1, 0.1);
  assert.equal(asha.verdict("b", 1), undefined);
  asha.onTrialEnded("a", "errored");
  assert.equal(asha.verdict("b", 1), "continue");
});

test("median stopping stops a trial whose best is below the median of the others' running means", () => {
  const med = new tune.MedianStopping({ gracePeriod: 1, minSamples: 3 });
  med.setup({ metric: "acc", mode: "max", numSamples: 5 });
  const v = verdicts(med, [0.8, 0.6, 0.7, 0.5, 0.75], 2);
  // Trials 0-2 have fewer than 3 others; trial 3 (0.5) is below median(0.8, 0.6, 0.7) = 0.7;
  // trial 4 (0.75) is above median(0.8, 0.6, 0.7, 0.5) = 0.65.
  assert.deepEqual(v, ["continue", "continue", "continue", "stop", "continue"]);
});

test("median stopping minimizes too, and respects the grace period", () => {
  const med = new tune.MedianStopping({ gracePeriod: 3, minSamples: 1 });
  med.setup({ metric: "loss", mode: "min", numSamples: 2 });
  assert.deepEqual(verdicts(med, [1, 2], 2), ["continue", "continue"]);
  med.onResult("t0", 3, 1);
  med.onResult("t1", 3, 2);
  assert.equal(med.verdict("t1", 3), "stop");
});

test("scheduler state round-trips through JSON and gives the same decisions", () => {
  const make = () => new tune.Hyperband({ maxBudget: 9, eta: 3 });
  const a = make();
  a.setup({ metric: "m", mode: "max" });
  for (let i = 0; i < 9; i++) {
    a.onTrialCreated(`t${i}`, i);
    a.onResult(`t${i}`, 1, i / 10);
    a.onTrialPaused(`t${i}`);
  }
  const b = make();
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  assert.deepEqual(b.next(), a.next());
  assert.deepEqual(b.next(), { kind: "resume", trialId: "t6" });
  for (let i = 0; i < 9; i++) assert.equal(b.pausedFate(`t${i}`), i >= 6 ? "resume" : "stop");
});

test("FIFO completes at maxBudget and asks for numSamples trials", () => {
  const f = new tune.FIFO({ maxBudget: 2 });
  f.setup({ metric: "m", mode: "max", numSamples: 1 });
  assert.deepEqual(f.next(), { kind: "new" });
  f.onTrialCreated("t0", 0);
  assert.deepEqual(f.next(), { kind: "wait" });
  assert.equal(f.verdict("t0", 1), "continue");
  assert.equal(f.verdict("t0", 2), "complete");
  f.onTrialEnded("t0", "completed");
  assert.deepEqual(f.next(), { kind: "done" });
});
