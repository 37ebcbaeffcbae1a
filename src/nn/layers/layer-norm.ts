// LayerNorm over the last axis: (x - mean) / sqrt(var + eps), then a learned scale and shift.

import { ones, zeros, type Tensor } from "../../tensor/index.js";
import { Module } from "../module.js";

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, as PyTorch). */
  readonly eps?: number;
  /** Whether to learn a scale and shift (default true). */
  readonly affine?: boolean;
}

export class LayerNorm extends Module {
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(
    readonly features: number,
    options: LayerNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(features) || features <= 0) throw new Error(`LayerNorm: features must be a positive integer, got ${features}`);
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new Error(`LayerNorm: eps must be a positive number, got ${this.eps}`);
    if (options.affine ?? true) {
      const weight = ones([features]);
      const bias = zeros([features]);
      weight.requiresGrad = true;
      bias.requiresGrad = true;
      this.weight = this.registerParameter("weight", weight);
      this.bias = this.registerParameter("bias", bias);
    } else {
      this.weight = null;
      this.bias = null;
    }
  }

  override inputSize(): number {
    return this.features;
  }

  override outputSize(inFeatures: number): number {
    if (inFeatures !== this.features) throw new Error(`LayerNorm(${this.features}) got ${inFeatures} input features`);
    return inFeatures;
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.features) {
      throw new Error(`LayerNorm(${this.features}) expects input ending in ${this.features}, got [${x.shape.join(", ")}]`);
    }
    const centered = x.sub(x.mean(-1, true));
    const variance = centered.mul(centered).mean(-1, true);
    const normalized = centered.div(variance.add(this.eps).sqrt());
    return this.weight && this.bias ? normalized.mul(this.weight).add(this.bias) : normalized;
  }

  override toSpec(): { type: "layerNorm"; eps?: number; affine?: false } {
    return {
      type: "layerNorm",
      ...(this.eps !== 1e-5 ? { eps: this.eps } : {}),
      ...(this.weight === null ? { affine: false as const } : {}),
    };
  }
}
