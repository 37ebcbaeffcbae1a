// Metrics. They stay tensors until the caller reads them, so a training step on the GPU can
// compute them without a readback of its own.

import { noGrad, type Tensor, tidy } from "../tensor/index.js";
import type { Dataset } from "./data/dataset.js";
import { DataLoader } from "./data/loader.js";
import type { Module } from "./module.js";

/** How many rows of [N, C] scores have their largest entry at the label's index, as a scalar tensor. */
export function correctCount(scores: Tensor, labels: Tensor): Tensor {
  if (scores.rank !== 2 || labels.size !== scores.shape[0]) {
    throw new Error(`accuracy: scores must be [N, classes] and labels [N]; got [${scores.shape.join(", ")}] and [${labels.shape.join(", ")}]`);
  }
  return tidy(() => scores.argmax(1).eq(labels.reshape([scores.shape[0]!])).sum());
}

/** The fraction of rows of [N, C] scores whose largest entry is at the label's index, as a scalar tensor. */
export function accuracy(scores: Tensor, labels: Tensor): Tensor {
  return tidy(() => correctCount(scores, labels).div(scores.shape[0]!));
}

/** The model's accuracy on a whole dataset, in eval mode, without recording gradients. */
export async function evaluateAccuracy(model: Module, dataset: Dataset, batchSize = 512): Promise<number> {
  if (dataset.length === 0) throw new Error("evaluateAccuracy: the dataset is empty; there is nothing to measure");
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  try {
    for (const { x, y } of new DataLoader(dataset, { batchSize }).epoch(0)) {
      const count = noGrad(() => tidy(() => correctCount(model.forward(x), y)));
      correct += await count.item();
      count.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return correct / dataset.length;
}
