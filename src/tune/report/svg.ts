// Small SVG building blocks for the HTML report: escaping, linear scales with "nice" ticks,
// axes, polylines and markers. Everything returns markup strings; nothing touches a DOM.

/** Escapes text for an HTML/SVG text node or a double-quoted attribute value. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export interface LinearScale {
  (value: number): number;
  ticks(count?: number): number[];
}

/**
 * Maps [domain0, domain1] onto [range0, range1]. A degenerate domain (one distinct value) is
 * widened around that value so that a single point is drawn in the middle rather than at NaN.
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  let [d0, d1] = domain;
  if (!Number.isFinite(d0) || !Number.isFinite(d1)) {
    throw new Error(`linearScale needs a finite domain, got [${d0}, ${d1}]`);
  }
  if (d0 === d1) {
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    d0 -= pad;
    d1 += pad;
  }
  const [r0, r1] = range;
  const scale = ((value: number) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0)) as LinearScale;
  scale.ticks = (count = 5) => niceTicks(d0, d1, count);
  return scale;
}

/** Round tick values (multiples of 1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  if (lo === hi) return [lo];
  const rawStep = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rawStep));
  const fraction = rawStep / power;
  // The thresholds are the geometric means of 1, 2, 5 and 10, so the tick count lands closest to `count`.
  const step = (fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.sqrt(2) ? 2 : 1) * power;
  const ticks: number[] = [];
  // Work in integer multiples of the step so that 0.1 + 0.2 drift does not produce 0.30000000000000004.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** A short label for a number on an axis or in a table: at most 4 significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

export type Attributes = Record<string, string | number | undefined>;

export function attrs(attributes: Attributes): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(typeof value === "number" ? round(value) : value)}"`)
    .join("");
}

/** Coordinates with two decimals keep the markup small without visible loss. */
function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function element(name: string, attributes: Attributes, children = ""): string {
  return children === "" ? `<${name}${attrs(attributes)}/>` : `<${name}${attrs(attributes)}>${children}</${name}>`;
}

export function text(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element("text", { x, y, ...attributes }, escapeXml(content));
}

/** A hover tooltip: the first child of a shape, shown by browsers without any script. */
export function title(content: string): string {
  return `<title>${escapeXml(content)}</title>`;
}

export function polyline(points: readonly (readonly [number, number])[], attributes: Attributes, tooltip?: string): string {
  const pointList = points.map(([x, y]) => `${round(x)},${round(y)}`).join(" ");
  return element("polyline", { points: pointList, fill: "none", ...attributes }, tooltip === undefined ? "" : title(tooltip));
}

export function circle(cx: number, cy: number, r: number, attributes: Attributes, tooltip?: string): string {
  return element("circle", { cx, cy, r, ...attributes }, tooltip === undefined ? "" : title(tooltip));
}

export function line(x1: number, y1: number, x2: number, y2: number, attributes: Attributes): string {
  return element("line", { x1, y1, x2, y2, ...attributes });
}

export interface PlotArea {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export function innerBounds(area: PlotArea): { left: number; right: number; top: number; bottom: number } {
  return {
    left: area.margin.left,
    right: area.width - area.margin.right,
    top: area.margin.top,
    bottom: area.height - area.margin.bottom,
  };
}

/** A left y axis with gridlines and tick labels, and the axis title rotated along it. */
export function yAxis(scale: LinearScale, area: PlotArea, label: string): string {
  const { left, right, top, bottom } = innerBounds(area);
  const parts = [line(left, top, left, bottom, { stroke: "#444" })];
  for (const tick of scale.ticks(5)) {
    const y = scale(tick);
    parts.push(line(left, y, right, y, { stroke: "#e4e4e4" }));
    parts.push(text(left - 6, y + 4, formatNumber(tick), { "text-anchor": "end", "font-size": 11 }));
  }
  const middle = (top + bottom) / 2;
  parts.push(text(14, middle, label, { "text-anchor": "middle", "font-size": 12, transform: `rotate(-90 14 ${round(middle)})` }));
  return element("g", { class: "axis y" }, parts.join(""));
}

/** A bottom x axis with numeric ticks and its title. */
export function xAxis(scale: LinearScale, area: PlotArea, label: string): string {
  const { left, right, bottom } = innerBounds(area);
  const parts = [line(left, bottom, right, bottom, { stroke: "#444" })];
  for (const tick of scale.ticks(6)) {
    const x = scale(tick);
    parts.push(line(x, bottom, x, bottom + 4, { stroke: "#444" }));
    parts.push(text(x, bottom + 16, formatNumber(tick), { "text-anchor": "middle", "font-size": 11 }));
  }
  parts.push(text((left + right) / 2, area.height - 6, label, { "text-anchor": "middle", "font-size": 12 }));
  return element("g", { class: "axis x" }, parts.join(""));
}

export function svgDocument(area: PlotArea, body: string, label: string): string {
  return element(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      width: area.width,
      height: area.height,
      viewBox: `0 0 ${area.width} ${area.height}`,
      role: "img",
      "aria-label": label,
      "font-family": "system-ui, sans-serif",
    },
    body,
  );
}
