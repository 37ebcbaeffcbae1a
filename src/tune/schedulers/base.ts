// What every scheduler keeps about trials, as one JSON object (so getState/setState are a copy),
// and the ranking rule they share. Decisions are computed from these facts alone: trial indices
// and reported values, never arrival order.

import { cloneJson, describeValue } from "../json.js";
import type { JsonObject, JsonValue, Mode, SchedulerAction, SchedulerSetup, Verdict } from "../types.js";

export interface TrialFacts {
  index: number;
  bracket?: number;
  /** values[i] is the metric reported at iteration i + 1 (null: missing or not finite). */
  values: (number | null)[];
  paused: boolean;
  ended?: "completed" | "stopped" | "errored";
}

export interface FactsState {
  metric: string;
  mode: Mode;
  numSamples?: number;
  created: number;
  trials: { [trialId: string]: TrialFacts };
  /** Scheduler-specific facts (JSON). */
  [extra: string]: unknown;
}

/** True when value a ranks strictly before value b (null ranks last). */
export function better(a: number | null, b: number | null, mode: Mode): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return mode === "max" ? a > b : a < b;
}

/** Sorts entries best first; ties and nulls are broken by trial index, so the order is total. */
export function rank<T extends { index: number; value: number | null }>(entries: T[], mode: Mode): T[] {
  return [...entries].sort((x, y) => {
    if (better(x.value, y.value, mode)) return -1;
    if (better(y.value, x.value, mode)) return 1;
    return x.index - y.index;
  });
}

export function checkPositiveInteger(what: string, x: unknown, min = 1): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${describeValue(x)}`);
  }
  return x;
}

export abstract class FactsScheduler {
  abstract readonly name: string;
  protected state: FactsState = { metric: "", mode: "max", created: 0, trials: {} };
  #setUp = false;

  setup(setup: SchedulerSetup): void {
    // Its state is one run's trials: a second run would find them all created already.
    if (this.#setUp) throw new Error(`this ${this.name} scheduler has already run an experiment; give each tune.run a new scheduler`);
    this.#setUp = true;
    this.state.metric = setup.metric;
    this.state.mode = setup.mode;
    if (setup.numSamples !== undefined) this.state.numSamples = setup.numSamples;
  }

  protected facts(trialId: string): TrialFacts {
    const f = this.state.trials[trialId];
    if (!f) throw new Error(`${this.name}: trial ${trialId} is unknown to the scheduler`);
    return f;
  }

  /** Trials sorted by index. */
  protected ordered(): [string, TrialFacts][] {
    return Object.entries(this.state.trials).sort((a, b) => a[1].index - b[1].index);
  }

  onTrialCreated(trialId: string, index: number, bracket?: number): void {
    this.state.trials[trialId] = { index, values: [], paused: false, ...(bracket !== undefined ? { bracket } : {}) };
    this.state.created = Math.max(this.state.created, index + 1);
  }

  onTrialResumed(trialId: string): void {
    this.facts(trialId).paused = false;
  }

  onTrialPaused(trialId: string): void {
    this.facts(trialId).paused = true;
  }

  onResult(trialId: string, iteration: number, value: number | null): void {
    const f = this.facts(trialId);
    // A trial restarted from a checkpoint reports its later iterations again: drop the old ones.
    f.values.length = Math.min(f.values.length, iteration - 1);
    while (f.values.length < iteration - 1) f.values.push(null);
    f.values.push(value);
  }

  onTrialEnded(trialId: string, status: "completed" | "stopped" | "errored"): void {
    const f = this.facts(trialId);
    f.ended = status;
    f.paused = false;
  }

  /** For schedulers that create numSamples trials and never pause: new, wait or done. */
  protected nextBySamples(): SchedulerAction {
    const n = this.state.numSamples;
    if (n === undefined) throw new Error(`${this.name} needs numSamples (how many trials to run)`);
    if (this.state.created < n) return { kind: "new" };
    const active = Object.values(this.state.trials).some((f) => f.ended === undefined);
    return active ? { kind: "wait" } : { kind: "done" };
  }

  abstract verdict(trialId: string, iteration: number): Verdict | undefined;
  abstract describe(): { type: string; options: JsonObject };

  getState(): JsonValue {
    return cloneJson(this.state as unknown as JsonValue);
  }

  setState(state: JsonValue): void {
    const s = state as unknown as FactsState;
    if (!s || typeof s !== "object" || typeof s.trials !== "object" || typeof s.created !== "number") {
      throw new TypeError(`${this.name}.setState expects the object its getState() returned`);
    }
    this.state = cloneJson(state) as unknown as FactsState;
  }
}
