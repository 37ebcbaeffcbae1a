// Ranking trials for the report, by the same rule as `result.best` and `result.leaderboard()`
// (result.ts is the one source of that rule): a trial counts by the best value it ever reported,
// so trials stopped early by Hyperband are judged on what they reached; ties and trials without
// a value go by trial index.
import { bestReport, leaderboard } from "../result.js";
import type { Config, JsonValue, Mode, ReportRecord, TrialRecord } from "../types.js";

export interface TrialBest {
  value: number;
  iteration: number;
}

/** The best value of `metric` in a trial's history and the iteration that reported it, if any. */
export function trialBest(trial: TrialRecord, metric: string, mode: Mode): TrialBest | undefined {
  const best = bestReport(trial, metric, mode);
  return best === undefined || best.value === null ? undefined : { value: best.value, iteration: best.iteration };
}

export interface RankedTrial {
  trial: TrialRecord;
  best: TrialBest | undefined;
}

export function rankTrials(trials: readonly TrialRecord[], metric: string, mode: Mode): RankedTrial[] {
  return leaderboard(trials, metric, mode).map((trial) => ({ trial, best: trialBest(trial, metric, mode) }));
}

/** The points of a trial's learning curve: (iteration, value) for each finite reported value. */
export function curvePoints(history: readonly ReportRecord[], metric: string): [number, number][] {
  const points: [number, number][] = [];
  for (const report of history) {
    const value = report.metrics[metric];
    if (typeof value === "number" && Number.isFinite(value)) points.push([report.iteration, value]);
  }
  return points;
}

/**
 * A config flattened to dotted key paths with JSON leaves, e.g.
 * { layers: [{ act: "relu" }] } -> { "layers.0.act": "relu" }.
 */
export function flattenConfig(config: Config): Record<string, Exclude<JsonValue, object> | null> {
  const flat: Record<string, Exclude<JsonValue, object> | null> = {};
  const visit = (value: JsonValue, path: string) => {
    if (value !== null && typeof value === "object") {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      if (entries.length === 0 && path !== "") flat[path] = JSON.stringify(value);
      for (const [key, child] of entries) visit(child, path === "" ? key : `${path}.${key}`);
    } else {
      flat[path] = value;
    }
  };
  visit(config, "");
  return flat;
}

/** The config keys (flattened) in the order they first appear across trials. */
export function configKeys(trials: readonly TrialRecord[]): string[] {
  const keys = new Set<string>();
  for (const trial of trials) for (const key of Object.keys(flattenConfig(trial.config))) keys.add(key);
  return [...keys];
}
