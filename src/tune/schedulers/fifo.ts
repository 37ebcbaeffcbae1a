// FIFO: every trial runs until its trainable returns, or until maxBudget reports if given.

import type { JsonObject, SchedulerAction, Verdict } from "../types.js";
import { checkPositiveInteger, FactsScheduler } from "./base.js";

export interface FIFOOptions {
  /** Stop (as completed) each trial after this many reports. */
  maxBudget?: number;
}

export class FIFO extends FactsScheduler {
  readonly name = "FIFO";
  private readonly maxBudget: number | undefined;

  constructor(options: FIFOOptions = {}) {
    super();
    this.maxBudget = options.maxBudget === undefined ? undefined : checkPositiveInteger("FIFO maxBudget", options.maxBudget);
  }

  next(): SchedulerAction {
    return this.nextBySamples();
  }

  verdict(_trialId: string, iteration: number): Verdict {
    return this.maxBudget !== undefined && iteration >= this.maxBudget ? "complete" : "continue";
  }

  plannedBudget(): number | undefined {
    return this.maxBudget !== undefined && this.state.numSamples !== undefined ? this.maxBudget * this.state.numSamples : undefined;
  }

  describe(): { type: string; options: JsonObject } {
    const options: JsonObject = this.maxBudget !== undefined ? { maxBudget: this.maxBudget } : {};
    return { type: "FIFO", options };
  }
}
