import { test } from "node:test";
import assert from "node:assert/strict";
import * as tune from "../src/tune/index.js";
import { curve } from "./tune-fixtures/trainables.js";

const table = (R: number, eta: number) => tune.hyperbandBrackets({ maxBudget: R, eta }).map((b) => [b.s, b.rungs.map((r) => [r.n, r.budget])]);

test("Hyperband brackets, R=81 eta=3 (the paper's table)", () => {
  assert.deepEqual(table(81, 3), [
    [4, [[81, 1], [27, 3], [9, 9], [3, 27], [1, 81]]],
    [3, [[34, 3], [11, 9], [3, 27], [1, 81]]],
    [2, [[15, 9], [5, 27], [1, 81]]],
    [1, [[8, 27], [2, 81]]],
    [0, [[5, 81]]],
  ]);
});

test("Hyperband brackets, R=243 eta=3", () => {
  assert.deepEqual(table(243, 3), [
    [5, [[243, 1], [81, 3], [27, 9], [9, 27], [3, 81], [1, 243]]],
    [4, [[98, 3], [32, 9], [10, 27], [3, 81], [1, 243]]],
    [3, [[41, 9], [13, 27], [4, 81], [1, 243]]],
    [2, [[18, 27], [6, 81], [2, 243]]],
    [1, [[9, 81], [3, 243]]],
    [0, [[6, 243]]],
  ]);
});

test("Hyperband brackets, R=1000 eta=10 (log10(1000) in floats is 2.9999999999999996)", () => {
  assert.deepEqual(table(1000, 10), [
    [3, [[1000, 1], [100, 10], [10, 100], [1, 1000]]],
    [2, [[134, 10], [13, 100], [1, 1000]]],
    [1, [[20, 100], [2, 1000]]],
    [0, [[4, 1000]]],
  ]);
});

test("Hyperband brackets, R=27 eta=3", () => {
  assert.deepEqual(table(27, 3), [
    [3, [[27, 1], [9, 3], [3, 9], [1, 27]]],
    [2, [[12, 3], [4, 9], [1, 27]]],
    [1, [[6, 9], [2, 27]]],
    [0, [[4, 27]]],
  ]);
});

test("when R is not a power of eta, r stays exact and budget is floor(r)", () => {
  const b = tune.hyperbandBrackets({ maxBudget: 100, eta: 3 });
  assert.deepEqual(b[0]!.rungs.map((r) => r.budget), [1, 3, 11, 33, 100]);
  assert.equal(b[0]!.rungs[0]!.r, 100 / 81);
  assert.throws(() => tune.hyperbandBrackets({ maxBudget: 10, eta: 1 }), /eta must be an integer >= 2/);
  assert.throws(() => tune.hyperbandBrackets({ maxBudget: 2.5, eta: 3 }), /maxBudget must be an integer/);
});

test("bracket sizes are exact where (s_max+1)·eta^s passes 2^53 (R = 5^22, eta = 5)", () => {
  // The paper's n = ceil((s_max+1)/(s+1) · eta^s), computed here in BigInt as the reference.
  const reference = (R: number, eta: number) => {
    let smax = 0;
    while (BigInt(eta) ** BigInt(smax + 1) <= BigInt(R)) smax++;
    return Array.from({ length: smax + 1 }, (_, k) => {
      const s = smax - k;
      const product = BigInt(smax + 1) * BigInt(eta) ** BigInt(s);
      return Number((product + BigInt(s)) / BigInt(s + 1));
    });
  };
  for (const [R, eta] of [[5 ** 22, 5], [3 ** 33, 3], [2 ** 52, 2], [7 ** 18, 7]] as const) {
    assert.deepEqual(tune.hyperbandBrackets({ maxBudget: R, eta }).map((b) => b.rungs[0]!.n), reference(R, eta), `R=${R} eta=${eta}`);
  }
  assert.equal(tune.hyperbandBrackets({ maxBudget: 5 ** 22, eta: 5 })[0]!.rungs[0]!.n, 2384185791015625);
});

test("a budget of the wrong JSON type says which type it got", () => {
  assert.throws(() => new tune.Hyperband({ maxBudget: "9" as never }), { message: 'maxBudget must be an integer >= 1, got "9" (a string)' });
  assert.throws(() => new tune.Hyperband({ maxBudget: 9, eta: [3] as never }), { message: "eta must be an integer >= 2, got [3] (an array)" });
  assert.throws(() => new tune.ASHA({ maxBudget: 9, eta: true as never }), { message: "ASHA eta must be an integer >= 2, got true (a boolean)" });
  assert.throws(() => tune.uniform("0" as never, 1), { message: 'uniform: low must be a finite number, got "0" (a string)' });
  assert.throws(() => new tune.FIFO({ maxBudget: 2.5 }), { message: "FIFO maxBudget must be an integer >= 1, got 2.5" });
  assert.throws(() => new (tune.Hyperband as new () => unknown)(), { message: "Hyperband needs options { maxBudget, eta? }, got undefined (nothing given)" });
  assert.throws(() => new (tune.ASHA as new () => unknown)(), { message: "ASHA needs options { maxBudget, minBudget?, eta? }, got undefined (nothing given)" });
});

