// The leaderboard as a plain-text table: one row per trial, best first by the metric and mode.
import type { Mode, TrialRecord } from "../types.js";
import { configKeys, flattenConfig, rankTrials, type RankedTrial } from "./rank.js";
import { formatNumber } from "./svg.js";

export interface LeaderboardOptions {
  metric: string;
  mode: Mode;
  /** Show at most this many rows (all by default). */
  limit?: number;
  /** Cells longer than this are cut with an ellipsis. */
  maxCellWidth?: number;
}

export function leaderboardColumns(trials: readonly TrialRecord[], metric: string): string[] {
  return ["rank", "trial", "status", metric, "at", "iters", "bracket", ...configKeys(trials)];
}

function cellText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The table's cells, rank first; shared by the text table and the HTML one. */
export function leaderboardRows(ranked: readonly RankedTrial[], keys: readonly string[]): string[][] {
  return ranked.map(({ trial, best }, position) => {
    const flat = flattenConfig(trial.config);
    const iterations = trial.history.at(-1)?.iteration ?? 0;
    return [
      best === undefined ? "-" : String(position + 1),
      trial.id,
      trial.status,
      best === undefined ? "-" : formatNumber(best.value),
      best === undefined ? "" : String(best.iteration),
      String(iterations),
      trial.bracket === undefined ? "" : String(trial.bracket),
      ...keys.map((key) => cellText(flat[key])),
    ];
  });
}

function clip(cell: string, width: number): string {
  return cell.length <= width ? cell : `${cell.slice(0, width - 1)}…`;
}

export function formatLeaderboard(trials: readonly TrialRecord[], options: LeaderboardOptions): string {
  const { metric, mode } = options;
  const maxCellWidth = options.maxCellWidth ?? 24;
  const ranked = rankTrials(trials, metric, mode);
  const shown = options.limit === undefined ? ranked : ranked.slice(0, options.limit);
  const header = leaderboardColumns(trials, metric);
  const rows = leaderboardRows(shown, configKeys(trials)).map((row) => row.map((cell) => clip(cell, maxCellWidth)));
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
  // Numbers read best right-aligned; the metric and the counts are numbers.
  const numeric = new Set([0, 3, 4, 5, 6]);
  const formatRow = (row: readonly string[]) =>
    row
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const lines = [
    `Leaderboard: ${trials.length} trial${trials.length === 1 ? "" : "s"}, ranked by the best ${metric} each reported (${mode})`,
    "",
    formatRow(header),
    formatRow(widths.map((w) => "-".repeat(w))),
    ...rows.map(formatRow),
  ];
  if (shown.length < ranked.length) lines.push(`... ${ranked.length - shown.length} more (use --limit to show more)`);
  return lines.join("\n") + "\n";
}
