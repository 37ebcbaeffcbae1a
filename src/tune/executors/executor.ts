// Where trials run. An executor starts a trial and relays its reports and checkpoints to the
// runner; the runner decides everything else. Only JSON crosses this interface, so a trial can
// run in this thread, in a worker thread, in a Web Worker, or (later) on another machine.

import type { Config, Decision, JsonValue, Metrics, TrialError } from "../types.js";

export interface TrialJob {
  trialId: string;
  config: Config;
  seed: number;
  /** Reports already made (0 on a fresh start; the checkpoint's iteration on a resume). */
  iteration: number;
  /** What `ctx.restore()` returns. */
  checkpoint: JsonValue | undefined;
}

/** The runner's side of a running trial. */
export interface TrialHost {
  report(metrics: Metrics): Promise<Decision>;
  checkpoint(state: JsonValue): void;
}

export interface TrialHandle {
  /** Resolves when the trainable returns; rejects with a TrialFailure when it throws or its worker dies. */
  readonly done: Promise<void>;
  /** Resolves when the trainable is handed its job, for executors that first start a worker (its
   *  start-up does not count against trialTimeout); without it, the trial starts at once. */
  readonly started?: Promise<void>;
  /** Ends the trial by force (a timeout): aborts ctx.signal, terminates a worker. */
  kill(reason: string): void;
}

export interface Executor {
  readonly kind: string;
  start(job: TrialJob, host: TrialHost): TrialHandle;
  /** Frees workers; the executor is not used again. */
  close(): Promise<void>;
}

/** An error that carries its TrialError kind ("error" or "crash"). */
export class TrialFailure extends Error {
  constructor(readonly detail: TrialError) {
    super(detail.message);
    this.name = "TrialFailure";
  }
}

/** A TrialError from anything a trainable may throw. */
export function toTrialError(e: unknown, kind: TrialError["kind"] = "error"): TrialError {
  if (e instanceof TrialFailure) return e.detail;
  if (e instanceof Error) return { kind, message: e.message || e.name, ...(e.stack ? { stack: e.stack } : {}) };
  return { kind, message: `the trainable threw a non-Error value: ${safeString(e)}` };
}

function safeString(x: unknown): string {
  try {
    return typeof x === "string" ? x : JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
