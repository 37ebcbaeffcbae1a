// Adam (Kingma and Ba 2015) with L2 weight decay, and AdamW (Loshchilov and Hutter 2019) with
// decay decoupled from the gradient. Bias corrections use the optimizer's step count.

import type { Tensor } from "../../tensor/index.js";
import { checkOptions, fraction, nonNegative, Optimizer, type ParamSource, positive } from "./optimizer.js";

export interface AdamOptions {
  readonly params: ParamSource;
  /** Default 1e-3. */
  readonly lr?: number;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly eps?: number;
  /** Default 0 for Adam, 0.01 for AdamW. */
  readonly weightDecay?: number;
}

const checks = { lr: positive, beta1: fraction, beta2: fraction, eps: positive, weightDecay: nonNegative };

export class Adam extends Optimizer {
  readonly type: string = "adam";
  beta1 = 0.9;
  beta2 = 0.999;
  eps = 1e-8;
  weightDecay = 0;
  /** Decay applied to the parameter (AdamW) instead of added to the gradient (Adam). */
  protected readonly decoupled: boolean = false;

  constructor(options: AdamOptions) {
    checkOptions("adam", (options ?? {}) as unknown as Record<string, unknown>, checks);
    super(options.params, options.lr ?? 1e-3);
    this.setHyperparameters(options as unknown as Record<string, number>);
  }

  protected hyperparameters(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected checkHyperparameters(options: Readonly<Record<string, number | boolean>>): void {
    checkOptions(this.type, options, checks);
  }

  protected setHyperparameters(options: Readonly<Record<string, number | boolean>>): void {
    this.checkHyperparameters(options);
    this.beta1 = (options.beta1 as number | undefined) ?? this.beta1;
    this.beta2 = (options.beta2 as number | undefined) ?? this.beta2;
    this.eps = (options.eps as number | undefined) ?? this.eps;
    this.weightDecay = (options.weightDecay as number | undefined) ?? this.weightDecay;
  }

  protected update(name: string, param: Tensor, grad: Tensor): void {
    const m = this.slot(name, "m", param).buffer;
    const v = this.slot(name, "v", param).buffer;
    param.backend.adamStep(param.storage, grad.storage, m.storage, v.storage, {
      lr: this.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      decoupled: this.decoupled,
      biasCorrection1: 1 - this.beta1 ** this.stepCount,
      biasCorrection2: 1 - this.beta2 ** this.stepCount,
    });
  }
}

export class AdamW extends Adam {
  override readonly type: string = "adamw";
  protected override readonly decoupled: boolean = true;

  constructor(options: AdamOptions) {
    super({ weightDecay: 0.01, ...options });
  }
}
