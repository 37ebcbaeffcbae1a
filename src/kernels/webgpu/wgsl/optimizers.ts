// Optimizer updates in place, one dispatch per parameter, in the CPU backend's formulas
// (PyTorch's Adam/AdamW and SGD with momentum, dampening and Nesterov).

import type { KernelDef } from "../command-queue.js";
import { linearMain, storageDecls, uniformBlock } from "./common.js";

/** Uniform words: [n, decoupled, 0, 0, lr, beta1, beta2, eps, weightDecay, bc1, bc2]. */
export const ADAM_WORDS = 11;

export function adamKernel(wg: number): KernelDef {
  const buffers = [
    { name: "P", write: true },
    { name: "G", write: false },
    { name: "M", write: true },
    { name: "V", write: true },
  ];
  return {
    key: `adam:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: ADAM_WORDS,
    source: () =>
      [
        uniformBlock(ADAM_WORDS),
        storageDecls(buffers),
        linearMain(
          wg,
          `  let lr = uf(4u);
  let beta1 = uf(5u);
  let beta2 = uf(6u);
  let wd = uf(8u);
  var p = P[i];
  var g = G[i];
  if (uw(1u) != 0u) { p = p * (1.0 - lr * wd); } else { g = g + wd * p; }
  let m = beta1 * M[i] + (1.0 - beta1) * g;
  let v = beta2 * V[i] + (1.0 - beta2) * g * g;
  M[i] = m;
  V[i] = v;
  P[i] = p - (lr * (m / uf(9u))) / (sqrt(v / uf(10u)) + uf(7u));`,
        ),
      ].join("\n"),
  };
}

/** Uniform words: [n, nesterov, firstStep, 0, lr, momentum, dampening, weightDecay]. */
export const SGD_WORDS = 8;

export function sgdKernel(withVelocity: boolean, wg: number): KernelDef {
  const buffers = [
    { name: "P", write: true },
    { name: "G", write: false },
    ...(withVelocity ? [{ name: "B", write: true }] : []),
  ];
  const momentum = withVelocity
    ? `
  let mu = uf(5u);
  var v = g;
  if (uw(2u) == 0u) { v = mu * B[i] + (1.0 - uf(6u)) * g; }
  B[i] = v;
  if (uw(1u) != 0u) { g = g + mu * v; } else { g = v; }`
    : "";
  return {
    key: `sgd:${withVelocity ? "momentum" : "plain"}:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: SGD_WORDS,
    source: () =>
      [
        uniformBlock(SGD_WORDS),
        storageDecls(buffers),
        linearMain(wg, `  var g = G[i] + uf(7u) * P[i];${momentum}\n  P[i] = P[i] - uf(4u) * g;`),
      ].join("\n"),
  };
}
