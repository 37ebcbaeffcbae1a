// DataLoader: a dataset in batches of tensors, in a seeded shuffled order. The order of epoch e
// depends only on the seed and e (a fork of the generator per epoch), so a run resumed at epoch
// e sees exactly the batches an uninterrupted run would.

import { Generator, type Tensor, tensor } from "../../tensor/index.js";
import type { Dataset } from "./dataset.js";

export interface DataLoaderOptions {
  readonly batchSize: number;
  /** Shuffle the examples each epoch (default false). */
  readonly shuffle?: boolean;
  /** The seed of the shuffling order (default 0); or pass a generator. */
  readonly seed?: number | string;
  readonly generator?: Generator;
  /** Drop a last batch smaller than batchSize (default false). */
  readonly dropLast?: boolean;
}

export interface Batch {
  /** Features, [batch, numFeatures]. */
  readonly x: Tensor;
  /** Labels, [batch]. */
  readonly y: Tensor;
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The epoch the next `for ... of` iterates; set it to resume a run at a given epoch. */
  nextEpoch = 0;
  readonly #generator: Generator;

  constructor(
    readonly dataset: Dataset,
    options: DataLoaderOptions,
  ) {
    const b = options?.batchSize;
    if (!Number.isInteger(b) || b <= 0) throw new Error(`DataLoader: batchSize must be a positive integer, got ${JSON.stringify(b)}`);
    this.batchSize = b;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.#generator = options.generator ?? new Generator(options.seed ?? 0);
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The example order of epoch `epoch`. */
  order(epoch: number): number[] {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`DataLoader: epoch must be a non-negative integer, got ${epoch}`);
    if (!this.shuffle) return Array.from({ length: this.dataset.length }, (_, i) => i);
    return this.#generator.fork("epoch", epoch).permutation(this.dataset.length);
  }

  /**
   * The batches of epoch `epoch`. A batch's tensors are disposed when the loader moves on to the
   * next batch (or the loop ends), so a training loop leaks nothing; keep a copy to hold one longer.
   */
  *epoch(epoch: number): IterableIterator<Batch> {
    const order = this.order(epoch);
    const f = this.dataset.numFeatures;
    for (let start = 0; start < order.length; start += this.batchSize) {
      const indices = order.slice(start, start + this.batchSize);
      if (this.dropLast && indices.length < this.batchSize) break;
      const part = this.dataset.subset(indices);
      const batch = { x: tensor(part.features, [indices.length, f]), y: tensor(part.labels, [indices.length]) };
      try {
        yield batch;
      } finally {
        batch.x.dispose();
        batch.y.dispose();
      }
    }
  }

  [Symbol.iterator](): IterableIterator<Batch> {
    return this.epoch(this.nextEpoch++);
  }
}
