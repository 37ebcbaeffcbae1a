// Shared by the CPU benchmarks: percentiles of a tinybench task's retained latency samples (the
// median, or a rate such as GFLOP/s or steps/s), and the machine line that RESULTS.md records.

import os from "node:os";
import type { Task } from "tinybench";

export interface RateSummary {
  /** The rate at the median latency. */
  median: number;
  /** Rates at the 75th and 25th latency percentiles: the middle half of the samples. */
  p25: number;
  p75: number;
  /** Slowest and fastest sample. */
  min: number;
  max: number;
  samples: number;
}

function percentile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** The task's latency samples in ms, sorted ascending; an error if it did not complete or kept none. */
function sortedLatencies(task: Task): number[] {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`benchmark "${task.name}" did not complete: ${JSON.stringify(result)}`);
  const samples = result.latency.samples;
  if (!samples || samples.length === 0) throw new Error(`benchmark "${task.name}" kept no samples; create the Bench with retainSamples: true`);
  return [...samples].sort((a, b) => a - b);
}

/** The median latency of a run, in ms. */
export function medianMs(task: Task): number {
  return percentile(sortedLatencies(task), 0.5);
}

/** `work` units per run (FLOPs, steps) divided by the latency, summarised over the samples. */
export function rate(task: Task, work: number): RateSummary {
  const ms = sortedLatencies(task);
  const perSecond = (latencyMs: number) => (work * 1000) / latencyMs;
  return {
    median: perSecond(percentile(ms, 0.5)),
    p25: perSecond(percentile(ms, 0.75)),
    p75: perSecond(percentile(ms, 0.25)),
    min: perSecond(ms[ms.length - 1]!),
    max: perSecond(ms[0]!),
    samples: ms.length,
  };
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores; Node ${process.version}; ${os.platform()} ${os.arch()}`;
}

export function fixed(x: number, digits = 2): string {
  return x.toFixed(digits);
}
