// The self-contained HTML report: a summary, learning curves, the best metric per value of each
// string-valued config key (activations, say), the leaderboard and the errors. Inline SVG and
// inline CSS only: no script, no network, so the file can be mailed or opened offline.
import type { ExperimentInfo, Mode, TrialRecord, TrialStatus } from "../types.js";
import { learningCurvesSvg, metricByKeySvg, stringValuedKeys } from "./charts.js";
import { leaderboardColumns, leaderboardRows } from "./leaderboard.js";
import { configKeys, rankTrials } from "./rank.js";
import { escapeXml, formatNumber } from "./svg.js";

export interface HtmlReportInput {
  title: string;
  metric: string;
  mode: Mode;
  trials: readonly TrialRecord[];
  /** experiment.json, when the report is made from an experiment directory. */
  info?: ExperimentInfo;
  /** When the report was made (milliseconds since the Unix epoch); shown in the footer. */
  generatedAt?: number;
  /** False for an experiment whose journal has no end: the report says so. */
  finished?: boolean;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #fff4d6; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
dt { color: #666; } dd { margin: 0; }
.chart { overflow-x: auto; } .note { color: #666; font-size: 13px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
`;

function statusCounts(trials: readonly TrialRecord[]): string {
  const counts = new Map<TrialStatus, number>();
  for (const trial of trials) counts.set(trial.status, (counts.get(trial.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(", ") || "none";
}

function summary(input: HtmlReportInput): string {
  const { metric, mode, trials, info } = input;
  const [top] = rankTrials(trials, metric, mode);
  const rows: [string, string][] = [
    ["metric", `${metric} (${mode === "max" ? "higher is better" : "lower is better"})`],
    ["trials", `${trials.length}: ${statusCounts(trials)}`],
  ];
  if (info !== undefined) {
    rows.push(["scheduler", `${info.scheduler.type} ${JSON.stringify(info.scheduler.options)}`]);
    rows.push(["searcher", `${info.searcher.type}, seed ${String(info.seed)}`]);
    rows.push(["started", new Date(info.createdAt).toISOString()]);
  }
  if (input.finished === false) rows.push(["state", "not finished: the run stopped before its end (resume it to go on); its \"running\" trials are not running"]);
  const budget = trials.reduce((sum, t) => sum + (t.history.at(-1)?.iteration ?? 0), 0);
  rows.push(["budget spent", `${budget} iteration${budget === 1 ? "" : "s"} over all trials`]);
  if (top?.best !== undefined) {
    rows.push(["best", `${metric} = ${formatNumber(top.best.value)} by ${top.trial.id} at iteration ${top.best.iteration}`]);
  }
  const list = rows.map(([term, detail]) => `<dt>${escapeXml(term)}</dt><dd>${escapeXml(detail)}</dd>`).join("");
  const bestConfig = top?.best === undefined ? "" : `<p>Best config:</p><pre>${escapeXml(JSON.stringify(top.trial.config, null, 2))}</pre>`;
  return `<dl>${list}</dl>${bestConfig}`;
}

function leaderboardTable(input: HtmlReportInput): string {
  const ranked = rankTrials(input.trials, input.metric, input.mode);
  const header = leaderboardColumns(input.trials, input.metric);
  const rows = leaderboardRows(ranked, configKeys(input.trials));
  const numeric = new Set([0, 3, 4, 5, 6]);
  const head = `<tr>${header.map((name) => `<th>${escapeXml(name)}</th>`).join("")}</tr>`;
  const body = rows
    .map((row, i) => {
      const cells = row.map((cell, column) => `<td${numeric.has(column) ? ' class="num"' : ""}>${escapeXml(cell)}</td>`).join("");
      return `<tr${i === 0 && ranked[0]?.best !== undefined ? ' class="best"' : ""}>${cells}</tr>`;
    })
    .join("\n");
  return `<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function errorsSection(trials: readonly TrialRecord[]): string {
  const errored = trials.filter((t) => t.error !== undefined);
  if (errored.length === 0) return "";
  const items = errored
    // trial.attempts counts the retries: the first run is attempt 0.
    .map((t) => `<li><b>${escapeXml(t.id)}</b> (${escapeXml(t.error!.kind)}, ${t.attempts + 1} attempt${t.attempts === 0 ? "" : "s"}): <pre>${escapeXml(t.error!.message)}</pre></li>`)
    .join("\n");
  return `<h2>Errors</h2><ul>${items}</ul>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { metric, mode, trials } = input;
  const curves = learningCurvesSvg(trials, { metric, mode });
  const byKey = stringValuedKeys(trials)
    .map((key) => ({ key, svg: metricByKeySvg(trials, key, { metric, mode }) }))
    .filter((chart): chart is { key: string; svg: string } => chart.svg !== undefined);
  const sections = [
    `<h1>${escapeXml(input.title)}</h1>`,
    summary(input),
    "<h2>Learning curves</h2>",
    curves === undefined
      ? `<p class="note">No trial reported a finite value of ${escapeXml(metric)} yet.</p>`
      : `<p class="note">${escapeXml(metric)} after each unit of budget, one line per trial; hover a line for its config.</p><div class="chart">${curves}</div>`,
  ];
  if (byKey.length > 0) {
    sections.push(
      `<h2>Best ${escapeXml(metric)} by setting</h2>`,
      `<p class="note">One dot per trial at the best ${escapeXml(metric)} it reported; bigger dots reached more budget (trials stopped early are judged on less training). Groups are ordered by their median.</p>`,
      ...byKey.map(({ key, svg }) => `<h3>${escapeXml(key)}</h3><div class="chart">${svg}</div>`),
    );
  }
  sections.push("<h2>Leaderboard</h2>", leaderboardTable(input), errorsSection(trials));
  if (input.generatedAt !== undefined) {
    sections.push(`<p class="note">Generated by tunegrad on ${escapeXml(new Date(input.generatedAt).toISOString())}.</p>`);
  }
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(input.title)}</title><style>${STYLE}</style></head>`,
    `<body>\n${sections.join("\n")}\n</body>`,
    "</html>",
    "",
  ].join("\n");
}
