// A Dataset: N examples of numeric features with one label each, held as flat float32 arrays on
// the host. Batches are uploaded as tensors by a DataLoader; splits and subsets are index
// selections, so they copy only what they keep.

import type { Generator } from "../../tensor/index.js";
import type { ParsedTable } from "./csv.js";

export interface DatasetInfo {
  /** Class names by label index, for classification data. */
  readonly classNames?: readonly string[];
  readonly featureNames?: readonly string[];
}

export class Dataset {
  readonly length: number;

  constructor(
    /** Row-major [length, numFeatures]. */
    readonly features: Float32Array,
    /** One label per example: a class index (as float32) or a regression target. */
    readonly labels: Float32Array,
    readonly numFeatures: number,
    readonly info: DatasetInfo = {},
  ) {
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`Dataset: numFeatures must be a positive integer, got ${numFeatures}`);
    if (features.length !== labels.length * numFeatures) {
      throw new Error(`Dataset: ${labels.length} labels need ${labels.length * numFeatures} feature values (${numFeatures} each), got ${features.length}`);
    }
    this.length = labels.length;
  }

  static fromTable(table: ParsedTable): Dataset {
    return new Dataset(table.features, table.labels, table.numFeatures, {
      ...(table.classNames ? { classNames: table.classNames } : {}),
      ...(table.featureNames ? { featureNames: table.featureNames } : {}),
    });
  }

  /** The number of classes: from the class names, else one more than the largest label. */
  get numClasses(): number {
    if (this.info.classNames) return this.info.classNames.length;
    let max = -1;
    for (const l of this.labels) max = Math.max(max, l);
    return max + 1;
  }

  /** The examples at `indices`, in that order. */
  subset(indices: readonly number[]): Dataset {
    const f = this.numFeatures;
    const features = new Float32Array(indices.length * f);
    const labels = new Float32Array(indices.length);
    indices.forEach((index, row) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.length) {
        throw new Error(`Dataset.subset: index ${index} is out of range for ${this.length} examples`);
      }
      features.set(this.features.subarray(index * f, (index + 1) * f), row * f);
      labels[row] = this.labels[index]!;
    });
    return new Dataset(features, labels, f, this.info);
  }

  /**
   * A seeded random split: `validation` is the fraction (0 < v < 1) held out. The same
   * generator seed always gives the same split.
   */
  split(options: { validation: number; generator: Generator }): { train: Dataset; validation: Dataset } {
    const v = options.validation;
    if (typeof v !== "number" || !(v > 0 && v < 1)) throw new Error(`Dataset.split: validation must be a fraction in (0, 1), got ${v}`);
    const order = options.generator.permutation(this.length);
    const held = Math.round(this.length * v);
    if (held === 0 || held === this.length) {
      throw new Error(`Dataset.split: a validation fraction of ${v} leaves an empty part of ${this.length} examples`);
    }
    return { validation: this.subset(order.slice(0, held)), train: this.subset(order.slice(held)) };
  }

  /** Each feature scaled by `scale` after subtracting `shift` (per feature), as a new dataset. */
  normalized(shift: readonly number[], scale: readonly number[]): Dataset {
    if (shift.length !== this.numFeatures || scale.length !== this.numFeatures) {
      throw new Error(`Dataset.normalized: shift and scale need ${this.numFeatures} values each, got ${shift.length} and ${scale.length}`);
    }
    const features = this.features.map((x, i) => (x - shift[i % this.numFeatures]!) * scale[i % this.numFeatures]!);
    return new Dataset(features, this.labels, this.numFeatures, this.info);
  }

  /** Per-feature mean and 1/std (1 where a feature is constant), to standardise with normalized(). */
  statistics(): { mean: number[]; inverseStd: number[] } {
    const f = this.numFeatures;
    const mean = new Array<number>(f).fill(0);
    const sq = new Array<number>(f).fill(0);
    for (let i = 0; i < this.features.length; i++) mean[i % f]! += this.features[i]!;
    for (let j = 0; j < f; j++) mean[j]! /= this.length;
    for (let i = 0; i < this.features.length; i++) sq[i % f]! += (this.features[i]! - mean[i % f]!) ** 2;
    const inverseStd = sq.map((s) => {
      const std = Math.sqrt(s / this.length);
      return std > 0 ? 1 / std : 1;
    });
    return { mean, inverseStd };
  }
}
