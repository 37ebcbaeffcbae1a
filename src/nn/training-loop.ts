// The two loops every trainable writes: one epoch of training, and one pass over a dataset for
// its accuracy and loss. Per-batch results are summed on the device and read back once at the
// end, so that a GPU step is never stalled by a readback of its own.

import { concat, keep, noGrad, type Tensor, tidy } from "../tensor/index.js";
import type { Dataset } from "./data/dataset.js";
import { DataLoader } from "./data/loader.js";
import type { LossFn } from "./losses.js";
import { correctCount } from "./metrics.js";
import type { Module } from "./module.js";
import type { Optimizer } from "./optim/optimizer.js";

/** Adds `batch` into the running `total` (either may be undefined); frees what it replaces. */
function accumulate(total: Tensor | undefined, batch: Tensor): Tensor {
  if (total === undefined) return keep(batch);
  const sum = keep(tidy(() => total.add(batch)));
  total.dispose();
  batch.dispose();
  return sum;
}

/**
 * Trains `model` for one epoch of `loader` (`epoch` fixes a shuffling loader's batch order): for
 * each batch, zeroGrad, loss, backward, step. Returns the mean loss per example over the epoch,
 * which is NaN or infinite when training diverged.
 */
export async function trainEpoch(model: Module, optimizer: Optimizer, loss: LossFn, loader: DataLoader, epoch: number): Promise<number> {
  model.train();
  let summed: Tensor | undefined;
  let examples = 0;
  for (const { x, y } of loader.epoch(epoch)) {
    const batchLoss = tidy(() => {
      optimizer.zeroGrad();
      const value = loss(model.forward(x), y);
      value.backward();
      optimizer.step();
      return value.detach().mul(x.shape[0]!);
    });
    summed = accumulate(summed, batchLoss);
    examples += x.shape[0]!;
  }
  if (summed === undefined) throw new Error("trainEpoch: the loader gave no batch; its dataset is empty");
  const total = await summed.item();
  summed.dispose();
  return total / examples;
}

/**
 * The model's accuracy (scores [N, classes] against integer labels) and mean loss on a whole
 * dataset, in eval mode and without recording gradients; the model's mode is restored after.
 */
export async function evaluate(model: Module, loss: LossFn, dataset: Dataset, batchSize = 512): Promise<{ accuracy: number; loss: number }> {
  if (dataset.length === 0) throw new Error("evaluate: the dataset is empty; there is nothing to measure");
  const wasTraining = model.training;
  model.eval();
  let totals: Tensor | undefined;
  try {
    for (const { x, y } of new DataLoader(dataset, { batchSize }).epoch(0)) {
      // [correct count, summed loss] of the batch.
      const batch = noGrad(() =>
        tidy(() => {
          const scores = model.forward(x);
          return concat([correctCount(scores, y).reshape([1]), loss(scores, y).mul(x.shape[0]!).reshape([1])]);
        }),
      );
      totals = accumulate(totals, batch);
    }
    const [correct, lossSum] = await totals!.data();
    return { accuracy: correct! / dataset.length, loss: lossSum! / dataset.length };
  } finally {
    totals?.dispose();
    model.train(wasTraining);
  }
}
