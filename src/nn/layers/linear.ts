// Linear: y = x·W + b with W stored [in, out], run as the one fused `linear` kernel (matmul,
// bias and, when Sequential passes one, the following activation in the epilogue).

import { Generator, linear, type Tensor, zeros } from "../../tensor/index.js";
import { initializers } from "../initializers.js";
import { Module } from "../module.js";
import type { InitHint } from "./activation.js";

export interface LinearOptions {
  /** Whether the layer adds a bias (default true). */
  readonly bias?: boolean;
  /** An initializers key; overrides `activationInit`. */
  readonly init?: string;
  /** The init hint of the activation that follows (default "xavier": a plain affine output). */
  readonly activationInit?: InitHint;
  /** The seeded generator the weights are drawn from; or give a seed (default 0). */
  readonly generator?: Generator;
  readonly seed?: number | string;
}

/** An activation fused into the linear kernel: an op-table op and its resolved parameters. */
export interface FusedActivation {
  readonly op: string;
  readonly params: readonly number[];
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The initializer key given explicitly, if any (it is written back to the spec). */
  readonly init: string | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [what, n] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`Linear: ${what} must be a positive integer, got ${n}`);
    }
    this.init = options.init;
    const weight = initializers.create(options.init ?? options.activationInit ?? "xavier", {
      shape: [inFeatures, outFeatures],
      generator: options.generator ?? new Generator(options.seed ?? 0),
    });
    weight.requiresGrad = true;
    this.weight = this.registerParameter("weight", weight);
    if (options.bias ?? true) {
      const bias = zeros([outFeatures]);
      bias.requiresGrad = true;
      this.bias = this.registerParameter("bias", bias);
    } else {
      this.bias = null;
    }
  }

  override outputSize(inFeatures: number): number {
    if (inFeatures !== this.inFeatures) throw new Error(`Linear expects ${this.inFeatures} input features, got ${inFeatures}`);
    return this.outFeatures;
  }

  override inputSize(): number {
    return this.inFeatures;
  }

  /** x is [..., inFeatures]; `activation` is applied inside the same kernel. */
  forward(x: Tensor, activation?: FusedActivation): Tensor {
    return linear(x, this.weight, this.bias, activation?.op, activation?.params);
  }

  override toSpec(): { type: "linear"; units: number; bias?: false; init?: string } {
    return {
      type: "linear",
      units: this.outFeatures,
      ...(this.bias === null ? { bias: false as const } : {}),
      ...(this.init !== undefined ? { init: this.init } : {}),
    };
  }
}
