// A live status for a running experiment: trials done/running/pending, the current bracket and
// rung, the best result so far and the budget spent out of the total. On a terminal it redraws
// a block of lines in place (ANSI, throttled); elsewhere (a pipe, a CI log) it prints one plain
// line whenever something worth a line changes. Formatting is pure: snapshot -> lines.
import { trialBest } from "./report/rank.js";
import type { Bracket } from "./schedulers/brackets.js";
import type { Mode, RunEvent, TrialRecord } from "./types.js";

export interface ProgressSnapshot {
  /** The experiment's name, shown in the header. */
  title: string;
  metric: string;
  mode: "min" | "max";
  trials: { done: number; running: number; pending: number; paused: number; errored: number };
  /** Hyperband's position; absent for schedulers without brackets. */
  bracket?: { s: number; index: number; count: number; rung: number; rungCount: number; rungBudget: number };
  best?: { trialId: string; value: number; config: Record<string, unknown> };
  budget: { spent: number; total?: number };
  elapsedMs: number;
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mmss = `${String(minutes).padStart(hours > 0 ? 2 : 1, "0")}:${String(seconds).padStart(2, "0")}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

function formatMetricValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

export function formatConfig(config: Record<string, unknown>): string {
  return Object.entries(config)
    .map(([key, value]) => `${key}=${typeof value === "number" ? formatMetricValue(value) : JSON.stringify(value)}`)
    .join(" ");
}

function truncate(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

function trialCounts(s: ProgressSnapshot): string {
  const { done, running, pending, paused, errored } = s.trials;
  const parts = [`${done} done`, `${running} running`, `${pending} pending`];
  if (paused > 0) parts.push(`${paused} paused`);
  if (errored > 0) parts.push(`${errored} errored`);
  return parts.join(", ");
}

function bracketText(s: ProgressSnapshot): string | undefined {
  const b = s.bracket;
  if (b === undefined) return undefined;
  return `s=${b.s} (${b.index + 1} of ${b.count}), rung ${b.rung + 1} of ${b.rungCount} at budget ${formatMetricValue(b.rungBudget)}`;
}

function bestText(s: ProgressSnapshot): string {
  if (s.best === undefined) return "none yet";
  return `${s.metric}=${formatMetricValue(s.best.value)} (${s.mode}) trial ${s.best.trialId}  ${formatConfig(s.best.config)}`;
}

function budgetText(s: ProgressSnapshot): string {
  const spent = formatMetricValue(s.budget.spent);
  if (s.budget.total === undefined || s.budget.total <= 0) return spent;
  const fraction = s.budget.spent / s.budget.total;
  return `${spent} / ${formatMetricValue(s.budget.total)} ${progressBar(fraction, 20)} ${Math.floor(fraction * 100)}%`;
}

/** The block of lines a terminal shows, each cut to `width` columns so that redraws stay aligned. */
export function formatProgressBlock(s: ProgressSnapshot, width = 100): string[] {
  const lines = [
    `tunegrad ${s.title}  ${formatDuration(s.elapsedMs)}`,
    `  trials   ${trialCounts(s)}`,
  ];
  const bracket = bracketText(s);
  if (bracket !== undefined) lines.push(`  bracket  ${bracket}`);
  lines.push(`  best     ${bestText(s)}`, `  budget   ${budgetText(s)}`);
  return lines.map((line) => truncate(line, Math.max(20, width)));
}

/** One self-contained line for logs: no escape codes, no redraws. */
export function formatProgressLine(s: ProgressSnapshot): string {
  const parts = [`[${formatDuration(s.elapsedMs)}]`, `trials ${trialCounts(s)}`];
  const b = s.bracket;
  if (b !== undefined) parts.push(`bracket s=${b.s} rung ${b.rung + 1}/${b.rungCount}`);
  parts.push(
    s.best === undefined ? "best none yet" : `best ${s.metric}=${formatMetricValue(s.best.value)} (trial ${s.best.trialId})`,
    s.budget.total === undefined ? `budget ${formatMetricValue(s.budget.spent)}` : `budget ${formatMetricValue(s.budget.spent)}/${formatMetricValue(s.budget.total)}`,
  );
  return parts.join(" | ");
}

/**
 * What makes a plain line worth printing: a trial ending, a new best, a new bracket. Starts,
 * pauses and budget ticks are not, so a log gets about one line per trial.
 */
function plainLineKey(s: ProgressSnapshot): string {
  return JSON.stringify([s.trials.done, s.trials.errored, s.bracket?.s, s.best?.trialId, s.best?.value]);
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressViewOptions {
  /** Minimum time between two redraws on a terminal. */
  throttleMs?: number;
  now?: () => number;
}

export interface ProgressSourceOptions {
  title: string;
  metric: string;
  mode: Mode;
  /** Hyperband's schedule (`hyperbandBrackets`): gives each bracket's rungs and their budgets. */
  brackets?: readonly Bracket[];
  /** How many trials the experiment will create in all, when known (numSamples, or the brackets' sum). */
  plannedTrials?: number;
}

/** Where the display's "current" trial stands: the running trial created first. */
export interface CurrentPlacement {
  bracket: number;
  rung: number;
}

/** Pure: the snapshot after one runner event, given where the display's "current" trial stands. */
export function snapshotFromRun(run: RunEvent, options: ProgressSourceOptions, current: CurrentPlacement | undefined, elapsedMs: number): ProgressSnapshot {
  const trials = { done: 0, running: 0, pending: 0, paused: 0, errored: 0 };
  let best: ProgressSnapshot["best"];
  for (const trial of run.trials.values()) {
    if (trial.status === "completed" || trial.status === "stopped") trials.done++;
    else if (trial.status === "errored") trials.errored++;
    else trials[trial.status]++;
    const trialBestValue = trialBest(trial, options.metric, options.mode);
    if (trialBestValue !== undefined && (best === undefined || (options.mode === "max" ? trialBestValue.value > best.value : trialBestValue.value < best.value))) {
      best = { trialId: trial.id, value: trialBestValue.value, config: trial.config };
    }
  }
  if (options.plannedTrials !== undefined) trials.pending += Math.max(0, options.plannedTrials - run.trials.size);

  const snapshot: ProgressSnapshot = {
    title: options.title,
    metric: options.metric,
    mode: options.mode,
    trials,
    budget: run.budget.planned === undefined ? { spent: run.budget.spent } : { spent: run.budget.spent, total: run.budget.planned },
    elapsedMs,
  };
  if (best !== undefined) snapshot.best = best;
  const bracketIndex = current === undefined ? -1 : (options.brackets?.findIndex((b) => b.s === current.bracket) ?? -1);
  if (current !== undefined && bracketIndex >= 0) {
    const rungs = options.brackets![bracketIndex]!.rungs;
    const rung = Math.min(current.rung, rungs.length - 1);
    snapshot.bracket = { s: current.bracket, index: bracketIndex, count: options.brackets!.length, rung, rungCount: rungs.length, rungBudget: rungs[rung]!.budget };
  }
  return snapshot;
}

/**
 * Connects a runner to a view: pass `onEvent` as the runner's event hook and call `finish()`
 * when the run ends.
 */
export class ProgressTracker {
  private current: CurrentPlacement | undefined;
  private readonly startedAt: number;

  constructor(private readonly view: ProgressView, private readonly options: ProgressSourceOptions, private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  readonly onEvent = (run: RunEvent): void => {
    // The oldest running trial, so that the display does not flicker between concurrent trials;
    // with none running, the last placement stays.
    let oldest: TrialRecord | undefined;
    for (const trial of run.trials.values()) {
      if (trial.status === "running" && trial.bracket !== undefined && (oldest === undefined || trial.index < oldest.index)) oldest = trial;
    }
    if (oldest !== undefined) this.current = { bracket: oldest.bracket!, rung: oldest.rung ?? 0 };
    this.view.update(snapshotFromRun(run, this.options, this.current, this.now() - this.startedAt));
  };

  finish(): void {
    this.view.finish();
  }
}

// ANSI: move the cursor to the start of the line N lines up, and clear from there to the end.
const cursorUp = (n: number) => `\x1b[${n}F`;
const clearBelow = "\x1b[J";

/** Writes snapshots to a stream, redrawing in place on a terminal and as plain lines elsewhere. */
export class ProgressView {
  private readonly interactive: boolean;
  private readonly throttleMs: number;
  private readonly now: () => number;
  private drawnLines = 0;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private lastPlainKey: string | undefined;
  private lastPlainLine: string | undefined;
  private latest: ProgressSnapshot | undefined;
  /** A redraw deferred by the throttle, so the screen never stays behind the last update. */
  private trailingRedraw: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly stream: ProgressStream, options: ProgressViewOptions = {}) {
    this.interactive = stream.isTTY === true;
    this.throttleMs = options.throttleMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  update(snapshot: ProgressSnapshot): void {
    this.latest = snapshot;
    if (this.interactive) {
      const wait = this.lastDrawAt + this.throttleMs - this.now();
      if (wait <= 0) this.redraw(snapshot);
      else if (this.trailingRedraw === undefined) {
        this.trailingRedraw = setTimeout(() => this.redraw(this.latest!), wait);
        this.trailingRedraw.unref?.();
      }
      return;
    }
    const key = plainLineKey(snapshot);
    if (key !== this.lastPlainKey) {
      this.lastPlainKey = key;
      this.writePlain(formatProgressLine(snapshot));
    }
  }

  private writePlain(line: string): void {
    if (line === this.lastPlainLine) return;
    this.lastPlainLine = line;
    this.stream.write(`${line}\n`);
  }

  /** Draws the last snapshot whatever the throttle says; call it when the experiment ends. */
  finish(): void {
    if (this.latest === undefined) return;
    // A plain log gets the final state, budget included, as its last line (once).
    if (this.interactive) this.redraw(this.latest);
    else this.writePlain(formatProgressLine(this.latest));
  }

  private redraw(snapshot: ProgressSnapshot): void {
    clearTimeout(this.trailingRedraw);
    this.trailingRedraw = undefined;
    // A pseudo-terminal may report 0 columns; then assume a common width.
    const columns = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 100;
    const lines = formatProgressBlock(snapshot, columns - 1);
    const prefix = this.drawnLines > 0 ? cursorUp(this.drawnLines) + clearBelow : "";
    this.stream.write(prefix + lines.join("\n") + "\n");
    this.drawnLines = lines.length;
    this.lastDrawAt = this.now();
  }
}
