// Ratios to a baseline from interleaved rounds: each round times every case once (tinybench, a
// short window each), so each case's ratio to the baseline is measured moments apart, and the
// figure is the median of those paired ratios. On a shared machine whose speed drifts by a third
// over minutes, timing all of one case and then all of the next (as a side-by-side row does)
// measures the drift as much as the difference. Used by activation-cost.ts and
// transposed-matmul.ts.

import { Bench } from "tinybench";
import { medianMs } from "./cpu-report.js";

export interface PairedCase {
  readonly name: string;
  readonly fn: () => unknown | Promise<unknown>;
}

export interface PairedResult {
  readonly name: string;
  /** Median over the rounds of the case's median time, in ms. */
  readonly ms: number;
  /** Median over the rounds of (this case's time ÷ the baseline's time in the same round). */
  readonly ratio: number;
  /** The smallest and largest of those per-round ratios. */
  readonly lo: number;
  readonly hi: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Times `cases` in `rounds` interleaved rounds, rotating their order; ratios are to the case named `baseline`. */
export async function pairedRatios(cases: readonly PairedCase[], baseline: string, rounds: number, msPerCase: number): Promise<PairedResult[]> {
  if (!cases.some((c) => c.name === baseline)) throw new Error(`the baseline "${baseline}" is not one of the cases (${cases.map((c) => c.name).join(", ")})`);
  if (!Number.isInteger(rounds) || rounds < 3) throw new Error(`rounds must be an integer of at least 3, got ${rounds}`);
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time: msPerCase, warmupTime: r === 0 ? 200 : 20, retainSamples: true });
    // Each round starts one case later, so that no case always runs first (or right after another).
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + r) % cases.length]!;
      bench.add(c.name, c.fn);
    }
    await bench.run();
    for (const c of cases) times.get(c.name)!.push(medianMs(bench.getTask(c.name)!));
  }
  const base = times.get(baseline)!;
  return cases.map((c) => {
    const ratios = times.get(c.name)!.map((t, r) => t / base[r]!);
    return { name: c.name, ms: median(times.get(c.name)!), ratio: median(ratios), lo: Math.min(...ratios), hi: Math.max(...ratios) };
  });
}