test("numSamples is checked, and a scheduler serves one run only", async () => {
  const trainable: tune.Trainable = async (config, ctx) => void (await ctx.report({ score: config.x as number }));
  const options = { space: { x: tune.uniform(0, 1) }, metric: "score", mode: "max" as const, seed: 1 };
  for (const bad of [-1, 0, 2.5, "3"]) {
    await assert.rejects(tune.run(trainable, { ...options, numSamples: bad as number }), { name: "RangeError", message: new RegExp(`^options\\.numSamples must be an integer >= 1, got `) });
  }
  const scheduler = new tune.FIFO({ maxBudget: 1 });
  assert.equal((await tune.run(trainable, { ...options, numSamples: 3, scheduler })).trials.length, 3);
  await assert.rejects(tune.run(trainable, { ...options, numSamples: 3, scheduler }), { message: "this FIFO scheduler has already run an experiment; give each tune.run a new scheduler" });
});

/** Runs Hyperband and checks that the trials it ran, and the budget each got, match its schedule. */
async function checkScheduleIsRun(R: number, eta: number, concurrency: number): Promise<void> {
  const brackets = tune.hyperbandBrackets({ maxBudget: R, eta });
  const result = await tune.run(curve as tune.Trainable, {
    space: { x: tune.uniform(0, 1) },
    metric: "score",
    mode: "max",
    seed: `hb-${R}-${eta}`,
    scheduler: new tune.Hyperband({ maxBudget: R, eta }),
    concurrency,
  });
  assert.equal(result.trials.length, brackets.reduce((n, b) => n + b.rungs[0]!.n, 0));
  for (const b of brackets) {
    const members = result.trials.filter((t) => t.bracket === b.s);
    assert.equal(members.length, b.rungs[0]!.n, `bracket ${b.s} size`);
    const budgets = b.rungs.map((r) => r.budget);
    for (const t of members) {
      const spent = t.history.length;
      assert.ok(budgets.includes(spent), `trial ${t.id} ran ${spent} reports; rung budgets are ${budgets}`);
      assert.deepEqual(t.history.map((h) => h.iteration), Array.from({ length: spent }, (_, i) => i + 1));
      assert.equal(t.status, spent === R ? "completed" : "stopped");
    }
    b.rungs.forEach((rung, i) => {
      const reached = members.filter((t) => t.history.length >= rung.budget);
      assert.equal(reached.length, rung.n, `bracket ${b.s} rung ${i} (budget ${rung.budget})`);
      if (i > 0) {
        // The promoted are the top n_i of the previous rung (score rises with x at every budget).
        const prev = members.filter((t) => t.history.length >= b.rungs[i - 1]!.budget);
        const top = [...prev].sort((p, q) => (q.config["x"] as number) - (p.config["x"] as number)).slice(0, rung.n);
        assert.deepEqual(new Set(reached.map((t) => t.id)), new Set(top.map((t) => t.id)));
      }
    });
  }
  const best = Math.max(...result.trials.map((t) => t.config["x"] as number));
  const finalists = result.trials.filter((t) => t.status === "completed");
  assert.equal(result.best!.trialId, finalists.sort((p, q) => (q.config["x"] as number) - (p.config["x"] as number))[0]!.id);
  assert.ok(best >= (result.best!.config["x"] as number));
}

test("the trials Hyperband runs and their budgets match its schedule: R=27 eta=3, concurrency 1", () => checkScheduleIsRun(27, 3, 1));
test("... R=81 eta=3, concurrency 8", () => checkScheduleIsRun(81, 3, 8));
test("... R=243 eta=3, concurrency 3", () => checkScheduleIsRun(243, 3, 3));
test("... R=1000 eta=10, concurrency 4", () => checkScheduleIsRun(1000, 10, 4));

test("Hyperband resumes promoted trials from their checkpoints, not from scratch", async () => {
  const starts: { id: string; iteration: number; restored: unknown }[] = [];
  await tune.run(
    async (config, ctx) => {
      starts.push({ id: ctx.trialId, iteration: ctx.iteration, restored: ctx.restore() });
      return curve(config as { x: number }, ctx);
    },
    { space: { x: tune.uniform(0, 1) }, metric: "score", mode: "max", seed: 5, scheduler: new tune.Hyperband({ maxBudget: 9, eta: 3 }), concurrency: 2 },
  );
  for (const s of starts) {
    if (s.iteration === 0) assert.equal(s.restored, undefined);
    else assert.deepEqual(s.restored, { step: s.iteration });
  }
  assert.ok(starts.some((s) => s.iteration > 0));
});
