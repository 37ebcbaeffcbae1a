import { test } from "node:test";
import assert from "node:assert/strict";
import * as tune from "../src/tune/index.js";
import { curve } from "./tune-fixtures/trainables.js";

const fixtures = new URL("./tune-fixtures/trainables.ts", import.meta.url).href;

/** Everything about a run that must not depend on concurrency or finish order. */
async function fingerprint(scheduler: () => tune.Scheduler, concurrency: number, numSamples?: number) {
  const decisions = new Map<string, string[]>();
  const result = await tune.run(curve as tune.Trainable, {
    space: { x: tune.uniform(0, 1), lr: tune.loguniform(1e-4, 1e-1), jitter: 4 },
    metric: "score",
    mode: "max",
    seed: 99,
    scheduler: scheduler(),
    concurrency,
    ...(numSamples ? { numSamples } : {}),
    onEvent: ({ event }) => {
      if (event.type !== "decision") return;
      decisions.set(event.trialId, [...(decisions.get(event.trialId) ?? []), `${event.iteration}:${event.decision}`]);
    },
  });
  return {
    trials: result.trials.map((t) => ({ id: t.id, config: t.config, seed: t.seed, status: t.status, history: t.history.map((h) => h.metrics), decisions: decisions.get(t.id) })),
    leaderboard: result.leaderboard().map((t) => t.id),
  };
}

for (const [name, make, n] of [
  ["Hyperband", () => new tune.Hyperband({ maxBudget: 9, eta: 3 }), undefined],
  ["ASHA", () => new tune.ASHA({ maxBudget: 9, eta: 3 }), 12],
  ["MedianStopping", () => new tune.MedianStopping({ maxBudget: 6, minSamples: 2 }), 10],
] as const) {
  test(`${name}: same configs, decisions and results at concurrency 1 and 4, with random finish order`, async () => {
    const one = await fingerprint(make, 1, n);
    const four = await fingerprint(make, 4, n);
    assert.deepEqual(four, one);
    assert.ok(one.trials.some((t) => t.status === "stopped"), "the scheduler stopped no trial; the test would prove little");
  });
}

test("a trainable that throws is recorded as errored and the experiment completes; retries restart it", async () => {
  let calls = 0;
  const result = await tune.run(
    async (config, ctx) => {
      calls++;
      if (config["bad"]) throw new Error("boom");
      await ctx.report({ score: 1 });
    },
    { space: { bad: tune.grid([false, true]) }, metric: "score", mode: "max", seed: 1, maxRetries: 2 },
  );
  assert.deepEqual(result.trials.map((t) => t.status), ["completed", "errored"]);
  assert.equal(result.trials[1]!.error!.message, "boom");
  assert.equal(result.trials[1]!.error!.kind, "error");
  assert.equal(result.trials[1]!.attempts, 2);
  assert.equal(calls, 1 + 3);
  assert.equal(result.best!.trialId, "t0000");
});

test("an onEvent callback that throws stops the run with its error, whatever the event", async () => {
  const trainable: tune.Trainable = async (_config, ctx) => void (await ctx.report({ score: 1 }));
  for (const on of ["experiment_started", "result", "experiment_ended"]) {
    let trialsRun = 0;
    const run = tune.run(
      async (config, ctx) => {
        trialsRun++;
        return trainable(config, ctx);
      },
      {
        space: { x: tune.uniform(0, 1) }, metric: "score", mode: "max", seed: 1, numSamples: 3,
        onEvent: ({ event }) => {
          if (event.type === on) throw new Error("observer bug");
        },
      },
    );
    await assert.rejects(run, { message: `options.onEvent threw on a "${on}" event: observer bug` });
    if (on === "experiment_started") assert.equal(trialsRun, 0);
    if (on === "result") assert.ok(trialsRun < 3, "the run stopped at the first result");
  }
});

test("a trial that succeeds on a retry is completed, without the earlier attempt's error", async () => {
  let failed = false;
  const result = await tune.run(
    async (_config, ctx) => {
      if (!failed) {
        failed = true;
        throw new Error("transient");
      }
      await ctx.report({ score: 1 });
    },
    { space: { x: 1 }, metric: "score", mode: "max", seed: 1, numSamples: 1, maxRetries: 1 },
  );
  assert.equal(result.trials[0]!.status, "completed");
  assert.equal(result.trials[0]!.error, undefined);
  assert.doesNotMatch(result.toCSV(), /transient/);
});

