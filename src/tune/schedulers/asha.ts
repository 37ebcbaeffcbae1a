// ASHA, asynchronous successive halving (Li et al. 2020), in the form Ray Tune runs it: rungs
// at minBudget·eta^k reports; a trial reaching a rung is promoted (told "continue") if it ranks
// in the top 1/eta of that rung's results so far, else stopped. At least one trial (the best
// so far) is always promoted, as the asynchronous algorithm does before the rung fills up.
//
// "So far" is defined by trial index, not arrival time: trial i is compared with the trials
// 0..i that reached the rung. If a lower-indexed trial is still running below the rung, trial
// i's report waits for it (it reaches the rung or ends). That is what ASHA does at
// concurrency 1, so a run decides the same at any concurrency and in any finish order. The
// lowest-indexed running trial never waits, so there is no deadlock.

import type { SchedulerAction, Verdict } from "../types.js";
import { describeValue } from "../json.js";
import { checkPositiveInteger, FactsScheduler, rank } from "./base.js";

export interface ASHAOptions {
  /** The most reports a trial makes; it completes there. */
  maxBudget: number;
  /** The first rung's budget (default 1). */
  minBudget?: number;
  /** The reduction factor (default 3): each rung promotes its top 1/eta. */
  eta?: number;
}

export class ASHA extends FactsScheduler {
  readonly name = "ASHA";
  private readonly options: Required<ASHAOptions>;
  /** Rung budgets below maxBudget: minBudget·eta^k. */
  readonly rungBudgets: number[];

  constructor(options: ASHAOptions) {
    super();
    if (typeof options !== "object" || options === null) throw new TypeError(`ASHA needs options { maxBudget, minBudget?, eta? }, got ${describeValue(options)}`);
    const maxBudget = checkPositiveInteger("ASHA maxBudget", options.maxBudget);
    const minBudget = checkPositiveInteger("ASHA minBudget", options.minBudget ?? 1);
    const eta = checkPositiveInteger("ASHA eta", options.eta ?? 3, 2);
    if (minBudget > maxBudget) throw new RangeError(`ASHA minBudget (${minBudget}) must be <= maxBudget (${maxBudget})`);
    this.options = { maxBudget, minBudget, eta };
    this.rungBudgets = [];
    for (let b = minBudget; b < maxBudget; b *= eta) this.rungBudgets.push(b);
  }

  next(): SchedulerAction {
    return this.nextBySamples();
  }

  verdict(trialId: string, iteration: number): Verdict | undefined {
    if (iteration >= this.options.maxBudget) return "complete";
    const k = this.rungBudgets.indexOf(iteration);
    if (k < 0) return "continue";
    const me = this.facts(trialId);
    const peers: { index: number; value: number | null }[] = [];
    for (const f of Object.values(this.state.trials)) {
      if (f.index > me.index) continue;
      if (f.values.length >= iteration) peers.push({ index: f.index, value: f.values[iteration - 1] ?? null });
      else if (f.ended === undefined) return undefined; // a lower-indexed trial may still reach this rung
    }
    const keep = Math.max(1, Math.floor(peers.length / this.options.eta));
    const position = rank(peers, this.state.mode).findIndex((p) => p.index === me.index);
    return position < keep ? "continue" : "stop";
  }

  placement(trialId: string): { rung: number } | undefined {
    const f = this.state.trials[trialId];
    if (!f) return undefined;
    let rung = 0;
    while (rung < this.rungBudgets.length && f.values.length > this.rungBudgets[rung]!) rung++;
    return { rung };
  }

  plannedBudget(): undefined {
    return undefined;
  }

  describe() {
    return { type: "ASHA", options: { ...this.options } };
  }
}
