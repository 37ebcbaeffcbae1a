// tune.run: creates trials from the searcher, runs them on an executor up to `concurrency` at a
// time, asks the scheduler what to do after each report, and writes every event to the
// journal before acting on it. The whole state of a run is that journal: resuming replays it
// through the same scheduler calls, so the same decisions come out.
//
// Budget: each ctx.report is one unit (one epoch, say). A trial told "pause" checkpoints and
// returns; when the scheduler promotes it, it is started again with ctx.restore() giving the
// checkpoint and ctx.iteration the number of reports it had made.

import { InlineExecutor } from "./executors/inline.js";
import { toTrialError, type Executor, type TrialHandle } from "./executors/executor.js";
import { WorkerExecutor } from "./executors/worker.js";
import { applyEvent, replay } from "./journal.js";
import { assertJson, describeValue } from "./json.js";
import { deriveSeed } from "./random.js";
import { makeRunResult } from "./result.js";
import { FIFO } from "./schedulers/fifo.js";
import { GridSearcher } from "./searchers/grid.js";
import { RandomSearcher } from "./searchers/random.js";
import { gridDomains, validateSpace, type Space } from "./space.js";
import { FileStorage, MemoryStorage, type Storage } from "./storage.js";
import type {
  Decision,
  ExperimentInfo,
  JournalEvent,
  JsonObject,
  JsonValue,
  Metrics,
  Mode,
  RunEvent,
  RunResult,
  Scheduler,
  Searcher,
  Trainable,
  TrainableRef,
  TrialRecord,
  Verdict,
} from "./types.js";

export interface RunOptions {
  space: Space;
  /** The reported metric to optimize. */
  metric: string;
  mode: Mode;
  /** The experiment seed; a random one is drawn (and stored in experiment.json) if left out. */
  seed?: number | string;
  /** Default: FIFO. */
  scheduler?: Scheduler;
  /** Default: GridSearcher if the space holds grid domains, else RandomSearcher. */
  searcher?: Searcher;
  /** How many trials to create (FIFO, ASHA, median stopping). Default: the grid size, or 1. */
  numSamples?: number;
  /** How many trials run at once (default 1). */
  concurrency?: number;
  /** An experiment directory (or a Storage). Without it the run is kept in memory only. */
  storage?: string | Storage;
  /** Continue the experiment found in `storage` instead of refusing to overwrite it. */
  resume?: boolean;
  /** How many times an errored trial is restarted (from its last checkpoint). Default 0. */
  maxRetries?: number;
  /** Milliseconds a trial may run without reporting (from its start, or from the decision on
   *  its last report, to its next report or its end); time waiting for the scheduler's
   *  decision does not count, nor does a worker thread's start-up before the trial gets its
   *  job. A trial past it is recorded as errored (kind "timeout"): by a timer, or, for a trial
   *  that kept this thread busy so that no timer could run, when it next reports or returns.
   *  In-thread trials share the thread, so their time includes each other's work between
   *  reports. */
  trialTimeout?: number;
  /** "inline" (the default for a function) or "worker" (the default for a { module, export }
   *  reference), or an Executor. */
  executor?: "inline" | "worker" | Executor;
  /** Called after each journal event, with the trial records as they stand. */
  onEvent?: (event: RunEvent) => void;
  /** Kept in experiment.json (a model spec, a dataset name). */
  meta?: JsonObject;
}

interface Attempt {
  trialId: string;
  handle: TrialHandle;
  /** Reports recorded in this trial so far. */
  iteration: number;
  /** The pending report, waiting for the scheduler's verdict. */
  pending?: { iteration: number; resolve: (d: Decision) => void };
  /** The verdict that ends this attempt, once given. */
  final?: Verdict;
  /** Set when the attempt was killed or has ended: later calls from it are ignored. */
  dead: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** When the trialTimeout clock started (performance.now()); undefined while it is stopped. */
  clockStart?: number;
}

function metricValue(metrics: Metrics, metric: string): number | null {
  const v = metrics[metric];
  return typeof v === "number" ? v : null;
}

/** Checks a report's metrics: a plain object of numbers that holds the experiment's metric.
 *  Non-finite numbers (a diverged trial) become null; only a missing metric is an error (as in
 *  Ray Tune: a trial that never reports the metric cannot be ranked or scheduled).
 *  Messages name no trial: they become that trial's error. */