test("trialTimeout starts when the trial gets its job, not while its executor boots a worker", async () => {
  // An executor that, like the worker pool, needs 300 ms before the trainable runs; the trainable
  // then reports at once. A 100 ms timeout counted from the hand-over would kill it while booting.
  const inline = new tune.InlineExecutor(async (_config, ctx) => void (await ctx.report({ score: 1 })));
  const slowToStart: tune.Executor = {
    kind: "slow-to-start",
    start(job, host) {
      const booted = new Promise<void>((resolve) => setTimeout(resolve, 300));
      const handle = booted.then(() => inline.start(job, host));
      return { started: booted, done: handle.then((h) => h.done), kill: (reason) => void handle.then((h) => h.kill(reason)) };
    },
    close: () => inline.close(),
  };
  const result = await tune.run(async () => {}, {
    space: { x: 1 }, metric: "score", mode: "max", seed: 1, numSamples: 2, trialTimeout: 100, executor: slowToStart,
  });
  assert.deepEqual(result.trials.map((t) => t.status), ["completed", "completed"]);
});

test("a trial that hangs past trialTimeout is recorded as errored (timeout)", async () => {
  const result = await tune.run(
    async (config, ctx) => {
      await ctx.report({ score: 1 });
      if (config["hang"]) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    },
    { space: { hang: tune.grid([true, false]) }, metric: "score", mode: "max", seed: 1, trialTimeout: 100 },
  );
  assert.deepEqual(result.trials.map((t) => t.status), ["errored", "completed"]);
  assert.equal(result.trials[0]!.error!.kind, "timeout");
  assert.equal(result.trials[0]!.history.length, 1);
});

test("worker threads: a trainable that throws, one that hangs and one whose worker exits are each errored", async () => {
  for (const [name, kind] of [["throws", "error"], ["hangs", "timeout"], ["exits", "crash"]] as const) {
    const result = await tune.run({ module: fixtures, export: name }, { space: {}, metric: "m", mode: "max", seed: 1, numSamples: 2, concurrency: 2, trialTimeout: 1500 });
    assert.deepEqual(result.trials.map((t) => t.status), ["errored", "errored"], name);
    assert.equal(result.trials[0]!.error!.kind, kind, name);
  }
  const ok = await tune.run({ module: fixtures, export: "curve" }, { space: { x: tune.uniform(0, 1) }, metric: "score", mode: "max", seed: 3, numSamples: 3, concurrency: 2, scheduler: new tune.FIFO({ maxBudget: 3 }) });
  assert.deepEqual(ok.trials.map((t) => t.status), ["completed", "completed", "completed"]);
  await assert.rejects(tune.run({ module: fixtures, export: "nope" }, { space: {}, metric: "m", mode: "max", numSamples: 1 }).then((r) => {
    throw new Error(r.trials[0]!.error!.message);
  }), /has no function export named "nope"; its function exports: .*curve/);
});

test("bad input gets a clear error", async () => {
  const noop: tune.Trainable = async () => {};
  await assert.rejects(tune.run(noop, { space: { f: (() => 1) as never }, metric: "m", mode: "max" }), /space\.f is a function/);
  await assert.rejects(tune.run(noop, { space: {}, metric: "m", mode: "up" as never }), /mode must be "min" or "max"/);
  await assert.rejects(tune.run(noop, { space: {}, metric: "m", mode: "max", scheduler: new tune.Hyperband({ maxBudget: 9 }), numSamples: 5 }), /runs 17 trials/);
  const r = await tune.run(async (_c, ctx) => void (await ctx.report({ m: "high" as never })), { space: {}, metric: "m", mode: "max" });
  assert.match(r.trials[0]!.error!.message, /metric "m" is string; metrics are numbers/);
});

test("RunResult: best, leaderboard, CSV and JSON export; non-finite metrics rank last", async () => {
  const result = await tune.run(
    async (config, ctx) => {
      await ctx.report({ loss: config["x"] === 3 ? NaN : (config["x"] as number), other: 1 });
    },
    { space: { x: tune.grid([2, 1, 3]), name: "a,b" }, metric: "loss", mode: "min", seed: 1 },
  );
  assert.equal(result.best!.trialId, "t0001");
  assert.deepEqual(result.best!.metrics, { loss: 1, other: 1 });
  assert.deepEqual(result.leaderboard().map((t) => t.id), ["t0001", "t0000", "t0002"]);
  const csv = result.toCSV().trim().split("\n");
  assert.equal(csv[0], "trial_id,status,iterations,best_loss,config.x,config.name,last.loss,last.other,error");
  assert.equal(csv[2], 't0001,completed,1,1,1,"a,b",1,1,');
  assert.equal(csv[3], 't0002,completed,1,,3,"a,b",,1,');
  const json = JSON.parse(JSON.stringify(result));
  assert.equal(json.best.trialId, "t0001");
  assert.equal(json.trials.length, 3);
});

