// The result of a run: the best trial, every trial record, a leaderboard and CSV/JSON export.

import type { BestTrial, JsonValue, Metrics, Mode, RunResult, TrialRecord } from "./types.js";
import { better } from "./schedulers/base.js";

/** A trial's best reported value of `metric` and the report it came from (ties: the earliest). */
export function bestReport(trial: TrialRecord, metric: string, mode: Mode): { value: number | null; iteration: number; metrics: Metrics } | undefined {
  let best: { value: number | null; iteration: number; metrics: Metrics } | undefined;
  for (const r of trial.history) {
    const value = typeof r.metrics[metric] === "number" ? (r.metrics[metric] as number) : null;
    if (!best || better(value, best.value, mode)) best = { value, iteration: r.iteration, metrics: r.metrics };
  }
  return best;
}

/** Trials ranked by their best value of `metric`, best first; ties and trials with no result by index. */
export function leaderboard(trials: readonly TrialRecord[], metric: string, mode: Mode): TrialRecord[] {
  const scored = trials.map((t) => ({ t, b: bestReport(t, metric, mode) }));
  return scored
    .sort((x, y) => {
      const a = x.b?.value ?? null;
      const b = y.b?.value ?? null;
      if (better(a, b, mode)) return -1;
      if (better(b, a, mode)) return 1;
      return x.t.index - y.t.index;
    })
    .map((s) => s.t);
}

function flatten(value: JsonValue, prefix: string, out: Map<string, JsonValue>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, value);
  }
}

function csvCell(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function makeRunResult(trials: TrialRecord[], metric: string, mode: Mode): RunResult {
  const sorted = [...trials].sort((a, b) => a.index - b.index);
  const top = leaderboard(sorted, metric, mode)[0];
  const topReport = top ? bestReport(top, metric, mode) : undefined;
  const best: BestTrial | undefined =
    top && topReport && topReport.value !== null
      ? { trialId: top.id, config: top.config, metrics: topReport.metrics, iteration: topReport.iteration }
      : undefined;
  return {
    metric,
    mode,
    best,
    trials: sorted,
    leaderboard: () => leaderboard(sorted, metric, mode),
    toCSV(): string {
      const rows = sorted.map((t) => {
        const config = new Map<string, JsonValue>();
        flatten(t.config, "", config);
        return { t, config, best: bestReport(t, metric, mode) };
      });
      const configKeys = [...new Set(rows.flatMap((r) => [...r.config.keys()]))];
      const metricKeys = [...new Set(sorted.flatMap((t) => Object.keys(t.last ?? {})))];
      const header = ["trial_id", "status", "iterations", `best_${metric}`, ...configKeys.map((k) => `config.${k}`), ...metricKeys.map((k) => `last.${k}`), "error"];
      const lines = [header.map(csvCell).join(",")];
      for (const { t, config, best: b } of rows) {
        lines.push(
          [t.id, t.status, t.history.length, b?.value ?? null, ...configKeys.map((k) => config.get(k)), ...metricKeys.map((k) => t.last?.[k] ?? null), t.error?.message ?? null]
            .map(csvCell)
            .join(","),
        );
      }
      return lines.join("\n") + "\n";
    },
    toJSON() {
      return { metric, mode, best, trials: sorted };
    },
  };
}