function cleanMetrics(metrics: unknown, metric: string): Metrics {
  if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) {
    throw new TypeError(`ctx.report expects an object of metric names to numbers, got ${Array.isArray(metrics) ? "an array" : typeof metrics}`);
  }
  const out: Metrics = {};
  for (const [k, v] of Object.entries(metrics)) {
    if (v === null || (typeof v === "number" && !Number.isFinite(v))) out[k] = null;
    else if (typeof v === "number") out[k] = v;
    else throw new TypeError(`metric ${JSON.stringify(k)} is ${typeof v}; metrics are numbers`);
  }
  if (!Object.hasOwn(out, metric)) {
    const keys = Object.keys(out);
    const given = keys.length === 0 ? "no metrics" : keys.map((k) => JSON.stringify(k)).join(", ");
    throw new TypeError(
      `ctx.report gave ${given} but not ${JSON.stringify(metric)}, the metric this experiment optimizes; ` +
        `every report must include it (NaN or null for a trial that diverged)`,
    );
  }
  return out;
}

function defaultSearcher(space: Space): Searcher {
  return gridDomains(space).length > 0 ? new GridSearcher() : new RandomSearcher();
}

function makeExecutor(trainable: Trainable | TrainableRef, choice: RunOptions["executor"]): Executor {
  if (choice && typeof choice === "object") return choice;
  const kind = choice ?? (typeof trainable === "function" ? "inline" : "worker");
  if (kind === "inline") {
    if (typeof trainable !== "function") throw new TypeError('executor "inline" needs a trainable function; a { module, export } reference runs with executor "worker"');
    return new InlineExecutor(trainable);
  }
  if (kind === "worker") {
    if (typeof trainable === "function") {
      throw new TypeError('executor "worker" needs the trainable named as { module, export } (functions cannot cross a thread boundary)');
    }
    return new WorkerExecutor(trainable);
  }
  throw new TypeError(`executor must be "inline", "worker" or an Executor, got ${JSON.stringify(choice)}`);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Runs an experiment to its end and returns its result. */
export async function run(trainable: Trainable | TrainableRef, options: RunOptions): Promise<RunResult> {
  const runner = new Runner(trainable, options);
  return runner.run();
}

class Runner {
  private readonly storage: Storage;
  private readonly scheduler: Scheduler;
  private readonly searcher: Searcher;
  private readonly executor: Executor;
  private readonly concurrency: number;
  private readonly maxRetries: number;
  private readonly metric: string;
  private readonly mode: Mode;
  private seed: number | string;
  private numSamples: number | undefined;
  private readonly trials = new Map<string, TrialRecord>();
  private readonly running = new Map<string, Attempt>();
  /** Trials to (re)start before anything new: retries after errors, and interrupted trials on resume. */
  private readonly restarts = new Set<string>();
  /** Trials now paused (kept apart so that settling them does not scan every trial). */
  private readonly paused = new Set<string>();
  private created = 0;
  private spent = 0;
  private pumping = false;
  private pumpAgain = false;
  private finished = false;
  /** What options.onEvent threw, which ends the run. */
  private observerError: Error | undefined;
  private settle!: { resolve: () => void; reject: (e: unknown) => void };

  constructor(
    private readonly trainable: Trainable | TrainableRef,
    private readonly options: RunOptions,
  ) {
    if (!options || typeof options !== "object") throw new TypeError("tune.run(trainable, options) needs options { space, metric, mode, ... }");
    validateSpace(options.space);
    if (typeof options.metric !== "string" || options.metric === "") throw new TypeError('options.metric must name the reported metric to optimize, e.g. "accuracy"');
    if (options.mode !== "min" && options.mode !== "max") throw new TypeError(`options.mode must be "min" or "max", got ${JSON.stringify(options.mode)}`);
    this.metric = options.metric;
    this.mode = options.mode;
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`options.concurrency must be an integer >= 1, got ${describeValue(options.concurrency)}`);
    this.maxRetries = options.maxRetries ?? 0;
    if (!Number.isSafeInteger(this.maxRetries) || this.maxRetries < 0) throw new RangeError(`options.maxRetries must be an integer >= 0, got ${describeValue(options.maxRetries)}`);
    if (options.trialTimeout !== undefined && !(typeof options.trialTimeout === "number" && options.trialTimeout > 0)) throw new RangeError(`options.trialTimeout must be a positive number of milliseconds, got ${describeValue(options.trialTimeout)}`);
    this.storage = typeof options.storage === "string" ? new FileStorage(options.storage) : (options.storage ?? new MemoryStorage());
    this.scheduler = options.scheduler ?? new FIFO();
    this.searcher = options.searcher ?? defaultSearcher(options.space);
    this.executor = makeExecutor(this.trainable, options.executor);
    this.seed = options.seed ?? deriveSeed(`${Date.now()}:${Math.random()}`);
    if (options.numSamples !== undefined && !(Number.isSafeInteger(options.numSamples) && options.numSamples >= 1)) {
      throw new RangeError(`options.numSamples must be an integer >= 1, got ${describeValue(options.numSamples)}`);
    }
    this.numSamples = options.numSamples;
  }

  async run(): Promise<RunResult> {
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    try {
      const existing = this.storage.readInfo();
      if (existing && !this.options.resume) {
        throw new Error(`${this.storage.location} already holds an experiment; pass resume: true to continue it, or choose another storage directory`);
      }
      if (existing) this.checkCompatible(existing);
      this.searcher.setup({ space: this.options.space, metric: this.metric, mode: this.mode, seed: this.seed });
      if (this.scheduler.trialCount?.() === undefined) this.numSamples ??= this.searcher.size?.() ?? 1;
      this.scheduler.setup({ metric: this.metric, mode: this.mode, ...(this.numSamples !== undefined ? { numSamples: this.numSamples } : {}) });
      // Read once: replayed before experiment_started, settled after it.
      const journal = existing ? this.replayJournal() : undefined;
      if (!existing) this.storage.writeInfo(this.info());
      this.emit({ type: "experiment_started", time: Date.now(), resumed: existing !== undefined });
      if (journal) this.settleInterrupted(journal);
      this.pump();
      await done;
      const result = makeRunResult([...this.trials.values()], this.metric, this.mode);
      this.emit({ type: "experiment_ended", time: Date.now(), ...(result.best ? { best: result.best.trialId } : {}) });
      if (this.observerError) throw this.observerError;
      return result;
    } finally {
      this.finished = true;
      for (const a of this.running.values()) this.killAttempt(a, "the run ended");
      await this.executor.close();
      this.storage.close();
    }
  }

  private info(): ExperimentInfo {
    const ref = typeof this.trainable === "function" ? undefined : this.trainable;
    return {
      version: 1,
      createdAt: Date.now(),
      metric: this.metric,
      mode: this.mode,
      seed: this.seed,
      space: this.options.space,
      scheduler: this.scheduler.describe(),
      searcher: this.searcher.describe(),
      ...(this.numSamples !== undefined ? { numSamples: this.numSamples } : {}),
      maxRetries: this.maxRetries,
      ...(this.options.trialTimeout !== undefined ? { trialTimeout: this.options.trialTimeout } : {}),
      ...(ref ? { trainable: { module: ref.module, export: ref.export } } : {}),
      ...(this.options.meta ? { meta: this.options.meta } : {}),
    };
  }

  /** A resumed run must be the same experiment; the stored seed is used when none is given. */
  private checkCompatible(info: ExperimentInfo): void {
    if (this.options.seed === undefined) this.seed = info.seed;
    const mine = this.info();
    for (const key of ["metric", "mode", "seed", "space", "scheduler", "searcher", "numSamples"] as const) {
      if (key === "numSamples" && this.options.numSamples === undefined) continue;
      if (!sameJson(mine[key], info[key])) {
        throw new Error(
          `cannot resume ${this.storage.location}: its ${key} was ${JSON.stringify(info[key])}, now ${JSON.stringify(mine[key])}; ` +
            `resume with the options the experiment started with`,
        );
      }
    }
    if (this.options.numSamples === undefined && info.numSamples !== undefined) this.numSamples = info.numSamples;
  }

  /** Rebuilds the trial records and the scheduler's and searcher's state from the journal, and
   *  returns its events. */
  private replayJournal(): readonly JournalEvent[] {
    const { events, warnings } = this.storage.readJournal();
    for (const w of warnings) console.warn(`tunegrad: ${w}`);
    for (const [id, t] of replay(events)) {
      this.trials.set(id, t);
      if (t.status === "paused") this.paused.add(id);
    }
    for (const e of events) {
      switch (e.type) {
        case "trial_created":
          this.scheduler.onTrialCreated(e.trialId, e.index, e.bracket);
          this.created = Math.max(this.created, e.index + 1);
          break;
        case "trial_resumed":
          this.scheduler.onTrialResumed(e.trialId);
          break;
        case "result":
          this.scheduler.onResult(e.trialId, e.iteration, metricValue(e.metrics, this.metric));
          this.searcher.observe(e.trialId, e.metrics, false);
          break;
        case "trial_paused":
          this.scheduler.onTrialPaused(e.trialId);
          break;
        case "trial_completed":
        case "trial_stopped":
          this.scheduler.onTrialEnded(e.trialId, e.type === "trial_completed" ? "completed" : "stopped");
          break;
        case "trial_errored":
          if (!e.willRetry) this.scheduler.onTrialEnded(e.trialId, "errored");
          break;
      }
    }
    for (const t of this.trials.values()) this.spent += t.history.length;
    return events;
  }

  /** After a resume: trials that were running when the process died. A trial whose last
   *  verdict ended its attempt is settled as that verdict says; the others restart from their
   *  last checkpoint (results after it are redone). */
  private settleInterrupted(events: readonly JournalEvent[]): void {
    const lastDecision = new Map<string, { iteration: number; decision: Verdict }>();
    for (const e of events) {
      if (e.type === "decision") lastDecision.set(e.trialId, { iteration: e.iteration, decision: e.decision });
      // A trial resumed (promoted) or restarted after its last verdict is running again: that
      // verdict is spent, and pausing the trial on it again would strand it (the scheduler has
      // already promoted it), so the trial restarts from its checkpoint instead.
      if (e.type === "trial_resumed" || e.type === "trial_started") lastDecision.delete(e.trialId);
    }
    for (const t of [...this.trials.values()].sort((a, b) => a.index - b.index)) {
      if (t.status !== "running" && t.status !== "pending") continue;
      const last = lastDecision.get(t.id);
      const lastIteration = t.history.at(-1)?.iteration ?? 0;
      const checkpoint = this.storage.loadCheckpoint(t.id);
      if (last && last.iteration === lastIteration && t.status === "running") {
        if (last.decision === "pause" && checkpoint?.iteration === lastIteration) {
          this.emit({ type: "trial_paused", time: Date.now(), trialId: t.id, iteration: lastIteration, ...this.rungOf(t.id) });
          this.scheduler.onTrialPaused(t.id);
          continue;
        }
        if (last.decision === "stop" || last.decision === "complete") {
          this.endTrial(t.id, last.decision === "stop" ? "stopped" : "completed", lastIteration);
          continue;
        }
      }
      this.restarts.add(t.id);
    }
  }

  private rungOf(trialId: string): { rung?: number } {
    const rung = this.scheduler.placement?.(trialId)?.rung;
    return rung === undefined ? {} : { rung };
  }

  private emit(event: JournalEvent): void {
    this.storage.append(event);
    applyEvent(this.trials, event);
    if (event.type === "result") this.spent++;
    if (event.type === "trial_paused") this.paused.add(event.trialId);
    if (event.type === "trial_resumed" || event.type === "trial_stopped") this.paused.delete(event.trialId);
    if (this.options.onEvent) {
      const planned = this.scheduler.plannedBudget?.();
      try {
        this.options.onEvent({ event, trials: this.trials, budget: { spent: this.spent, ...(planned !== undefined ? { planned } : {}) } });
      } catch (e) {
        // The caller's code failed, not the trial whose event it was: the run stops and says so
        // (everything so far is in the journal, so it can be resumed).
        this.observerError ??= new Error(`options.onEvent threw on a "${event.type}" event: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        this.fail(this.observerError);
      }
    }
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.settle.reject(e);
  }

  /** Brings the run forward after any event: verdicts, settled pauses, free slots, the end. */
  private pump(): void {
    if (this.finished) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.giveVerdicts();
        this.settlePaused();
        this.fillSlots();
      } while (this.pumpAgain && !this.finished);
      if (this.running.size === 0 && this.restarts.size === 0 && !this.finished) {
        const action = this.scheduler.next();
        if (action.kind === "done") {
          this.finished = true;
          this.settle.resolve();
        } else {
          throw new Error(`${this.scheduler.name} asked to ${action.kind} with no trial running: the scheduler is stuck (a bug in it)`);
        }
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.pumping = false;
    }
  }

  private giveVerdicts(): void {
    const waiting = [...this.running.values()].filter((a) => a.pending).sort((a, b) => this.trials.get(a.trialId)!.index - this.trials.get(b.trialId)!.index);
    for (const a of waiting) {
      const pending = a.pending!;
      const verdict = this.scheduler.verdict(a.trialId, pending.iteration);
      if (verdict === undefined) continue;
      a.pending = undefined;
      this.emit({ type: "decision", time: Date.now(), trialId: a.trialId, iteration: pending.iteration, decision: verdict, ...this.rungOf(a.trialId) });
      if (verdict !== "continue") a.final = verdict;
      else this.armTimer(a);
      pending.resolve(verdict === "complete" ? "stop" : verdict);
      this.pumpAgain = true;
    }
  }

  /** Paused trials whose rung was decided against them are stopped. */
  private settlePaused(): void {
    if (!this.scheduler.pausedFate) return;
    for (const id of [...this.paused]) {
      if (this.scheduler.pausedFate(id) === "stop") {
        this.endTrial(id, "stopped", this.trials.get(id)!.history.at(-1)?.iteration ?? 0);
        this.pumpAgain = true;
      }
    }
  }

  private fillSlots(): void {
    while (this.running.size < this.concurrency && !this.finished) {
      if (this.restarts.size > 0) {
        const id = [...this.restarts].sort((a, b) => this.trials.get(a)!.index - this.trials.get(b)!.index)[0]!;
        this.restarts.delete(id);
        this.startAttempt(id, "restart");
        continue;
      }
      const action = this.scheduler.next();
      if (action.kind === "new") {
        this.startAttempt(this.createTrial(action.bracket), "new");
      } else if (action.kind === "resume") {
        this.startAttempt(action.trialId, "resume");
      } else {
        return;
      }
    }
  }

  private createTrial(bracket: number | undefined): string {
    const index = this.created++;
    const trialId = `t${String(index).padStart(4, "0")}`;
    const config = this.searcher.suggest(trialId, index);
    assertJson(config, `config of trial ${trialId}`);
    const seed = deriveSeed(this.seed, "trial", index);
    this.emit({ type: "trial_created", time: Date.now(), trialId, index, config, seed, ...(bracket !== undefined ? { bracket } : {}) });
    this.scheduler.onTrialCreated(trialId, index, bracket);
    return trialId;
  }

  private startAttempt(trialId: string, why: "new" | "restart" | "resume"): void {
    const trial = this.trials.get(trialId)!;
    const checkpoint = why === "new" ? undefined : this.storage.loadCheckpoint(trialId);
    const from = checkpoint?.iteration ?? 0;
    if (why === "resume") {
      this.emit({ type: "trial_resumed", time: Date.now(), trialId, fromIteration: from });
      this.scheduler.onTrialResumed(trialId);
    } else {
      this.emit({ type: "trial_started", time: Date.now(), trialId, attempt: trial.attempts, fromIteration: from });
    }
    const attempt: Attempt = { trialId, iteration: from, dead: false, handle: undefined as unknown as TrialHandle };
    this.running.set(trialId, attempt);
    attempt.handle = this.executor.start(
      { trialId, config: trial.config, seed: trial.seed, iteration: from, checkpoint: checkpoint?.state },
      {
        report: (metrics) => this.onReport(attempt, metrics),
        checkpoint: (state) => this.onCheckpoint(attempt, state),
      },
    );
    // The trialTimeout clock starts when the trainable has its job, not while a worker boots.
    const arm = () => {
      if (!attempt.dead) this.armTimer(attempt);
    };
    if (attempt.handle.started) void attempt.handle.started.then(arm);
    else arm();
    attempt.handle.done.then(
      () => this.onReturn(attempt),
      (e) => this.onError(attempt, toTrialError(e)),
    );
  }

  /** Starts the trialTimeout clock: a timer, and the start time for the check at the next
   *  report or return (a trial that keeps this thread busy holds the timer back). */
  private armTimer(a: Attempt): void {
    const ms = this.options.trialTimeout;
    if (ms === undefined) return;
    clearTimeout(a.timer);
    a.clockStart = performance.now();
    a.timer = setTimeout(() => {
      if (a.dead || a.pending) return;
      this.timeOut(a);
    }, ms);
  }

  private stopClock(a: Attempt): void {
    clearTimeout(a.timer);
    a.clockStart = undefined;
  }

  private overdue(a: Attempt): boolean {
    const ms = this.options.trialTimeout;
    return ms !== undefined && a.clockStart !== undefined && performance.now() - a.clockStart > ms;
  }

  /** Ends an attempt that ran past trialTimeout, recording it as errored (kind "timeout"). */
  private timeOut(a: Attempt): void {
    const message = `the trial ran more than ${this.options.trialTimeout} ms without reporting (trialTimeout)`;
    this.killAttempt(a, message);
    this.onError(a, { kind: "timeout", message }, true);
  }

  /** Ends an attempt whose report the runner refuses (bad metrics, a report not awaited),
   *  recording it as errored, so a trainable that catches the error cannot carry on. */
  private refuseReport(a: Attempt, error: unknown): Promise<Decision> {
    const trialError = toTrialError(error);
    this.killAttempt(a, trialError.message);
    this.onError(a, trialError, true);
    return Promise.reject(error);
  }

  private killAttempt(a: Attempt, reason: string): void {
    if (a.dead) return;
    a.dead = true;
    this.stopClock(a);
    a.handle.kill(reason);
  }

  private onReport(a: Attempt, raw: Metrics): Promise<Decision> {
    if (a.dead || this.finished) return Promise.resolve("stop");
    if (a.final) return Promise.resolve(a.final === "complete" ? "stop" : a.final);
    if (a.pending) return this.refuseReport(a, new Error(`ctx.report was called again before the previous report resolved; await each report`));
    if (this.overdue(a)) {
      this.timeOut(a);
      return Promise.resolve("stop");
    }
    let metrics: Metrics;
    try {
      metrics = cleanMetrics(raw, this.metric);
    } catch (error) {
      return this.refuseReport(a, error);
    }
    this.stopClock(a);
    a.iteration++;
    this.emit({ type: "result", time: Date.now(), trialId: a.trialId, iteration: a.iteration, metrics });
    this.scheduler.onResult(a.trialId, a.iteration, metricValue(metrics, this.metric));
    this.searcher.observe(a.trialId, metrics, false);
    const decision = new Promise<Decision>((resolve) => (a.pending = { iteration: a.iteration, resolve }));
    this.pump();
    return decision;
  }

  private onCheckpoint(a: Attempt, state: JsonValue): void {
    if (a.dead || this.finished) return;
    assertJson(state, `the checkpoint of trial ${a.trialId}`);
    this.storage.saveCheckpoint(a.trialId, { iteration: a.iteration, state });
    this.emit({ type: "checkpoint", time: Date.now(), trialId: a.trialId, iteration: a.iteration });
  }

  private endTrial(trialId: string, status: "completed" | "stopped", iteration: number): void {
    this.emit({ type: status === "completed" ? "trial_completed" : "trial_stopped", time: Date.now(), trialId, iteration });
    this.scheduler.onTrialEnded(trialId, status);
    const last = this.trials.get(trialId)!.last;
    this.searcher.observe(trialId, last ?? {}, true);
  }

  private onReturn(a: Attempt): void {
    if (a.dead || this.finished) return;
    if (this.overdue(a)) {
      this.timeOut(a);
      return;
    }
    a.dead = true;
    this.stopClock(a);
    this.running.delete(a.trialId);
    if (a.final === "pause") {
      this.emit({ type: "trial_paused", time: Date.now(), trialId: a.trialId, iteration: a.iteration, ...this.rungOf(a.trialId) });
      this.scheduler.onTrialPaused(a.trialId);
    } else {
      // Returned on its own (no verdict, or a report still pending) counts as completed.
      this.endTrial(a.trialId, a.final === "stop" ? "stopped" : "completed", a.iteration);
    }
    this.pump();
  }

  private onError(a: Attempt, error: ReturnType<typeof toTrialError>, killed = false): void {
    if ((a.dead && !killed) || this.finished) return;
    a.dead = true;
    this.stopClock(a);
    this.running.delete(a.trialId);
    const trial = this.trials.get(a.trialId)!;
    const willRetry = trial.attempts < this.maxRetries;
    this.emit({ type: "trial_errored", time: Date.now(), trialId: a.trialId, iteration: a.iteration, error, willRetry });
    if (willRetry) {
      this.restarts.add(a.trialId);
    } else {
      this.scheduler.onTrialEnded(a.trialId, "errored");
      this.searcher.observe(a.trialId, trial.last ?? {}, true);
    }
    this.pump();
  }
}