test("onEvent sees every journal event with budget spent and planned", async () => {
  const types: string[] = [];
  let last: tune.RunEvent | undefined;
  await tune.run(curve as tune.Trainable, {
    space: { x: tune.uniform(0, 1) }, metric: "score", mode: "max", seed: 2, scheduler: new tune.Hyperband({ maxBudget: 3, eta: 3 }),
    onEvent: (e) => { types.push(e.event.type); last = e; },
  });
  assert.equal(types[0], "experiment_started");
  assert.equal(types.at(-1), "experiment_ended");
  for (const t of ["trial_created", "trial_started", "result", "decision", "checkpoint", "trial_paused", "trial_resumed", "trial_completed", "trial_stopped"]) assert.ok(types.includes(t), t);
  // R=3, eta=3: brackets [(3 trials, 1), (1, 3)] and [(2, 3)]: 3·1 + 1·2 + 2·3 = 11 reports.
  assert.deepEqual(last!.budget, { spent: 11, planned: 11 });
});

test("in-thread trials let the event loop turn at each report, so timers and signal handlers (Ctrl-C) run during the experiment", async () => {
  // Without a turn per report the trials advance by microtasks alone: the callback would run
  // only after all 200 reports (after tune.run resolved).
  let reports = 0;
  let reportsWhenCallbackRan: number | undefined;
  setImmediate(() => (reportsWhenCallbackRan = reports));
  await tune.run(
    async (_config, ctx) => {
      for (;;) {
        reports++;
        if ((await ctx.report({ m: reports })) !== "continue") return;
      }
    },
    { space: {}, metric: "m", mode: "max", seed: 1, scheduler: new tune.FIFO({ maxBudget: 200 }) },
  );
  assert.equal(reports, 200);
  assert.ok(reportsWhenCallbackRan !== undefined && reportsWhenCallbackRan < 200, `the callback ran after ${reportsWhenCallbackRan} of 200 reports`);
});

test("trialTimeout holds for in-thread trials that keep the thread busy (no timer can fire): checked at the next report or return", async () => {
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const result = await tune.run(
    async (config, ctx) => {
      await ctx.report({ score: 1 });
      busy(200);
      if (config["then"] === "report") await ctx.report({ score: 2 });
    },
    { space: { then: tune.grid(["report", "return"]) }, metric: "score", mode: "max", seed: 1, trialTimeout: 50, scheduler: new tune.FIFO({ maxBudget: 3 }) },
  );
  assert.deepEqual(result.trials.map((t) => [t.status, t.error?.kind, t.history.length]), [["errored", "timeout", 1], ["errored", "timeout", 1]]);
  assert.match(result.trials[0]!.error!.message, /ran more than 50 ms without reporting \(trialTimeout\)/);
});

test("a report without the experiment's metric errors the trial, naming the metric and the keys reported; NaN is allowed", async () => {
  let reportAfterRefusal: Promise<tune.Decision> | undefined;
  const result = await tune.run(
    async (config, ctx) => {
      if (config["report"] === "nan") return void (await ctx.report({ accuracy: NaN }));
      try {
        await ctx.report({ acc: 1, loss: 0.5 });
      } catch {
        // A trainable that swallows the refusal still has an errored trial, and is told to stop.
        reportAfterRefusal = ctx.report({ accuracy: 1 });
      }
    },
    { space: { report: tune.grid(["nan", "acc"]) }, metric: "accuracy", mode: "max", seed: 1 },
  );
  assert.deepEqual(result.trials.map((t) => t.status), ["completed", "errored"]);
  assert.deepEqual(result.trials[0]!.last, { accuracy: null });
  assert.equal(
    result.trials[1]!.error!.message,
    'ctx.report gave "acc", "loss" but not "accuracy", the metric this experiment optimizes; every report must include it (NaN or null for a trial that diverged)',
  );
  assert.equal(result.trials[1]!.history.length, 0);
  // The run does not wait for a trial it has ended; one turn of the event loop lets it reach its catch.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await reportAfterRefusal, "stop");

  // Hyperband does not rank trials on missing values: every trial errors at its first report.
  const hyperband = await tune.run(
    async (_config, ctx) => {
      while ((await ctx.report({ acc: 1 })) === "continue");
    },
    { space: { x: tune.uniform(0, 1) }, metric: "accuracy", mode: "max", seed: 1, scheduler: new tune.Hyperband({ maxBudget: 9 }) },
  );
  assert.ok(hyperband.trials.every((t) => t.status === "errored" && t.history.length === 0 && t.attempts === 0));
  assert.equal(hyperband.best, undefined);

  // In a worker thread too (the curve fixture reports score and step).
  const worker = await tune.run({ module: fixtures, export: "curve" }, { space: { x: 0.5 }, metric: "accuracy", mode: "max", seed: 1, numSamples: 1, scheduler: new tune.FIFO({ maxBudget: 2 }) });
  assert.equal(worker.trials[0]!.status, "errored");
  assert.match(worker.trials[0]!.error!.message, /^ctx\.report gave "score", "step" but not "accuracy"/);
});
