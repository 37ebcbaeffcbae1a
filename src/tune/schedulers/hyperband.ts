// Hyperband (Li et al. 2018): brackets of successive halving, each rung synchronous. A trial
// runs to its rung's budget and is told "pause" (it checkpoints and returns). When every trial
// of the rung has paused there or ended, the top floor(n_i/eta) by their value at the rung's
// budget (ties broken by trial index) are promoted and later resumed from their checkpoints;
// the others are stopped. Brackets run in the paper's order (s = s_max first); trials of the
// next bracket start while a rung waits, so slots never idle and any concurrency finishes.

import type { SchedulerAction, SchedulerSetup, Verdict } from "../types.js";
import { FactsScheduler, rank } from "./base.js";
import { hyperbandBrackets, type Bracket, type BracketOptions } from "./brackets.js";

export type HyperbandOptions = BracketOptions;

interface HyperbandFacts {
  /** The rung each trial is running to (0-based within its bracket). */
  rung: { [trialId: string]: number };
  /** A paused trial's fate once its rung is decided. */
  fate: { [trialId: string]: "resume" | "stop" };
  /** Decided rungs, as "s/k". */
  decided: { [key: string]: true };
}

export class Hyperband extends FactsScheduler {
  readonly name = "Hyperband";
  readonly brackets: Bracket[];
  private readonly options: { maxBudget: number; eta: number };
  /** The first trial index of each bracket, and the total, by bracket position. */
  private readonly starts: number[];

  constructor(options: HyperbandOptions) {
    super();
    this.brackets = hyperbandBrackets(options);
    this.options = { maxBudget: options.maxBudget, eta: options.eta ?? 3 };
    this.starts = [0];
    for (const b of this.brackets) this.starts.push(this.starts[this.starts.length - 1]! + b.rungs[0]!.n);
    this.state["hb"] = { rung: {}, fate: {}, decided: {} } satisfies HyperbandFacts;
  }

  private get hb(): HyperbandFacts {
    return (this.state as unknown as { hb: HyperbandFacts }).hb;
  }

  /** How many trials the brackets hold in all. */
  get totalTrials(): number {
    return this.starts[this.starts.length - 1]!;
  }

  trialCount(): number {
    return this.totalTrials;
  }

  override setup(setup: SchedulerSetup): void {
    if (setup.numSamples !== undefined && setup.numSamples !== this.totalTrials) {
      throw new RangeError(
        `Hyperband(maxBudget ${this.options.maxBudget}, eta ${this.options.eta}) runs ${this.totalTrials} trials, ` +
          `set by its brackets; leave numSamples out (got ${setup.numSamples})`,
      );
    }
    super.setup({ metric: setup.metric, mode: setup.mode });
  }

  private bracketPosition(index: number): number {
    for (let p = 0; p < this.brackets.length; p++) if (index < this.starts[p + 1]!) return p;
    throw new RangeError(`Hyperband has ${this.totalTrials} trials; there is no trial index ${index}`);
  }

  private bracketOf(trialId: string): Bracket {
    return this.brackets[this.brackets.length - 1 - this.facts(trialId).bracket!]!; // bracket holds s
  }

  next(): SchedulerAction {
    let resume: [string, number] | undefined;
    for (const [id, fate] of Object.entries(this.hb.fate)) {
      const f = this.facts(id);
      if (fate === "resume" && f.paused && (!resume || f.index < resume[1])) resume = [id, f.index];
    }
    if (resume) return { kind: "resume", trialId: resume[0] };
    if (this.state.created < this.totalTrials) {
      return { kind: "new", bracket: this.brackets[this.bracketPosition(this.state.created)]!.s };
    }
    return Object.values(this.state.trials).some((f) => f.ended === undefined) ? { kind: "wait" } : { kind: "done" };
  }

  override onTrialCreated(trialId: string, index: number, bracket?: number): void {
    const s = this.brackets[this.bracketPosition(index)]!.s;
    if (bracket !== undefined && bracket !== s) throw new Error(`Hyperband: trial ${trialId} (index ${index}) belongs to bracket ${s}, not ${bracket}`);
    super.onTrialCreated(trialId, index, s);
    this.hb.rung[trialId] = 0;
  }

  override onTrialResumed(trialId: string): void {
    super.onTrialResumed(trialId);
    delete this.hb.fate[trialId];
  }

  verdict(trialId: string, iteration: number): Verdict {
    const rungs = this.bracketOf(trialId).rungs;
    const k = this.hb.rung[trialId]!;
    if (iteration < rungs[k]!.budget) return "continue";
    return k === rungs.length - 1 ? "complete" : "pause";
  }

  override onTrialPaused(trialId: string): void {
    super.onTrialPaused(trialId);
    this.decideRung(trialId);
  }

  override onTrialEnded(trialId: string, status: "completed" | "stopped" | "errored"): void {
    super.onTrialEnded(trialId, status);
    delete this.hb.fate[trialId];
    this.decideRung(trialId);
  }

  pausedFate(trialId: string): "resume" | "stop" | undefined {
    return this.hb.fate[trialId];
  }

  placement(trialId: string): { bracket: number; rung: number } | undefined {
    const f = this.state.trials[trialId];
    return f ? { bracket: f.bracket!, rung: this.hb.rung[trialId]! } : undefined;
  }

  /** Decides the rung this trial was running to, if all of its trials are now paused or ended. */
  private decideRung(trialId: string): void {
    const bracket = this.bracketOf(trialId);
    const k = this.hb.rung[trialId]!;
    const key = `${bracket.s}/${k}`;
    if (k === bracket.rungs.length - 1 || this.hb.decided[key]) return;
    const p = this.brackets.indexOf(bracket);
    if (this.state.created < this.starts[p + 1]!) return; // not all of the bracket's trials exist yet
    const members = Object.entries(this.state.trials).filter(([id, f]) => f.bracket === bracket.s && this.hb.rung[id]! >= k);
    const budget = bracket.rungs[k]!.budget;
    // Paused at rung k: not merely promoted to k and waiting to be resumed.
    const pausedHere = (id: string, f: (typeof members)[number][1]) => f.ended === undefined && f.paused && this.hb.rung[id] === k && f.values.length >= budget;
    if (!members.every(([id, f]) => f.ended !== undefined || pausedHere(id, f))) return;
    this.hb.decided[key] = true;
    const candidates = members
      .filter(([id, f]) => pausedHere(id, f))
      .map(([id, f]) => ({ id, index: f.index, value: f.values[budget - 1] ?? null }));
    const keep = bracket.rungs[k + 1]!.n;
    rank(candidates, this.state.mode).forEach((c, i) => {
      if (i < keep) {
        this.hb.rung[c.id] = k + 1;
        this.hb.fate[c.id] = "resume";
      } else {
        this.hb.fate[c.id] = "stop";
      }
    });
  }

  plannedBudget(): number {
    let total = 0;
    for (const b of this.brackets) {
      let prev = 0;
      for (const r of b.rungs) {
        total += r.n * (r.budget - prev);
        prev = r.budget;
      }
    }
    return total;
  }

  describe() {
    return { type: "Hyperband", options: { ...this.options } };
  }
}
