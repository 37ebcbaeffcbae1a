// Standardize: (x − shift)·scale per feature, with fixed values that the spec carries (a
// training run's feature means and inverse standard deviations). Put first in a model, it makes
// the model take raw features: a model saved after training on standardised data then works on
// the data as it comes, from its file alone.

import { keep, type Tensor, tensor } from "../../tensor/index.js";
import { Module } from "../module.js";

export class Standardize extends Module {
  readonly #shift: Tensor;
  readonly #scale: Tensor;

  constructor(
    readonly shift: readonly number[],
    readonly scale: readonly number[],
  ) {
    super();
    const finite = (values: readonly number[]) => Array.isArray(values) && values.length > 0 && values.every(Number.isFinite);
    if (!finite(shift) || !finite(scale) || shift.length !== scale.length) {
      throw new Error(`Standardize: shift and scale must be non-empty arrays of finite numbers of one length, got ${shift?.length} and ${scale?.length} values`);
    }
    // Constants, not parameters: they live as long as the module, outside any tidy().
    this.#shift = keep(tensor([...shift]));
    this.#scale = keep(tensor([...scale]));
  }

  override inputSize(): number {
    return this.shift.length;
  }

  override outputSize(inFeatures: number): number {
    if (inFeatures !== this.shift.length) throw new Error(`Standardize(${this.shift.length}) got ${inFeatures} input features`);
    return inFeatures;
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.shift.length) {
      throw new Error(`Standardize(${this.shift.length}) expects input ending in ${this.shift.length}, got [${x.shape.join(", ")}]`);
    }
    return x.sub(this.#shift).mul(this.#scale);
  }

  override dispose(): void {
    this.#shift.dispose();
    this.#scale.dispose();
    super.dispose();
  }

  override toSpec(): { type: "standardize"; shift: number[]; scale: number[] } {
    return { type: "standardize", shift: [...this.shift], scale: [...this.scale] };
  }
}
