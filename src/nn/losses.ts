// Loss functions, keyed by name. Each takes (prediction, target) and returns a scalar tensor.
// The logit-based ones are written so they stay finite and exact at large |logits|:
// cross-entropy through logSoftmax (max-shifted log-sum-exp), binary cross-entropy as
// softplus(z) - z·y, whose gradient is exactly sigmoid(z) - y.

import type { Tensor } from "../tensor/index.js";
import { Registry } from "./registry.js";

export type LossFn = (prediction: Tensor, target: Tensor) => Tensor;

export interface LossOptions {
  /** "mean" (default) averages over the elements (rows for cross-entropy); "sum" adds them. */
  readonly reduction?: "mean" | "sum";
}

function reducer(loss: string, options: LossOptions): (t: Tensor) => Tensor {
  const known = ["reduction"];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`loss "${loss}" has no option "${key}"; its options are: ${known.join(", ")}`);
  }
  const reduction = options.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum") throw new Error(`loss "${loss}": reduction must be "mean" or "sum", got ${JSON.stringify(reduction)}`);
  return reduction === "mean" ? (t) => t.mean() : (t) => t.sum();
}

function sameShape(loss: string, prediction: Tensor, target: Tensor): void {
  if (prediction.shape.length !== target.shape.length || prediction.shape.some((d, i) => d !== target.shape[i])) {
    throw new Error(`${loss}: prediction [${prediction.shape.join(", ")}] and target [${target.shape.join(", ")}] must have the same shape`);
  }
}

/** Mean squared error. */
export function mse(options: LossOptions = {}): LossFn {
  const reduce = reducer("mse", options);
  return (prediction, target) => {
    sameShape("mse", prediction, target);
    const diff = prediction.sub(target);
    return reduce(diff.mul(diff));
  };
}

/** Cross-entropy of [N, C] logits against N integer class labels (shape [N] or [N, 1]). */
export function crossEntropy(options: LossOptions = {}): LossFn {
  const reduce = reducer("crossEntropy", options);
  return (logits, labels) => {
    if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [N, classes], got [${logits.shape.join(", ")}]`);
    const n = logits.shape[0]!;
    if (labels.size !== n || labels.rank > 2 || (labels.rank === 2 && labels.shape[1] !== 1)) {
      throw new Error(`crossEntropy: labels must be [${n}] or [${n}, 1] class indices for logits [${logits.shape.join(", ")}], got [${labels.shape.join(", ")}]`);
    }
    const logProbabilities = logits.logSoftmax(1);
    let picked: Tensor;
    try {
      picked = logProbabilities.gather(1, labels.reshape([n, 1]));
    } catch (e) {
      // The CPU checks each index (on WebGPU an out-of-range label gives a NaN loss instead).
      const classes = logits.shape[1]!;
      throw new Error(`crossEntropy: each label must be a class index, an integer in [0, ${classes - 1}] for ${classes} classes (${(e as Error).message})`, { cause: e });
    }
    return reduce(picked.neg());
  };
}

/** Binary cross-entropy of logits against targets in [0, 1] of the same shape. */
export function bce(options: LossOptions = {}): LossFn {
  const reduce = reducer("bce", options);
  return (logits, targets) => {
    sameShape("bce", logits, targets);
    return reduce(logits.softplus().sub(logits.mul(targets)));
  };
}

export const losses = new Registry<LossFn, LossOptions>("loss");
losses.register("mse", mse);
losses.register("crossEntropy", crossEntropy);
losses.register("bce", bce);
