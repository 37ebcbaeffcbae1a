// Runs an experiment file with tune.run, for `tunegrad tune` (a fresh start) and `tunegrad
// resume` (the same experiment, continued from its journal): builds the scheduler and the
// trainable reference, shows live progress, and prints the best trial at the end.
//
// The experiment file's JSON is kept in experiment.json (meta.experiment), with the directory its
// relative paths are resolved against (meta.directory), so that resume rebuilds exactly the same
// run from the experiment directory alone.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ProgressTracker, ProgressView } from "../tune/progress.js";
import { formatTrialErrors } from "../tune/report/errors.js";
import { formatLeaderboard } from "../tune/report/leaderboard.js";
import { run, type RunOptions } from "../tune/runner.js";
import { ASHA } from "../tune/schedulers/asha.js";
import { FIFO } from "../tune/schedulers/fifo.js";
import { Hyperband } from "../tune/schedulers/hyperband.js";
import { MedianStopping } from "../tune/schedulers/median.js";
import type { JsonObject, RunResult, Scheduler } from "../tune/types.js";
import type { CliIO } from "./command.js";
import type { Experiment } from "./experiment.js";
import { preflight } from "./preflight.js";
import { trainableRef, trainTrial } from "./trainable.js";
import { ensureBackend } from "./training-session.js";

function makeScheduler({ type, options }: Experiment["scheduler"]): Scheduler {
  switch (type) {
    case "hyperband":
      return new Hyperband(options as { maxBudget: number; eta?: number });
    case "asha":
      return new ASHA(options as { maxBudget: number });
    case "fifo":
      return new FIFO(options);
    case "median":
      return new MedianStopping(options);
  }
}

export interface RunExperimentOptions {
  /** The experiment file's JSON as written, kept in experiment.json for resume. */
  source: JsonObject;
  /** The experiment directory. */
  dir: string;
  resume: boolean;
  io: CliIO;
}

export async function runExperiment(experiment: Experiment, { source, dir, resume, io }: RunExperimentOptions): Promise<RunResult> {
  await preflight(experiment);
  const scheduler = makeScheduler(experiment.scheduler);
  // What the progress display shows: Hyperband's brackets, and the trials the run will create
  // (the brackets decide with Hyperband, else numSamples).
  const brackets = scheduler instanceof Hyperband ? scheduler.brackets : undefined;
  const planned = scheduler.trialCount?.() ?? experiment.numSamples;
  const view = new ProgressView(io.stdout);
  const tracker = new ProgressTracker(view, {
    title: experiment.name,
    metric: experiment.metric,
    mode: experiment.mode,
    ...(brackets !== undefined ? { brackets } : {}),
    ...(planned !== undefined ? { plannedTrials: planned } : {}),
  });

  const options: RunOptions = {
    space: experiment.space,
    metric: experiment.metric,
    mode: experiment.mode,
    seed: experiment.seed,
    scheduler,
    concurrency: experiment.concurrency,
    storage: dir,
    resume,
    maxRetries: experiment.maxRetries,
    executor: experiment.executor,
    onEvent: tracker.onEvent,
    meta: { name: experiment.name, experiment: source, directory: experiment.directory },
  };
  if (experiment.numSamples !== undefined) options.numSamples = experiment.numSamples;
  if (experiment.trialTimeout !== undefined) options.trialTimeout = experiment.trialTimeout * 1000;

  // In a worker thread the trainable is named by module URL; in this thread it is a function.
  const plan = experiment.plan;
  const trainable = experiment.executor === "worker" ? trainableRef(plan) : (config: Parameters<typeof trainTrial>[1], ctx: Parameters<typeof trainTrial>[2]) => trainTrial(plan, config, ctx);

  if (plan.backend !== "cpu") {
    // Chosen here first: trials in this thread share the device, and Dawn's OpenGL adapter needs
    // EGL_PLATFORM in the real process environment, which only this thread can set for workers.
    const device = await ensureBackend(plan.backend);
    io.stdout.write(`Device: ${device.backend} (${device.reason})\n`);
  }

  const interrupted = () => {
    view.finish();
    io.stderr.write(`\nInterrupted. Every result so far is in the journal: "tunegrad resume ${dir}" continues the experiment.\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  try {
    const result = await run(trainable, options);
    view.finish();
    return result;
  } finally {
    process.off("SIGINT", interrupted);
  }
}

/** What the user sees when the run ends: the best trial, its config, and where to look next. */
export function formatRunSummary(experiment: Experiment, result: RunResult, dir: string): string {
  const lines = ["", formatLeaderboard(result.trials, { metric: experiment.metric, mode: experiment.mode, limit: 10 })];
  if (result.best === undefined) {
    lines.push(`No trial reported ${experiment.metric}; see the errors with "tunegrad report ${dir}".`);
  } else {
    const value = result.best.metrics[experiment.metric];
    lines.push(
      `Best trial ${result.best.trialId}: validation ${experiment.metric} ${value === null || value === undefined ? "n/a" : Number(value.toPrecision(4))} after ${result.best.iteration} epoch${result.best.iteration === 1 ? "" : "s"}`,
      `Best config: ${JSON.stringify(result.best.config)}`,
    );
  }
  lines.push(`Experiment directory: ${dir}  (HTML report: tunegrad report ${dir} --html ${path.join(dir, "report.html")})`);
  return lines.join("\n") + formatTrialErrors(result.trials) + "\n";
}

/** True when `dir` already holds an experiment (tune refuses to overwrite it). */
export function holdsExperiment(dir: string): boolean {
  return existsSync(path.join(dir, "experiment.json"));
}
