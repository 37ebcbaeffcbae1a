// Square matmul GFLOP/s, plain and with the transposed operands backward needs (Aᵀ·B, A·Bᵀ).

import { getBackend, randn } from "../../src/index.js";
import { type Row, measureRow, type RowResult } from "./harness.js";
import { tf, TFJS_BACKENDS, useTfjs, useTunegrad } from "./backends.js";

const VARIANTS = [
  { label: "A·B", transA: false, transB: false },
  { label: "Aᵀ·B", transA: true, transB: false },
  { label: "A·Bᵀ", transA: false, transB: true },
] as const;

export async function matmulRows(tunegrad: string[], sizes = [128, 256, 512, 1024]): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for (const n of sizes) {
    for (const v of VARIANTS) {
      const flops = 2 * n * n * n;
      const row: Row = { name: `matmul ${n} ${v.label}`, unit: "GFLOP/s", cases: [] };
      const cleanups: (() => void)[] = [];
      for (const name of tunegrad) {
        useTunegrad(name);
        const backend = getBackend();
        const a = randn([n, n], { seed: 1 });
        const b = randn([n, n], { seed: 2 });
        const out = backend.alloc(n * n);
        const args = { batch: 1, m: n, n, k: n, transA: v.transA, transB: v.transB, aBatchStride: 0, bBatchStride: 0 };
        row.cases.push({
          impl: `tunegrad-${name}`,
          work: flops / 1e9,
          fn: async () => {
            backend.matmul(a.storage, b.storage, out, args);
            await backend.sync();
          },
        });
        cleanups.push(() => {
          a.dispose();
          b.dispose();
          backend.free(out);
        });
      }
      const measured: RowResult["results"] = [];
      const ours = await measureRow(row);
      measured.push(...ours.results);
      cleanups.forEach((c) => c());
      for (const name of TFJS_BACKENDS) {
        await useTfjs(name);
        const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
        const b = tf.randomNormal([n, n], 0, 1, "float32", 2);
        const r = await measureRow({
          name: row.name,
          unit: row.unit,
          cases: [{ impl: `tfjs-${name}`, work: flops / 1e9, fn: () => tf.tidy(() => tf.matMul(a, b, v.transA, v.transB).dataSync()) }],
        });
        measured.push(...r.results);
        a.dispose();
        b.dispose();
      }
      const best = (p: string) => Math.max(0, ...measured.filter((m) => m.impl.startsWith(p)).map((m) => m.median));
      rows.push({ name: row.name, unit: row.unit, results: measured, ratio: best("tfjs") > 0 ? best("tunegrad") / best("tfjs") : null });
      console.error(`${row.name}: ${measured.map((m) => `${m.impl} ${m.median.toFixed(2)}`).join(", ")}`);
    }
  }
  return rows;
}
