// The live progress display: pure formatting of a snapshot, in-place redraws on a terminal
// (throttled), plain lines without escape codes elsewhere, and snapshots built from runner events.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ProgressTracker,
  ProgressView,
  formatDuration,
  formatProgressBlock,
  formatProgressLine,
  snapshotFromRun,
  type ProgressSnapshot,
} from "../src/tune/progress.js";
import { hyperbandBrackets } from "../src/tune/schedulers/brackets.js";
import type { JournalEvent, RunEvent, TrialRecord } from "../src/tune/types.js";

const snapshot: ProgressSnapshot = {
  title: "digits-activations",
  metric: "accuracy",
  mode: "max",
  trials: { done: 12, running: 2, pending: 40, paused: 3, errored: 1 },
  bracket: { s: 3, index: 1, count: 5, rung: 1, rungCount: 4, rungBudget: 9 },
  best: { trialId: "t0007", value: 0.961234, config: { activation1: "mish", lr: 0.0031234 } },
  budget: { spent: 87, total: 435 },
  elapsedMs: 62_000,
};

class Recorder {
  chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 120) {}
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
}

describe("progress formatting", () => {
  it("formats durations as m:ss and h:mm:ss", () => {
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(62_000), "1:02");
    assert.equal(formatDuration(3_723_000), "1:02:03");
  });

  it("shows trials, bracket and rung, best so far and budget on a terminal", () => {
    const lines = formatProgressBlock(snapshot, 200);
    assert.deepEqual(lines, [
      "tunegrad digits-activations  1:02",
      "  trials   12 done, 2 running, 40 pending, 3 paused, 1 errored",
      "  bracket  s=3 (2 of 5), rung 2 of 4 at budget 9",
      '  best     accuracy=0.9612 (max) trial t0007  activation1="mish" lr=0.003123',
      "  budget   87 / 435 [####................] 20%",
    ]);
  });

  it("cuts lines to the terminal width", () => {
    for (const line of formatProgressBlock(snapshot, 40)) assert.ok(line.length <= 40, line);
  });

  it("leaves out the bracket without Hyperband and says when there is no best yet", () => {
    const { bracket: _omit, best: _none, ...plain } = snapshot;
    const lines = formatProgressBlock({ ...plain, budget: { spent: 3 } });
    assert.ok(!lines.some((l) => l.includes("bracket")));
    assert.ok(lines.includes("  best     none yet"));
    assert.ok(lines.includes("  budget   3"));
  });

  it("makes one plain line with everything and no escape codes", () => {
    const line = formatProgressLine(snapshot);
    assert.equal(line, "[1:02] | trials 12 done, 2 running, 40 pending, 3 paused, 1 errored | bracket s=3 rung 2/4 | best accuracy=0.9612 (trial t0007) | budget 87/435");
    assert.doesNotMatch(line, /\x1b/);
  });
});

