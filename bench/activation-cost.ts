// What the choice of activation costs, as issue 7's target states it: each activation's forward +
// backward on 1M values through the public API (x.unary(act).sum().backward(), as the
// "activations" rows of `npm run bench`), and the MLP 784-256-128-10 training step a trial runs,
// each as a multiple of relu on the same backend.
//
// The activations are timed in interleaved rounds (relu, mish, tanh, … then again), and each
// round gives a ratio to relu measured moments apart; the figure is the median of those paired
// ratios. On a shared machine whose speed drifts by a third over minutes, timing all of relu and
// then all of mish (as a side-by-side row does) measures the drift as much as the activation.
//
//   node --import tsx bench/activation-cost.ts [rounds]      (TUNEGRAD_BENCH_CPU_ONLY=1: CPU only)
//
// Prints a markdown table for bench/RESULTS.md.

import { Bench } from "tinybench";
import { getBackend, randn, tidy } from "../src/index.js";
import { tunegradBackends, useTunegrad } from "./compare/backends.js";
import { machine, medianMs } from "./cpu-report.js";
import { tunegradMlpStep } from "./mlp-workload.js";

const ACTIVATIONS = ["relu", "mish", "tanh", "sigmoid", "silu", "gelu", "softplus"];
const SIZE = 1 << 20;
const rounds = Number(process.argv[2] ?? 9);
if (!Number.isInteger(rounds) || rounds < 3) throw new Error(`rounds must be an integer of at least 3, got ${process.argv[2]}`);

interface Workload {
  step: () => Promise<void>;
  dispose: () => void;
}

function activationWorkload(act: string): Workload {
  const x = randn([SIZE], { seed: 3, requiresGrad: true });
  const backend = getBackend();
  return {
    step: async () => {
      tidy(() => x.unary(act).sum().backward());
      x.zeroGrad();
      await backend.sync();
    },
    dispose: () => x.dispose(),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Per activation: median ms over the rounds, and the median and range of its paired ratio to relu. */
async function interleaved(make: (act: string) => Workload, msPerTask: number): Promise<Map<string, { ms: number; ratio: number; lo: number; hi: number }>> {
  const workloads = new Map(ACTIVATIONS.map((act) => [act, make(act)]));
  const times = new Map<string, number[]>(ACTIVATIONS.map((act) => [act, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      const bench = new Bench({ time: msPerTask, warmupTime: r === 0 ? 200 : 20, retainSamples: true });
      for (const [act, w] of workloads) bench.add(act, w.step);
      await bench.run();
      for (const act of ACTIVATIONS) times.get(act)!.push(medianMs(bench.getTask(act)!));
    }
  } finally {
    for (const w of workloads.values()) w.dispose();
  }
  const relu = times.get("relu")!;
  return new Map(
    ACTIVATIONS.map((act) => {
      const ratios = times.get(act)!.map((t, r) => t / relu[r]!);
      return [act, { ms: median(times.get(act)!), ratio: median(ratios), lo: Math.min(...ratios), hi: Math.max(...ratios) }];
    }),
  );
}

const { names, webgpu } = await tunegradBackends();
console.log(`# What the activation costs, ${machine()}, ${new Date().toISOString().slice(0, 10)}, ${rounds} interleaved rounds`);
console.log(`WebGPU: ${webgpu}\n`);
console.log("| backend | workload | activation | median ms | ÷ relu (median of paired ratios) | range over rounds |");
console.log("|---|---|---|---:|---:|---|");
for (const name of names) {
  useTunegrad(name);
  for (const [workload, make, ms] of [
    ["fwd+bwd, 1M values", activationWorkload, 150],
    ["MLP step, batch 128", tunegradMlpStep, 250],
  ] as const) {
    const results = await interleaved(make, ms);
    for (const [act, r] of results) {
      console.log(`| ${name} | ${workload} | ${act} | ${r.ms.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.lo.toFixed(2)}–${r.hi.toFixed(2)} |`);
    }
  }
}
