// Drawing the demo's state: a small SVG line chart for the training loss, and the search's
// leaderboard as a table (ranked by the tuner's own rule, tune.leaderboard).

import { tune } from "../../src/browser/index.js";

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}; examples/browser/index.html and main.ts disagree`);
  return element as T;
}

export interface Series {
  name: string;
  colour: string;
  points: [number, number][];
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svgElement(name: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A line chart of `series` against a shared x axis (epochs), with axes and a legend. */
export function lineChart(series: readonly Series[], labels: { x: string; y: string }): SVGSVGElement {
  const width = 640;
  const height = 280;
  const margin = { top: 12, right: 150, bottom: 40, left: 56 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(0, ...xs), Math.max(1, ...xs)];
  const [yLo, yHi] = ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  const pad = (yHi - yLo) * 0.08 || 0.5;
  const [y0, y1] = [Math.max(0, yLo - pad), yHi + pad];
  const px = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * (width - margin.left - margin.right);
  const py = (y: number) => height - margin.bottom - ((y - y0) / (y1 - y0)) * (height - margin.top - margin.bottom);

  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `${labels.y} against ${labels.x}` }) as SVGSVGElement;
  const axis = { stroke: "#444", "stroke-width": 1 };
  svg.append(svgElement("line", { x1: margin.left, y1: py(y0), x2: width - margin.right, y2: py(y0), ...axis }));
  svg.append(svgElement("line", { x1: margin.left, y1: py(y0), x2: margin.left, y2: py(y1), ...axis }));
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    svg.append(svgElement("text", { x: margin.left - 6, y: py(y) + 4, "text-anchor": "end", "font-size": 11 }, y.toFixed(2)));
  }
  const xStep = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let x = Math.ceil(x0); x <= x1; x += xStep) {
    svg.append(svgElement("text", { x: px(x), y: height - margin.bottom + 16, "text-anchor": "middle", "font-size": 11 }, String(x)));
  }
  svg.append(svgElement("text", { x: (margin.left + width - margin.right) / 2, y: height - 6, "text-anchor": "middle", "font-size": 12 }, labels.x));
  svg.append(svgElement("text", { x: 14, y: (margin.top + height - margin.bottom) / 2, "font-size": 12, transform: `rotate(-90 14 ${(margin.top + height - margin.bottom) / 2})`, "text-anchor": "middle" }, labels.y));
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      svg.append(svgElement("polyline", { points: s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" "), fill: "none", stroke: s.colour, "stroke-width": 2 }));
      for (const [x, y] of s.points) svg.append(svgElement("circle", { cx: px(x), cy: py(y), r: 2.5, fill: s.colour }));
    }
    const legendY = margin.top + 14 + i * 18;
    svg.append(svgElement("line", { x1: width - margin.right + 12, y1: legendY - 4, x2: width - margin.right + 32, y2: legendY - 4, stroke: s.colour, "stroke-width": 2 }));
    svg.append(svgElement("text", { x: width - margin.right + 38, y: legendY, "font-size": 12 }, s.name));
  });
  return svg;
}

function formatMetric(value: number | null | undefined): string {
  return typeof value === "number" ? value.toFixed(4) : "–";
}

/** The leaderboard: trials ranked by their best `metric`, with their config and progress. */
export function renderLeaderboard(table: HTMLTableElement, trials: readonly tune.TrialRecord[], metric: string, mode: tune.Mode): void {
  const configKeys = [...new Set(trials.flatMap((t) => Object.keys(t.config)))];
  const header = ["#", "trial", "status", ...configKeys, "epochs", `best ${metric}`, "last loss"];
  const headRow = document.createElement("tr");
  for (const name of header) headRow.append(Object.assign(document.createElement("th"), { textContent: name }));
  table.tHead!.replaceChildren(headRow);
  const rows = tune.leaderboard(trials, metric, mode).map((trial, rank) => {
    const best = tune.bestReport(trial, metric, mode);
    const cells: [string, boolean][] = [
      [String(rank + 1), false],
      [trial.id, true],
      [trial.status, true],
      ...configKeys.map((key): [string, boolean] => {
        const value = trial.config[key];
        return [typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toPrecision(3)) : String(value), typeof value !== "number"];
      }),
      [String(trial.history.length), false],
      [formatMetric(best?.value), false],
      [formatMetric(trial.last?.["loss"]), false],
    ];
    const row = document.createElement("tr");
    row.dataset.trial = trial.id;
    if (rank === 0 && best?.value !== undefined && best.value !== null) row.className = "top";
    for (const [text, isText] of cells) row.append(Object.assign(document.createElement("td"), { textContent: text, className: isText ? "text" : "" }));
    return row;
  });
  table.tBodies[0]!.replaceChildren(...rows);
}

/** Offers `bytes` as a file download named `name`. */
export function download(bytes: Uint8Array | string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the download starts asynchronously from the URL.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
