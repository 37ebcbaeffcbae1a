// One training step of an MLP 784-256-128-10 (batch 128, Adam, softmax cross-entropy), in
// samples per second, for each activation; and one activation's forward + backward on 1M values.

import { activations } from "../../src/index.js";
import {
  ACTIVATION_SIZE, MLP_BATCH, TFJS_ACTIVATIONS, tfjsActivation, tfjsMlpStep, tunegradActivationStep, tunegradMlpStep, type Workload,
} from "../mlp-workload.js";
import { measureRow, type Row, type RowResult } from "./harness.js";
import { tf, TFJS_BACKENDS, useTfjs, useTunegrad } from "./backends.js";

/**
 * Measures each tunegrad backend's workload (built on that backend), then tfjs's on each of its
 * backends (`theirs` absent: tfjs has no such op).
 */
async function compareRow(name: string, unit: string, work: number, tunegrad: string[], ours: () => Workload<unknown>, theirs?: () => Workload<unknown>): Promise<RowResult> {
  const results: RowResult["results"] = [];
  for (const impl of tunegrad) {
    useTunegrad(impl);
    const c = ours();
    const row: Row = { name, unit, cases: [{ impl: `tunegrad-${impl}`, work, fn: c.step }] };
    results.push(...(await measureRow(row)).results);
    c.dispose();
  }
  for (const b of theirs ? TFJS_BACKENDS : []) {
    await useTfjs(b);
    const c = theirs!();
    results.push(...(await measureRow({ name, unit, cases: [{ impl: `tfjs-${b}`, work, fn: c.step }] })).results);
    c.dispose();
  }
  const best = (p: string) => Math.max(0, ...results.filter((m) => m.impl.startsWith(p)).map((m) => m.median));
  console.error(`${name}: ${results.map((m) => `${m.impl} ${m.median.toFixed(1)}`).join(", ")}`);
  return { name, unit, results, ratio: best("tfjs") > 0 ? best("tunegrad") / best("tfjs") : null };
}

export async function mlpRows(tunegrad: string[], acts = ["relu", "tanh", "mish"]): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for (const act of acts) {
    rows.push(await compareRow(`MLP 784-256-128-10 step, ${act}`, "samples/s", MLP_BATCH, tunegrad, () => tunegradMlpStep(act), () => tfjsMlpStep(act)));
  }
  return rows;
}

/** Forward and backward of one activation on 1M values (the per-element cost of the choice). */
export async function activationRows(tunegrad: string[], acts = activations.keys()): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for (const act of acts) {
    const ours = () => tunegradActivationStep(act);
    const theirs = (): Workload<void> => {
      const x = tf.randomNormal([ACTIVATION_SIZE], 0, 1, "float32", 3);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tfjsActivation(act, v)));
      return {
        step: () => void tf.tidy(() => grad(x).dataSync()),
        dispose: () => x.dispose(),
      };
    };
    const hasTfjs = TFJS_ACTIVATIONS.includes(act);
    rows.push(await compareRow(`${act} forward+backward, 1M`, "M elements/s", ACTIVATION_SIZE / 1e6, tunegrad, ours, hasTfjs ? theirs : undefined));
  }
  return rows;
}