describe("progress view", () => {
  it("redraws in place on a terminal, throttled, and draws the last state on finish", () => {
    let clock = 0;
    const out = new Recorder(true);
    const view = new ProgressView(out, { throttleMs: 100, now: () => clock });
    view.update(snapshot);
    assert.equal(out.chunks.length, 1);
    assert.doesNotMatch(out.chunks[0]!, /\x1b/, "the first draw moves no cursor");
    clock = 50;
    view.update({ ...snapshot, elapsedMs: 63_000 });
    assert.equal(out.chunks.length, 1, "a redraw within the throttle interval is deferred");
    clock = 150;
    view.update({ ...snapshot, elapsedMs: 64_000 });
    assert.equal(out.chunks.length, 2);
    assert.ok(out.chunks[1]!.startsWith("\x1b[5F\x1b[J"), "moves up over the 5 drawn lines and clears them");
    view.finish();
    assert.equal(out.chunks.length, 3);
    assert.match(out.chunks[2]!, /1:04/);
  });

  it("prints a deferred redraw once the throttle interval has passed", async () => {
    const out = new Recorder(true);
    const view = new ProgressView(out, { throttleMs: 20 });
    view.update(snapshot);
    view.update({ ...snapshot, elapsedMs: 99_000 });
    assert.equal(out.chunks.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(out.chunks.length, 2);
    assert.match(out.chunks[1]!, /1:39/);
  });

  it("prints plain lines when not a terminal, only when something besides the clock changed", () => {
    const out = new Recorder(false);
    const view = new ProgressView(out);
    view.update(snapshot);
    view.update({ ...snapshot, elapsedMs: 70_000, budget: { spent: 88, total: 435 } });
    const oneMoreDone = { ...snapshot, trials: { ...snapshot.trials, done: 13, running: 1 } };
    view.update(oneMoreDone);
    view.update({ ...oneMoreDone, budget: { spent: 95, total: 435 } });
    view.finish();
    view.finish();
    assert.equal(out.chunks.length, 3, "a line for the start, one when a trial ended, and the final state once");
    assert.match(out.chunks[2]!, /budget 95\/435$/m);
    for (const chunk of out.chunks) {
      assert.doesNotMatch(chunk, /\x1b/);
      assert.ok(chunk.endsWith("\n") && chunk.indexOf("\n") === chunk.length - 1, "one line per write");
    }
    assert.match(out.chunks[1]!, /13 done, 1 running/);
  });
});

describe("progress from runner events", () => {
  const brackets = hyperbandBrackets({ maxBudget: 9, eta: 3 });
  const options = { title: "demo", metric: "loss", mode: "min" as const, brackets, plannedTrials: 17 };

  function record(id: string, index: number, status: TrialRecord["status"], losses: number[], rung: number): TrialRecord {
    return {
      id, index, config: { act: index % 2 ? "relu" : "tanh" }, seed: index, status, attempts: 1, bracket: 2, rung, createdAt: 0,
      history: losses.map((loss, i) => ({ iteration: i + 1, metrics: { loss }, time: 0 })),
    };
  }

  const trials = new Map<string, TrialRecord>([
    ["t0000", record("t0000", 0, "paused", [0.9, 0.5, 0.4], 1)],
    ["t0001", record("t0001", 1, "stopped", [0.8], 0)],
    ["t0002", record("t0002", 2, "running", [0.7, 0.6], 1)],
    ["t0003", record("t0003", 3, "errored", [], 0)],
    ["t0004", record("t0004", 4, "pending", [], 0)],
  ]);
  const event: JournalEvent = { type: "result", trialId: "t0002", iteration: 2, metrics: { loss: 0.6 }, time: 0 };
  const run: RunEvent = { event, trials, budget: { spent: 6, planned: 60 } };

  it("counts trials by status, adds the trials not yet created to pending, and finds the best", () => {
    const s = snapshotFromRun(run, options, { bracket: 2, rung: 1 }, 5_000);
    assert.deepEqual(s.trials, { done: 1, running: 1, pending: 1 + 12, paused: 1, errored: 1 });
    assert.deepEqual(s.best, { trialId: "t0000", value: 0.4, config: { act: "tanh" } });
    assert.deepEqual(s.bracket, { s: 2, index: 0, count: 3, rung: 1, rungCount: 3, rungBudget: 3 });
    assert.deepEqual(s.budget, { spent: 6, total: 60 });
  });

  it("tracks the bracket and rung of the oldest running trial, and keeps them when an event names none", () => {
    const out = new Recorder(false);
    const tracker = new ProgressTracker(new ProgressView(out), options, () => 0);
    tracker.onEvent(run);
    tracker.onEvent({ ...run, event: { type: "experiment_ended", time: 0 } });
    tracker.finish();
    assert.match(out.chunks[0]!, /bracket s=2 rung 2\/3/);
    assert.match(out.chunks.at(-1)!, /bracket s=2 rung 2\/3 \| best loss=0\.4 \(trial t0000\) \| budget 6\/60/);
  });
});
