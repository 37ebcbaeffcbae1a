// The transposed products backward needs (Aᵀ·B for the weight gradient, A·Bᵀ for the input's)
// against the plain A·B, on each tunegrad backend, as issue 7's target states it ("within 10%").
// Backend calls on preallocated buffers, timed in interleaved rounds and reported as the median
// of the paired ratios to A·B (bench/paired-ratios.ts), which cancels the drift of a shared
// machine and of llvmpipe's threads.
//
//   node --import tsx bench/transposed-matmul.ts [rounds]     (TUNEGRAD_BENCH_CPU_ONLY=1: CPU only)
//
// Prints a markdown table for bench/RESULTS.md.

import type { MatmulArgs } from "../src/kernels/backend.js";
import { getBackend, randn } from "../src/index.js";
import { tunegradBackends, useTunegrad } from "./compare/backends.js";
import { machine } from "./cpu-report.js";
import { pairedRatios } from "./paired-ratios.js";

const SIZES = [256, 512, 1024];
const rounds = Number(process.argv[2] ?? 9);
const PRODUCTS = [
  { name: "A·B", transA: false, transB: false },
  { name: "Aᵀ·B", transA: true, transB: false },
  { name: "A·Bᵀ", transA: false, transB: true },
] as const;

const { names, webgpu } = await tunegradBackends();
console.log(`# Transposed products against A·B, ${machine()}, ${new Date().toISOString().slice(0, 10)}, ${rounds} interleaved rounds`);
console.log(`WebGPU: ${webgpu}\n`);
console.log("| backend | n | product | median ms | GFLOP/s | ÷ A·B time (median of paired ratios) | range over rounds |");
console.log("|---|---:|---|---:|---:|---:|---|");
for (const name of names) {
  useTunegrad(name);
  const backend = getBackend();
  for (const n of SIZES) {
    const a = randn([n, n], { seed: 1 });
    const b = randn([n, n], { seed: 2 });
    const out = backend.alloc(n * n);
    try {
      const cases = PRODUCTS.map((p) => {
        const args: MatmulArgs = { batch: 1, m: n, n, k: n, transA: p.transA, transB: p.transB, aBatchStride: 0, bBatchStride: 0 };
        return {
          name: p.name,
          fn: async () => {
            backend.matmul(a.storage, b.storage, out, args);
            await backend.sync();
          },
        };
      });
      for (const r of await pairedRatios(cases, "A·B", rounds, n >= 1024 ? 400 : 150)) {
        const gflops = (2 * n ** 3) / (r.ms * 1e6);
        console.log(`| ${name} | ${n} | ${r.name} | ${r.ms.toFixed(2)} | ${gflops.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.lo.toFixed(2)}–${r.hi.toFixed(2)} |`);
      }
    } finally {
      a.dispose();
      b.dispose();
      backend.free(out);
    }
  }
}
