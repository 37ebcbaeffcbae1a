// The median stopping rule (Golovin et al. 2017, Google Vizier), as Ray Tune states it: after
// the grace period, a trial is stopped at iteration t if its best value so far is worse than the
// median of the other trials' running averages up to t, once at least minSamples of them have
// reached t.
//
// "The other trials" are those with a lower index (not those that happen to have arrived), and
// a report waits while a lower-indexed trial is still running below t, so decisions do not
// depend on concurrency or finish order. The lowest-indexed running trial never waits.

import type { SchedulerAction, Verdict } from "../types.js";
import { better, checkPositiveInteger, FactsScheduler } from "./base.js";

export interface MedianStoppingOptions {
  /** No trial is stopped before this many reports (default 1). */
  gracePeriod?: number;
  /** How many other trials must have reached iteration t to compare with (default 3). */
  minSamples?: number;
  /** Complete each trial after this many reports, if given. */
  maxBudget?: number;
}

export class MedianStopping extends FactsScheduler {
  readonly name = "MedianStopping";
  private readonly options: { gracePeriod: number; minSamples: number; maxBudget?: number };

  constructor(options: MedianStoppingOptions = {}) {
    super();
    this.options = {
      gracePeriod: checkPositiveInteger("MedianStopping gracePeriod", options.gracePeriod ?? 1),
      minSamples: checkPositiveInteger("MedianStopping minSamples", options.minSamples ?? 3),
      ...(options.maxBudget !== undefined ? { maxBudget: checkPositiveInteger("MedianStopping maxBudget", options.maxBudget) } : {}),
    };
  }

  next(): SchedulerAction {
    return this.nextBySamples();
  }

  /** The mean of the values from the grace period to t (nulls skipped); null if none. */
  private runningMean(values: (number | null)[], t: number): number | null {
    let sum = 0;
    let n = 0;
    for (let i = this.options.gracePeriod - 1; i < t; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) {
        sum += v;
        n++;
      }
    }
    return n === 0 ? null : sum / n;
  }

  verdict(trialId: string, t: number): Verdict | undefined {
    if (this.options.maxBudget !== undefined && t >= this.options.maxBudget) return "complete";
    if (t < this.options.gracePeriod) return "continue";
    const me = this.facts(trialId);
    const means: number[] = [];
    for (const f of Object.values(this.state.trials)) {
      if (f.index >= me.index) continue;
      if (f.values.length >= t) {
        const m = this.runningMean(f.values, t);
        if (m !== null) means.push(m);
      } else if (f.ended === undefined) return undefined; // it may still reach t
    }
    if (means.length < this.options.minSamples) return "continue";
    means.sort((a, b) => a - b);
    const mid = means.length >> 1;
    const median = means.length % 2 ? means[mid]! : (means[mid - 1]! + means[mid]!) / 2;
    let best: number | null = null;
    for (let i = 0; i < t; i++) {
      const v = me.values[i] ?? null;
      if (better(v, best, this.state.mode)) best = v;
    }
    return better(median, best, this.state.mode) ? "stop" : "continue";
  }

  plannedBudget(): number | undefined {
    const { maxBudget } = this.options;
    return maxBudget !== undefined && this.state.numSamples !== undefined ? maxBudget * this.state.numSamples : undefined;
  }

  describe() {
    return { type: "MedianStopping", options: { ...this.options } };
  }
}
