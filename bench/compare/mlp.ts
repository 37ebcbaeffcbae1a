// One training step of an MLP 784-256-128-10 (batch 128, Adam, softmax cross-entropy), in
// samples per second, for each activation; and one activation's forward + backward on 1M values.

import { activations, getBackend, losses, nn, optim, randn, tensor, tidy } from "../../src/index.js";
import { measureRow, type Row, type RowResult } from "./harness.js";
import { tf, TFJS_BACKENDS, useTfjs, useTunegrad } from "./backends.js";

const SIZES = [784, 256, 128, 10];
const BATCH = 128;

function tfjsActivation(name: string, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "mish": // tfjs has no mish: composed, as a tfjs user would write it
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    default:
      throw new Error(`no tfjs form for ${name}`);
  }
}

function tunegradStep(backendName: string, activation: string): { fn: () => Promise<void>; dispose: () => void } {
  useTunegrad(backendName);
  const model = nn.fromSpec(
    {
      input: SIZES[0]!,
      layers: [
        { type: "linear", units: SIZES[1]! },
        { type: "activation", name: activation },
        { type: "linear", units: SIZES[2]! },
        { type: "activation", name: activation },
        { type: "linear", units: SIZES[3]! },
      ],
    },
    { seed: 1 },
  );
  const opt = new optim.Adam({ params: model, lr: 1e-3 });
  const loss = losses.create("crossEntropy");
  const x = randn([BATCH, SIZES[0]!], { seed: 2 });
  const y = tensor(Float32Array.from({ length: BATCH }, (_, i) => i % 10), [BATCH]);
  const backend = getBackend();
  return {
    fn: async () => {
      tidy(() => {
        loss(model.forward(x), y).backward();
        opt.step();
        opt.zeroGrad();
      });
      await backend.sync();
    },
    dispose: () => {
      x.dispose();
      y.dispose();
    },
  };
}

function tfjsStep(activation: string): { fn: () => void; dispose: () => void } {
  const vars: tf.Variable[] = [];
  for (let i = 0; i < 3; i++) {
    vars.push(tf.variable(tf.randomNormal([SIZES[i]!, SIZES[i + 1]!], 0, Math.sqrt(2 / SIZES[i]!), "float32", i)));
    vars.push(tf.variable(tf.zeros([SIZES[i + 1]!])));
  }
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([BATCH, SIZES[0]!], 0, 1, "float32", 2);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 10), "int32"), 10);
  return {
    fn: () => {
      const cost = opt.minimize(() => {
        let h: tf.Tensor = x;
        for (let i = 0; i < 3; i++) {
          h = tf.add(tf.matMul(h, vars[2 * i]!), vars[2 * i + 1]!);
          if (i < 2) h = tfjsActivation(activation, h);
        }
        return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
      }, true);
      cost!.dataSync();
      cost!.dispose();
    },
    dispose: () => {
      vars.forEach((v) => v.dispose());
      x.dispose();
      labels.dispose();
      opt.dispose();
    },
  };
}

/** Measures tunegrad's cases, then tfjs's on each of its backends (`theirs` absent: tfjs has no such op). */
async function compareRow(name: string, unit: string, work: number, ours: Map<string, { fn: () => unknown; dispose: () => void }>, theirs?: (b: string) => { fn: () => unknown; dispose: () => void }): Promise<RowResult> {
  const results: RowResult["results"] = [];
  for (const [impl, c] of ours) {
    useTunegrad(impl);
    const row: Row = { name, unit, cases: [{ impl: `tunegrad-${impl}`, work, fn: c.fn }] };
    results.push(...(await measureRow(row)).results);
    c.dispose();
  }
  for (const b of theirs ? TFJS_BACKENDS : []) {
    await useTfjs(b);
    const c = theirs!(b);
    results.push(...(await measureRow({ name, unit, cases: [{ impl: `tfjs-${b}`, work, fn: c.fn }] })).results);
    c.dispose();
  }
  const best = (p: string) => Math.max(0, ...results.filter((m) => m.impl.startsWith(p)).map((m) => m.median));
  console.error(`${name}: ${results.map((m) => `${m.impl} ${m.median.toFixed(1)}`).join(", ")}`);
  return { name, unit, results, ratio: best("tfjs") > 0 ? best("tunegrad") / best("tfjs") : null };
}

export async function mlpRows(tunegrad: string[], acts = ["relu", "tanh", "mish"]): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for (const act of acts) {
    const ours = new Map(tunegrad.map((b) => [b, tunegradStep(b, act)] as const));
    rows.push(await compareRow(`MLP 784-256-128-10 step, ${act}`, "samples/s", BATCH, ours, () => tfjsStep(act)));
  }
  return rows;
}

const N = 1 << 20;

/** Forward and backward of one activation on 1M values (the per-element cost of the choice). */
export async function activationRows(tunegrad: string[], acts = activations.keys()): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for (const act of acts) {
    const ours = new Map(
      tunegrad.map((b) => {
        useTunegrad(b);
        const x = randn([N], { seed: 3, requiresGrad: true });
        const backend = getBackend();
        return [
          b,
          {
            fn: async () => {
              tidy(() => x.unary(act).sum().backward());
              x.zeroGrad();
              await backend.sync();
            },
            dispose: () => x.dispose(),
          },
        ] as const;
      }),
    );
    const theirs = () => {
      const x = tf.randomNormal([N], 0, 1, "float32", 3);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tfjsActivation(act, v)));
      return {
        fn: () => tf.tidy(() => grad(x).dataSync()),
        dispose: () => x.dispose(),
      };
    };
    const hasTfjs = ["relu", "tanh", "mish"].includes(act);
    rows.push(await compareRow(`${act} forward+backward, 1M`, "M elements/s", N / 1e6, ours, hasTfjs ? theirs : undefined));
  }
  return rows;
}
