// What the choice of activation costs, as issue 7's target states it: each activation's forward +
// backward on 1M values through the public API (x.unary(act).sum().backward(), as the
// "activations" rows of `npm run bench`), and the MLP 784-256-128-10 training step a trial runs,
// each as a multiple of relu on the same backend.
//
// The activations are timed in interleaved rounds and reported as the median of their paired
// ratios to relu (bench/paired-ratios.ts): the machine's drift cancels out.
//
//   node --import tsx bench/activation-cost.ts [rounds]      (TUNEGRAD_BENCH_CPU_ONLY=1: CPU only)
//
// Prints a markdown table for bench/RESULTS.md.

import { tunegradBackends, useTunegrad } from "./compare/backends.js";
import { machine } from "./cpu-report.js";
import { tunegradActivationStep, tunegradMlpStep, type Workload } from "./mlp-workload.js";
import { pairedRatios } from "./paired-ratios.js";

const ACTIVATIONS = ["relu", "mish", "tanh", "sigmoid", "silu", "gelu", "softplus"];
const rounds = Number(process.argv[2] ?? 9);

/** Per activation, its paired ratio to relu on the current backend. */
async function activationCosts(make: (act: string) => Workload<Promise<void>>, msPerCase: number) {
  const workloads = ACTIVATIONS.map((act) => ({ act, workload: make(act) }));
  try {
    return await pairedRatios(workloads.map(({ act, workload }) => ({ name: act, fn: workload.step })), "relu", rounds, msPerCase);
  } finally {
    for (const { workload } of workloads) workload.dispose();
  }
}

const { names, webgpu } = await tunegradBackends();
console.log(`# What the activation costs, ${machine()}, ${new Date().toISOString().slice(0, 10)}, ${rounds} interleaved rounds`);
console.log(`WebGPU: ${webgpu}\n`);
console.log("| backend | workload | activation | median ms | ÷ relu (median of paired ratios) | range over rounds |");
console.log("|---|---|---|---:|---:|---|");
for (const name of names) {
  useTunegrad(name);
  for (const [workload, make, ms] of [
    ["fwd+bwd, 1M values", tunegradActivationStep, 150],
    ["MLP step, batch 128", tunegradMlpStep, 250],
  ] as const) {
    for (const r of await activationCosts(make, ms)) {
      console.log(`| ${name} | ${workload} | ${r.name} | ${r.ms.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.lo.toFixed(2)}–${r.hi.toFixed(2)} |`);
    }
  }
}
