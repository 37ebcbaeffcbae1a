// Shared pieces of the nn tests: a seeded classifier training loop.

import { data, losses, nn, optim } from "../src/nn/index.js";
import { tidy } from "../src/tensor/index.js";

export interface TrainOptions {
  readonly epochs: number;
  readonly lr: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Called after each epoch with the epoch index; return true to stop early. */
  readonly afterEpoch?: (epoch: number) => Promise<boolean | void> | boolean | void;
}

/** Trains `model` on `train` with Adam and cross-entropy, shuffling with a seeded loader. */
export async function trainClassifier(model: nn.Module, train: data.Dataset, options: TrainOptions): Promise<void> {
  const opt = new optim.Adam({ params: model, lr: options.lr });
  const loss = losses.create("crossEntropy");
  const loader = new data.DataLoader(train, { batchSize: options.batchSize ?? 32, shuffle: true, seed: options.seed ?? 0 });
  model.train();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const { x, y } of loader.epoch(epoch)) {
      tidy(() => {
        loss(model.forward(x), y).backward();
        opt.step();
        opt.zeroGrad();
      });
    }
    if (await options.afterEpoch?.(epoch)) break;
  }
  opt.dispose();
}

/** Iris with standardised features, split 80/20 with a fixed seed. */
export async function standardizedIris(): Promise<{ train: data.Dataset; validation: data.Dataset }> {
  const { Generator } = await import("../src/tensor/index.js");
  const iris = await data.load("iris");
  const { mean, inverseStd } = iris.statistics();
  return iris.normalized(mean, inverseStd).split({ validation: 0.2, generator: new Generator(3) });
}
