// The training step both MLP benchmarks time (bench/compare/mlp.ts side by side with tfjs,
// bench/webgpu-mlp.ts with a profile): an MLP 784-256-128-10, batch 128, Adam (lr 1e-3), softmax
// cross-entropy on fixed inputs, built once per implementation so that a step is only the step.
// Also the one-activation workload (bench/compare/mlp.ts, bench/activation-cost.ts).

import * as tf from "@tensorflow/tfjs";
import { getBackend, losses, nn, optim, randn, tensor, tidy } from "../src/index.js";

const MLP_SIZES = [784, 256, 128, 10] as const;
export const MLP_BATCH = 128;

export interface Workload<T> {
  step: () => T;
  dispose: () => void;
}

/** The step on tunegrad's current backend; each step ends with the backend's work done. */
export function tunegradMlpStep(activation: string): Workload<Promise<void>> {
  const [input, hidden1, hidden2, classes] = MLP_SIZES;
  const model = nn.fromSpec(
    {
      input,
      layers: [
        { type: "linear", units: hidden1 },
        { type: "activation", name: activation },
        { type: "linear", units: hidden2 },
        { type: "activation", name: activation },
        { type: "linear", units: classes },
      ],
    },
    { seed: 1 },
  );
  const opt = new optim.Adam({ params: model, lr: 1e-3 });
  const loss = losses.create("crossEntropy");
  const x = randn([MLP_BATCH, input], { seed: 2 });
  const y = tensor(Float32Array.from({ length: MLP_BATCH }, (_, i) => i % classes), [MLP_BATCH]);
  const backend = getBackend();
  return {
    step: async () => {
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
      opt.dispose();
      model.dispose();
    },
  };
}

/** Values in the one-activation workload: 1M, where the per-element cost dominates. */
export const ACTIVATION_SIZE = 1 << 20;

/**
 * One activation's forward and backward on ACTIVATION_SIZE values through the public API, as a
 * user's code runs it (`x.unary(act).sum().backward()`), on tunegrad's current backend.
 */
export function tunegradActivationStep(act: string): Workload<Promise<void>> {
  const x = randn([ACTIVATION_SIZE], { seed: 3, requiresGrad: true });
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

/** The activations tfjsActivation can write, so the ones the comparisons cover. */
export const TFJS_ACTIVATIONS: readonly string[] = ["relu", "tanh", "mish"];

/** An activation as a tfjs user writes it (tfjs has no mish: composed from its ops). */
export function tfjsActivation(name: string, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "mish":
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    default:
      throw new Error(`no tfjs form for ${name}; the tfjs comparisons cover ${TFJS_ACTIVATIONS.join(", ")}`);
  }
}

/** The same step in tfjs on its current backend, He-initialised; each step reads the loss back. */
export function tfjsMlpStep(activation: string): Workload<void> {
  const classes = MLP_SIZES[3];
  const vars: tf.Variable[] = [];
  for (let i = 0; i < 3; i++) {
    vars.push(tf.variable(tf.randomNormal([MLP_SIZES[i]!, MLP_SIZES[i + 1]!], 0, Math.sqrt(2 / MLP_SIZES[i]!), "float32", i)));
    vars.push(tf.variable(tf.zeros([MLP_SIZES[i + 1]!])));
  }
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([MLP_BATCH, MLP_SIZES[0]], 0, 1, "float32", 2);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: MLP_BATCH }, (_, i) => i % classes), "int32"), classes);
  return {
    step: () => {
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
