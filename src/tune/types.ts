// The tuner's core data types: the trainable contract, scheduler and searcher interfaces, the
// records a run produces and the journal events it appends. Everything here that is stored is
// plain JSON, so an experiment can be written to disk, read back and resumed.
//
// These types are a contract with the report, progress display and CLI: change them only in
// backward-compatible ways (add optional fields, add event types).

// ---------------------------------------------------------------------------------------------
// JSON

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A trial's configuration: plain JSON, sampled from a search space. */
export type Config = JsonObject;

/**
 * What a trial reports once per unit of budget (one epoch, say). Values are numbers; a value
 * that is not finite (a diverged loss) is stored as `null` and ranks last.
 */
export type Metrics = { [name: string]: number | null };

export type Mode = "min" | "max";

// ---------------------------------------------------------------------------------------------
// The trainable contract

/** What the scheduler tells a trial after each report. */
export type Decision = "continue" | "pause" | "stop";

export interface TrialContext {
  /** This trial's id, e.g. "t0007". */
  readonly trialId: string;
  /** This trial's seed, forked from the experiment seed by trial index (a uint32). */
  readonly seed: number;
  /** Aborted when the trial times out or the run is cancelled; stop work when it fires. */
  readonly signal: AbortSignal;
  /**
   * How many results this trial has reported so far, counting those before a pause or a
   * restart from a checkpoint: a trial resumed at iteration 9 should train its 10th epoch next.
   */
  readonly iteration: number;
  /**
   * Records one result (one unit of budget) and resolves to what the trial should do next:
   * "continue" to train another unit, "pause" to checkpoint and return (it may be resumed later
   * from that checkpoint), "stop" to return for good. Reports made after "pause" or "stop"
   * are not recorded.
   */
  report(metrics: Metrics): Promise<Decision>;
  /** Saves what this trial needs to go on later (JSON). Call it before returning on "pause". */
  checkpoint(state: JsonValue): Promise<void>;
  /** The state last saved by `checkpoint`, or `undefined` on a fresh start. */
  restore(): JsonValue | undefined;
}

/** A trainable runs one trial: it trains, calling `ctx.report` once per unit of budget. */
export type Trainable<C extends Config = Config> = (config: C, ctx: TrialContext) => Promise<void> | void;

/**
 * A trainable named by module and export, so that it can be loaded inside a worker thread or
 * a Web Worker: only this reference and JSON cross the thread boundary. `module` is a file path
 * or a URL (file:, http:, data:).
 */
export interface TrainableRef {
  module: string;
  export: string;
}

// ---------------------------------------------------------------------------------------------
// Trials

export type TrialStatus =
  | "pending" // created, never started
  | "running"
  | "paused" // checkpointed at a rung, waiting for the scheduler to promote or stop it
  | "completed" // ran its full budget, or its trainable returned on its own
  | "stopped" // stopped early by the scheduler
  | "errored"; // threw, timed out or crashed its worker, with no retries left

export interface TrialError {
  message: string;
  /** "error": the trainable threw; "timeout": it ran past trialTimeout; "crash": its worker died. */
  kind: "error" | "timeout" | "crash";
  stack?: string;
}

/** One reported result. `iteration` is the budget spent when it was reported (1-based). */
export interface ReportRecord {
  iteration: number;
  metrics: Metrics;
  /** Milliseconds since the Unix epoch. */
  time: number;
}

export interface TrialRecord {
  id: string;
  /** The order in which trials were created (0-based); configs and seeds derive from it. */
  index: number;
  config: Config;
  seed: number;
  status: TrialStatus;
  /** Every recorded result, in iteration order. */
  history: ReportRecord[];
  /** The last recorded result's metrics, if any. */
  last?: Metrics;
  error?: TrialError;
  /** How many times the trial was started from scratch or from a checkpoint after an error. */
  attempts: number;
  /** The iteration at which the last checkpoint was taken, if any. */
  checkpointIteration?: number;
  /** Hyperband: the bracket index s; ASHA: always 0. */
  bracket?: number;
  /** Hyperband/ASHA: the highest rung this trial reached (0-based). */
  rung?: number;
  createdAt: number;
  endedAt?: number;
}

// ---------------------------------------------------------------------------------------------
// Schedulers and searchers

/** What the scheduler says about a result: a Decision, or "complete" when the trial reached
 *  its full budget (the trainable is told "stop", the trial is recorded as completed). */
export type Verdict = Decision | "complete";

/** What the runner should do with a free slot. */
export type SchedulerAction =
  | { kind: "new"; bracket?: number } // create and start the next trial
  | { kind: "resume"; trialId: string } // resume a paused trial from its checkpoint
  | { kind: "wait" } // nothing to start until a running trial reports or ends
  | { kind: "done" }; // the experiment is over once running trials end

export interface SchedulerSetup {
  metric: string;
  mode: Mode;
  /** The number of trials to create; ignored by Hyperband, which derives it from its brackets. */
  numSamples?: number;
}

/**
 * Decides which trials run and how far. Decisions must depend only on trial indices and
 * results, never on the order in which results arrive, so that a run is the same at any
 * concurrency. The runner calls:
 *  - `next()` whenever a slot is free, and again after every event;
 *  - `onTrialCreated` when it creates the trial that a "new" action asked for;
 *  - `onResult` for each recorded result, then `verdict` for pending results, in trial order,
 *    after every event, until it returns something other than `undefined`;
 *  - `onTrialPaused` when a trial told "pause" has checkpointed and returned;
 *  - `onTrialEnded` when a trial completes, is stopped, or errors with no retries left.
 * On resume, the runner replays the journal through the same calls.
 */
