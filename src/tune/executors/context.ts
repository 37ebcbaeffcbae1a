// The TrialContext a trainable receives, built on a TrialHost-like transport. Shared by the
// inline executor and the worker entry.

import type { Decision, JsonValue, Metrics, TrialContext } from "../types.js";
import type { TrialJob } from "./executor.js";

export interface ContextTransport {
  report(metrics: Metrics): Promise<Decision>;
  checkpoint(state: JsonValue): void;
}

export function makeContext(job: TrialJob, transport: ContextTransport, signal: AbortSignal): TrialContext {
  let iteration = job.iteration;
  let finalDecision: Decision | undefined;
  const saved = job.checkpoint === undefined ? undefined : JSON.stringify(job.checkpoint);
  return {
    trialId: job.trialId,
    seed: job.seed,
    signal,
    get iteration() {
      return iteration;
    },
    async report(metrics: Metrics): Promise<Decision> {
      // After "pause" or "stop" the trial should return; later reports are not recorded.
      if (finalDecision) return finalDecision;
      const decision = await transport.report(metrics);
      iteration++;
      if (decision !== "continue") finalDecision = decision;
      return decision;
    },
    async checkpoint(state: JsonValue): Promise<void> {
      transport.checkpoint(state);
    },
    restore(): JsonValue | undefined {
      // A fresh copy each time, so the trainable may mutate what it gets.
      return saved === undefined ? undefined : (JSON.parse(saved) as JsonValue);
    },
  };
}
