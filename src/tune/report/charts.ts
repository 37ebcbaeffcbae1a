// The report's two kinds of chart, as SVG strings: learning curves (metric against budget, one
// polyline per trial) and the best metric grouped by a string-valued config key (a box plot with
// every trial drawn as a dot over it).
import type { Mode, TrialRecord } from "../types.js";
import { curvePoints, flattenConfig, rankTrials } from "./rank.js";
import {
  circle,
  element,
  formatNumber,
  innerBounds,
  line,
  linearScale,
  polyline,
  svgDocument,
  text,
  xAxis,
  yAxis,
  type PlotArea,
} from "./svg.js";

/** Colours of the top trials in the learning-curve chart; the rest are drawn in grey. */
const HIGHLIGHT_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"];
const OTHER_COLOUR = "#9a9a9a";

function describeTrial(trial: TrialRecord): string {
  const settings = Object.entries(flattenConfig(trial.config))
    .map(([key, value]) => `${key}=${typeof value === "number" ? formatNumber(value) : String(value)}`)
    .join(", ");
  return `${trial.id} (${trial.status}) ${settings}`;
}

function extent(values: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

export interface ChartOptions {
  metric: string;
  mode: Mode;
}

/**
 * One polyline per trial that reported a finite value (a trial with a single result is a one-point
 * polyline plus its marker),
 * the top trials coloured and named in a legend, every line titled with its trial and config.
 * Returns undefined when no trial reported a finite value of the metric.
 */
export function learningCurvesSvg(trials: readonly TrialRecord[], { metric, mode }: ChartOptions): string | undefined {
  const curves = trials.map((trial) => ({ trial, points: curvePoints(trial.history, metric) })).filter((c) => c.points.length > 0);
  const allPoints = curves.flatMap((c) => c.points);
  if (allPoints.length === 0) return undefined;

  const area: PlotArea = { width: 760, height: 380, margin: { top: 16, right: 180, bottom: 44, left: 64 } };
  const bounds = innerBounds(area);
  const [xMin, xMax] = extent(allPoints.map(([x]) => x));
  const [yMin, yMax] = extent(allPoints.map(([, y]) => y));
  const x = linearScale([Math.min(0, xMin), xMax], [bounds.left, bounds.right]);
  const yPad = (yMax - yMin) * 0.05;
  const y = linearScale([yMin - yPad, yMax + yPad], [bounds.bottom, bounds.top]);

  const highlighted = new Map(
    rankTrials(trials, metric, mode)
      .filter((r) => r.best !== undefined)
      .slice(0, HIGHLIGHT_COLOURS.length)
      .map((r, i) => [r.trial.id, HIGHLIGHT_COLOURS[i]!] as const),
  );

  // Grey lines first so that the coloured ones are drawn on top.
  const ordered = [...curves].sort((a, b) => Number(highlighted.has(a.trial.id)) - Number(highlighted.has(b.trial.id)));
  const lines = ordered.map(({ trial, points }) => {
    const colour = highlighted.get(trial.id) ?? OTHER_COLOUR;
    const strong = highlighted.has(trial.id);
    const scaled = points.map(([px, py]) => [x(px), y(py)] as const);
    const tooltip = describeTrial(trial);
    const last = scaled.at(-1);
    const marker =
      last === undefined
        ? ""
        : circle(last[0], last[1], strong ? 3.5 : 2.5, { fill: colour, "fill-opacity": strong ? 1 : 0.6 }, tooltip);
    return element(
      "g",
      { class: "trial", "data-trial": trial.id, "data-status": trial.status },
      polyline(scaled, { stroke: colour, "stroke-width": strong ? 2 : 1, "stroke-opacity": strong ? 1 : 0.5 }, tooltip) + marker,
    );
  });

  const legendX = bounds.right + 16;
  const legend = [...highlighted.entries()].map(([trialId, colour], i) => {
    const rowY = bounds.top + 14 + i * 20;
    return (
      line(legendX, rowY - 4, legendX + 20, rowY - 4, { stroke: colour, "stroke-width": 2 }) +
      text(legendX + 26, rowY, `#${i + 1} ${trialId}`, { "font-size": 12 })
    );
  });
  const otherRowY = bounds.top + 14 + legend.length * 20;
  legend.push(
    line(legendX, otherRowY - 4, legendX + 20, otherRowY - 4, { stroke: OTHER_COLOUR }) +
      text(legendX + 26, otherRowY, "other trials", { "font-size": 12 }),
  );

  const body = [yAxis(y, area, metric), xAxis(x, area, "budget (iterations reported)"), ...lines, element("g", { class: "legend" }, legend.join(""))];
  return svgDocument(area, body.join(""), `Learning curves: ${metric} against budget, one line per trial`);
}

/** Flattened config keys whose values are all strings and take at least two distinct values. */
export function stringValuedKeys(trials: readonly TrialRecord[]): string[] {
  const values = new Map<string, Set<string> | null>();
  for (const trial of trials) {
    for (const [key, value] of Object.entries(flattenConfig(trial.config))) {
      if (typeof value !== "string") values.set(key, null);
      else if (values.get(key) !== null) values.set(key, (values.get(key) ?? new Set<string>()).add(value));
    }
  }
  return [...values.entries()].filter(([, set]) => set !== null && set.size >= 2).map(([key]) => key);
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** A fixed offset in [-0.5, 0.5) per trial index (golden-ratio sequence): spread without randomness. */
function jitter(index: number): number {
  return ((index * 0.6180339887) % 1) - 0.5;
}

/**
 * The best value of the metric for each trial, grouped by the trial's value of `key`: a box
 * (quartiles, median, whiskers to min and max) per group with each trial as a dot whose size
 * grows with the budget it reached. Returns undefined when no trial has both.
 */
export function metricByKeySvg(trials: readonly TrialRecord[], key: string, { metric, mode }: ChartOptions): string | undefined {
  const ranked = rankTrials(trials, metric, mode);
  const groups = new Map<string, { trial: TrialRecord; value: number; budget: number }[]>();
  for (const { trial, best } of ranked) {
    const category = flattenConfig(trial.config)[key];
    if (best === undefined || typeof category !== "string") continue;
    const budget = trial.history.at(-1)?.iteration ?? 0;
    groups.set(category, [...(groups.get(category) ?? []), { trial, value: best.value, budget }]);
  }
  if (groups.size === 0) return undefined;

  // Groups ordered by their median, best first, so the chart reads as a ranking.
  const medians = new Map([...groups].map(([name, members]) => [name, quantile(members.map((m) => m.value).sort((a, b) => a - b), 0.5)]));
  const names = [...groups.keys()].sort((a, b) => (mode === "max" ? medians.get(b)! - medians.get(a)! : medians.get(a)! - medians.get(b)!));

  const area: PlotArea = { width: Math.max(360, 90 * names.length + 100), height: 300, margin: { top: 16, right: 16, bottom: 56, left: 64 } };
  const bounds = innerBounds(area);
  const values = [...groups.values()].flat().map((m) => m.value);
  const [lo, hi] = extent(values);
  const pad = (hi - lo) * 0.05;
  const y = linearScale([lo - pad, hi + pad], [bounds.bottom, bounds.top]);
  const band = (bounds.right - bounds.left) / names.length;
  const maxBudget = Math.max(1, ...[...groups.values()].flat().map((m) => m.budget));

  const groupMarkup = names.map((name, i) => {
    const members = groups.get(name)!;
    const sorted = members.map((m) => m.value).sort((a, b) => a - b);
    const centre = bounds.left + band * (i + 0.5);
    const half = Math.min(28, band * 0.3);
    const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => y(quantile(sorted, q))) as [number, number, number];
    const box =
      line(centre, y(sorted[0]!), centre, y(sorted.at(-1)!), { stroke: "#666" }) +
      element("rect", { x: centre - half, y: Math.min(q1, q3), width: half * 2, height: Math.max(1, Math.abs(q1 - q3)), fill: "#e8eef7", stroke: "#666" }) +
      line(centre - half, median, centre + half, median, { stroke: "#222", "stroke-width": 2 });
    const dots = members
      .map((m) =>
        circle(centre + jitter(m.trial.index) * half * 1.6, y(m.value), 2 + 3 * (m.budget / maxBudget), { fill: "#1f77b4", "fill-opacity": 0.7 },
          `${m.trial.id}: ${metric}=${formatNumber(m.value)} after ${m.budget} iterations (${m.trial.status})`),
      )
      .join("");
    const label = text(centre, bounds.bottom + 16, name, { "text-anchor": "middle", "font-size": 12 }) +
      text(centre, bounds.bottom + 30, `n=${members.length}`, { "text-anchor": "middle", "font-size": 10, fill: "#666" });
    return element("g", { class: "group", "data-value": name }, box + dots + label);
  });

  const body = [yAxis(y, area, `best ${metric}`), line(bounds.left, bounds.bottom, bounds.right, bounds.bottom, { stroke: "#444" }), ...groupMarkup,
    text((bounds.left + bounds.right) / 2, area.height - 6, key, { "text-anchor": "middle", "font-size": 12 })];
  return svgDocument(area, body.join(""), `Best ${metric} per trial grouped by ${key}`);
}
