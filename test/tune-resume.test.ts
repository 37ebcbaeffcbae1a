import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tune from "../src/tune/index.js";
import { curve } from "./tune-fixtures/trainables.js";
import { experiment } from "./tune-fixtures/resume-run.js";

const fixture = path.join(import.meta.dirname, "tune-fixtures", "resume-run.ts");

function summary(trials: tune.TrialRecord[]) {
  return trials.map((t) => ({ id: t.id, config: t.config, status: t.status, history: t.history.map((h) => [h.iteration, h.metrics]) }));
}

test("kill -9 mid-experiment, then resume: same leaderboard as an uninterrupted run, no trial duplicated", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tune-resume-"));
  const journal = path.join(dir, "journal.jsonl");
  const child = spawn(process.execPath, ["--import", "tsx", fixture, dir], { stdio: "inherit" });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // Kill it once it has made some progress (some trials paused, some running).
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const lines = fs.existsSync(journal) ? fs.readFileSync(journal, "utf8").split("\n").length : 0;
    if (lines > 80) break;
  }
  child.kill("SIGKILL");
  await exited;
  // Tear the last line, as a kill in the middle of a write would.
  fs.appendFileSync(journal, '{"type":"result","trialId":"t00');
  const before = await tune.loadExperiment(dir);
  assert.equal(before.finished, false);
  assert.equal(before.warnings.length, 1);
  const pausedBefore = before.trials.filter((t) => t.checkpointIteration !== undefined).map((t) => [t.id, t.checkpointIteration!] as const);

  const starts: { id: string; iteration: number }[] = [];
  const resumed = await tune.run(
    async (config, ctx) => {
      starts.push({ id: ctx.trialId, iteration: ctx.iteration });
      return curve(config as { x: number }, ctx);
    },
    { ...experiment, scheduler: new tune.Hyperband({ maxBudget: 9, eta: 3 }), storage: dir, resume: true },
  );
  const uninterrupted = await tune.run(curve as tune.Trainable, { ...experiment, scheduler: new tune.Hyperband({ maxBudget: 9, eta: 3 }) });

  assert.deepEqual(resumed.leaderboard().map((t) => t.id), uninterrupted.leaderboard().map((t) => t.id));
  assert.deepEqual(summary(resumed.trials), summary(uninterrupted.trials));
  assert.deepEqual(resumed.best, uninterrupted.best);
  const after = await tune.loadExperiment(dir);
  assert.equal(after.finished, true);
  const created = after.events.filter((e) => e.type === "trial_created").map((e) => (e as { trialId: string }).trialId);
  assert.equal(new Set(created).size, created.length, "a trial was created twice");
  assert.equal(created.length, uninterrupted.trials.length);
  // A checkpointed trial restarts from its checkpoint, never from scratch.
  for (const [id, iteration] of pausedBefore) {
    for (const s of starts.filter((s) => s.id === id)) assert.ok(s.iteration >= iteration, `${id} restarted at ${s.iteration}, checkpoint at ${iteration}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test("an existing experiment is not overwritten without resume: true", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tune-exists-"));
  const opts = { space: { x: tune.uniform(0, 1) }, metric: "score", mode: "max" as const, seed: 1, numSamples: 2, scheduler: new tune.FIFO({ maxBudget: 2 }), storage: dir };
  await tune.run(curve as tune.Trainable, opts);
  await assert.rejects(tune.run(curve as tune.Trainable, { ...opts, scheduler: new tune.FIFO({ maxBudget: 2 }) }), /already holds an experiment; pass resume: true/);
  await assert.rejects(
    tune.run(curve as tune.Trainable, { ...opts, metric: "loss", resume: true, scheduler: new tune.FIFO({ maxBudget: 2 }) }),
    /its metric was "score", now "loss"/,
  );
  const info = JSON.parse(fs.readFileSync(path.join(dir, "experiment.json"), "utf8"));
  assert.deepEqual(info.space, opts.space);
  fs.rmSync(dir, { recursive: true, force: true });
});