export interface Scheduler {
  readonly name: string;
  setup(setup: SchedulerSetup): void;
  next(): SchedulerAction;
  onTrialCreated(trialId: string, index: number, bracket?: number): void;
  /** Called when a paused trial is resumed (after a "resume" action). */
  onTrialResumed(trialId: string): void;
  onTrialPaused(trialId: string): void;
  onResult(trialId: string, iteration: number, value: number | null): void;
  /** The verdict on the trial's latest result, or `undefined` while it cannot be decided yet. */
  verdict(trialId: string, iteration: number): Verdict | undefined;
  /** A paused trial's fate, once its rung is decided: "resume" later, or "stop" now. */
  pausedFate?(trialId: string): "resume" | "stop" | undefined;
  onTrialEnded(trialId: string, status: "completed" | "stopped" | "errored"): void;
  /** Where a trial stands, for records and progress displays. */
  placement?(trialId: string): { bracket?: number; rung?: number } | undefined;
  /** How many trials the scheduler creates by itself (Hyperband: its brackets' sum), if it decides that. */
  trialCount?(): number | undefined;
  /** Total budget (in reports) the scheduler plans to spend, when it is known. */
  plannedBudget?(): number | undefined;
  /** The options this scheduler was built with (JSON), stored in experiment.json. */
  describe(): { type: string; options: JsonObject };
  getState(): JsonValue;
  setState(state: JsonValue): void;
}

export interface SearcherSetup {
  space: JsonValue;
  metric: string;
  mode: Mode;
  seed: number | string;
}

/** Proposes configs. Random and grid search; a Bayesian searcher can implement the same. */
export interface Searcher {
  readonly name: string;
  setup(setup: SearcherSetup): void;
  /** The config for the trial with this index. A finite searcher (grid) cycles. */
  suggest(trialId: string, index: number): Config;
  /** A trial's latest result (or its end), for searchers that learn from results. */
  observe(trialId: string, metrics: Metrics, done: boolean): void;
  /** How many distinct configs this searcher gives before it cycles, when finite (grid search). */
  size?(): number | undefined;
  describe(): { type: string; options: JsonObject };
  getState(): JsonValue;
  setState(state: JsonValue): void;
}

// ---------------------------------------------------------------------------------------------
// The experiment on disk

/** experiment.json: what the experiment is, written once when it starts. */
export interface ExperimentInfo {
  version: 1;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  metric: string;
  mode: Mode;
  seed: number | string;
  space: JsonValue;
  scheduler: { type: string; options: JsonObject };
  searcher: { type: string; options: JsonObject };
  numSamples?: number;
  maxRetries: number;
  trialTimeout?: number;
  /** The trainable, when it is named by module and export. */
  trainable?: TrainableRef;
  /** Anything the caller wants to keep with the experiment (a model spec, a dataset name). */
  meta?: JsonObject;
}

interface EventBase {
  /** Milliseconds since the Unix epoch. */
  time: number;
}

/** One line of journal.jsonl. */
export type JournalEvent = EventBase &
  (
    | { type: "experiment_started"; resumed: boolean }
    | { type: "trial_created"; trialId: string; index: number; config: Config; seed: number; bracket?: number }
    | { type: "trial_started"; trialId: string; attempt: number; fromIteration: number }
    | { type: "trial_resumed"; trialId: string; fromIteration: number }
    | { type: "result"; trialId: string; iteration: number; metrics: Metrics }
    | { type: "decision"; trialId: string; iteration: number; decision: Verdict; rung?: number }
    | { type: "checkpoint"; trialId: string; iteration: number }
    | { type: "trial_paused"; trialId: string; iteration: number; rung?: number }
    | { type: "trial_completed"; trialId: string; iteration: number }
    | { type: "trial_stopped"; trialId: string; iteration: number }
    | { type: "trial_errored"; trialId: string; iteration: number; error: TrialError; willRetry: boolean }
    | { type: "experiment_ended"; best?: string }
  );

export type JournalEventType = JournalEvent["type"];

/** What `loadExperiment(dir)` returns. */
export interface LoadedExperiment {
  dir: string;
  info: ExperimentInfo;
  trials: TrialRecord[];
  events: JournalEvent[];
  /** Problems met while reading (a torn last line, say); each is also printed as a warning. */
  warnings: string[];
  /** True when the journal holds an experiment_ended event after its last start. */
  finished: boolean;
}

// ---------------------------------------------------------------------------------------------
// Results

export interface BestTrial {
  trialId: string;
  config: Config;
  /** The metrics of the result that ranked best (the best value of `metric` the trial reported). */
  metrics: Metrics;
  iteration: number;
}

export interface RunResult {
  metric: string;
  mode: Mode;
  /** The trial with the best reported value of `metric`; undefined when no trial reported. */
  best: BestTrial | undefined;
  trials: TrialRecord[];
  /** Trials ranked best first by their best value of `metric`; trials with no result last. */
  leaderboard(): TrialRecord[];
  /** One row per trial: id, status, iterations, best metric, then each config key (flattened with dots) and each last metric. */
  toCSV(): string;
  toJSON(): { metric: string; mode: Mode; best: BestTrial | undefined; trials: TrialRecord[] };
}

// ---------------------------------------------------------------------------------------------
// Progress

/** What `onEvent` receives: each journal event, with the trial records as they stand after it. */
export interface RunEvent {
  event: JournalEvent;
  trials: ReadonlyMap<string, TrialRecord>;
  /** Budget (reports) recorded so far, and planned in all when the scheduler knows it. */
  budget: { spent: number; planned?: number };
}
