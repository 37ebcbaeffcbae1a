// The digits MLP (64-64-10, batch 32, Adam) trained for one epoch end to end: data loading,
// shuffling, forward, backward and optimizer, in samples per second.

import { data, getBackend, losses, nn, optim, tidy } from "../../src/index.js";
import { measureRow, type RowResult } from "./harness.js";
import { tf, TFJS_BACKENDS, useTfjs, useTunegrad } from "./backends.js";

const BATCH = 32;

export async function digitsRows(tunegrad: string[]): Promise<RowResult[]> {
  const digits = await data.load("digits");
  const n = digits.length;
  const results: RowResult["results"] = [];
  for (const name of tunegrad) {
    useTunegrad(name);
    const model = nn.fromSpec({ input: 64, layers: [{ type: "linear", units: 64 }, { type: "activation", name: "relu" }, { type: "linear", units: 10 }] }, { seed: 1 });
    const opt = new optim.Adam({ params: model, lr: 1e-3 });
    const loss = losses.create("crossEntropy");
    const loader = new data.DataLoader(digits, { batchSize: BATCH, shuffle: true, seed: 0 });
    const backend = getBackend();
    let epoch = 0;
    const row = await measureRow({
      name: "digits epoch",
      unit: "samples/s",
      cases: [
        {
          impl: `tunegrad-${name}`,
          work: n,
          fn: async () => {
            for (const { x, y } of loader.epoch(epoch++)) {
              tidy(() => {
                loss(model.forward(x), y).backward();
                opt.step();
                opt.zeroGrad();
              });
            }
            await backend.sync();
          },
        },
      ],
    }, { time: 3000 });
    results.push(...row.results);
  }
  // tfjs: the same model, data held as one tensor and shuffled per epoch with tf.gather.
  const { features, labels } = digits;
  for (const b of TFJS_BACKENDS) {
    await useTfjs(b);
    const X = tf.tensor2d(features, [n, 64]);
    const Y = tf.oneHot(tf.tensor1d(Array.from(labels), "int32"), 10);
    const w1 = tf.variable(tf.randomNormal([64, 64], 0, Math.sqrt(2 / 64), "float32", 1));
    const b1 = tf.variable(tf.zeros([64]));
    const w2 = tf.variable(tf.randomNormal([64, 10], 0, Math.sqrt(1 / 64), "float32", 2));
    const b2 = tf.variable(tf.zeros([10]));
    const opt = tf.train.adam(1e-3);
    const row = await measureRow({
      name: "digits epoch",
      unit: "samples/s",
      cases: [
        {
          impl: `tfjs-${b}`,
          work: n,
          fn: () => {
            const order = tf.util.createShuffledIndices(n);
            for (let i = 0; i < n; i += BATCH) {
              const idx = tf.tensor1d(Array.from(order.slice(i, i + BATCH)), "int32");
              const cost = opt.minimize(() => {
                const x = tf.gather(X, idx);
                const y = tf.gather(Y, idx);
                const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
                return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, w2), b2)) as tf.Scalar;
              }, true);
              cost!.dataSync();
              cost!.dispose();
              idx.dispose();
            }
          },
        },
      ],
    }, { time: 3000 });
    results.push(...row.results);
    [X, Y, w1, b1, w2, b2].forEach((t) => t.dispose());
    opt.dispose();
  }
  const best = (p: string) => Math.max(0, ...results.filter((m) => m.impl.startsWith(p)).map((m) => m.median));
  console.error(`digits epoch: ${results.map((m) => `${m.impl} ${m.median.toFixed(0)}`).join(", ")}`);
  return [{ name: "digits MLP 64-64-10, one epoch", unit: "samples/s", results, ratio: best("tunegrad") / best("tfjs") }];
}
