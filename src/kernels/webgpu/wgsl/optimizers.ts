// Optimizer updates in place, one dispatch per parameter, in the CPU backend's formulas
// (PyTorch's Adam/AdamW and SGD with momentum, dampening and Nesterov).
//
// `vec`: each invocation updates four values through vec4 loads and stores (for parameters of a
// size divisible by 4; word 0 then counts vec4s). Where WGSL runs on the CPU (llvmpipe) every
// storage access is a per-lane loop, so a quarter of the accesses is most of the cost saved.

import type { KernelDef } from "../command-queue.js";
import { linearMain, storageDecls, uniformBlock } from "./common.js";

/** Uniform words: [n, decoupled, 0, 0, lr, beta1, beta2, eps, weightDecay, bc1, bc2]. */
export const ADAM_WORDS = 11;

const elementType = (vec: boolean) => (vec ? ("vec4<f32>" as const) : ("f32" as const));

export function adamKernel(wg: number, vec: boolean): KernelDef {
  const type = elementType(vec);
  const buffers = [
    { name: "P", write: true, type },
    { name: "G", write: false, type },
    { name: "M", write: true, type },
    { name: "V", write: true, type },
  ];
  return {
    key: `adam:wg${wg}${vec ? ":vec4" : ""}`,
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

export function sgdKernel(withVelocity: boolean, wg: number, vec: boolean): KernelDef {
  const type = elementType(vec);
  const buffers = [
    { name: "P", write: true, type },
    { name: "G", write: false, type },
    ...(withVelocity ? [{ name: "B", write: true, type }] : []),
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
    key: `sgd:${withVelocity ? "momentum" : "plain"}:wg${wg}${vec ? ":vec4" : ""}`,
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
