// Shared machinery for the side-by-side benchmarks: tinybench runs each case after a warm-up;
// we report the median with its spread (median absolute deviation) and, per row, the ratio of
// tunegrad's best figure to the best TensorFlow.js figure.

import { Bench } from "tinybench";

export interface Case {
  /** The implementation, e.g. "tunegrad-cpu", "tfjs-wasm". */
  impl: string;
  fn: () => unknown | Promise<unknown>;
  /** Work per call, in the row's unit (FLOPs, samples, elements). */
  work: number;
}

export interface Row {
  name: string;
  unit: string;
  cases: Case[];
}

export interface Measured {
  impl: string;
  /** Work per second (median of samples), and its spread. */
  median: number;
  mad: number;
  samples: number;
}

export interface RowResult {
  name: string;
  unit: string;
  results: Measured[];
  /** Best tunegrad figure over best tfjs figure. */
  ratio: number | null;
}

export async function measureRow(row: Row, options: { time?: number; warmupTime?: number } = {}): Promise<RowResult> {
  const results: Measured[] = [];
  for (const c of row.cases) {
    const bench = new Bench({ time: options.time ?? 1500, warmupTime: options.warmupTime ?? 300, warmupIterations: 3, iterations: 5 });
    bench.add(c.impl, c.fn);
    await bench.run();
    const task = bench.tasks[0]!;
    const r = task.result as unknown as { state?: string; error?: unknown; latency?: { p50: number; mad: number; samplesCount?: number }; samples?: number[] };
    if (!r.latency) throw new Error(`${row.name} / ${c.impl} failed: ${String(r.error ?? r.state)}`);
    const ms = r.latency.p50;
    const perSecond = (c.work * 1000) / ms;
    // Spread of the rate from the spread of latency (first order).
    const mad = (perSecond * r.latency.mad) / ms;
    results.push({ impl: c.impl, median: perSecond, mad, samples: r.latency.samplesCount ?? 0 });
  }
  const best = (prefix: string) => Math.max(0, ...results.filter((m) => m.impl.startsWith(prefix)).map((m) => m.median));
  const ours = best("tunegrad");
  const theirs = best("tfjs");
  return { name: row.name, unit: row.unit, results, ratio: ours > 0 && theirs > 0 ? ours / theirs : null };
}

function fmt(x: number): string {
  if (x >= 1000) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** A markdown table: one line per row, one column per implementation, then the ratio. */
export function markdownTable(title: string, rows: RowResult[]): string {
  const impls = [...new Set(rows.flatMap((r) => r.results.map((m) => m.impl)))];
  const header = `| ${title} | unit | ${impls.join(" | ")} | tunegrad / best tfjs |`;
  const rule = `|${" --- |".repeat(impls.length + 3)}`;
  const lines = rows.map((r) => {
    const cells = impls.map((impl) => {
      const m = r.results.find((x) => x.impl === impl);
      return m ? `${fmt(m.median)} ± ${fmt(m.mad)}` : "–";
    });
    return `| ${r.name} | ${r.unit} | ${cells.join(" | ")} | ${r.ratio === null ? "–" : `${r.ratio.toFixed(2)}x`} |`;
  });
  return [header, rule, ...lines].join("\n");
}
