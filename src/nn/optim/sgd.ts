// Stochastic gradient descent with optional momentum (PyTorch's form: v = μv + (1 − dampening)g,
// the first step sets v = g), Nesterov momentum, and L2 weight decay.

import type { Tensor } from "../../tensor/index.js";
import { boolean, checkOptions, fraction, nonNegative, Optimizer, type ParamSource, positive } from "./optimizer.js";

export interface SgdOptions {
  readonly params: ParamSource;
  readonly lr: number;
  readonly momentum?: number;
  readonly dampening?: number;
  readonly weightDecay?: number;
  readonly nesterov?: boolean;
}

const checks = { lr: positive, momentum: fraction, dampening: fraction, weightDecay: nonNegative, nesterov: boolean };

export class SGD extends Optimizer {
  readonly type = "sgd";
  momentum = 0;
  dampening = 0;
  weightDecay = 0;
  nesterov = false;

  constructor(options: SgdOptions) {
    if (options?.lr === undefined) throw new Error(`optimizer "sgd" needs lr (a learning rate > 0)`);
    checkOptions("sgd", options as unknown as Record<string, unknown>, checks);
    super(options.params, options.lr);
    this.setHyperparameters(options as unknown as Record<string, number | boolean>);
  }

  protected hyperparameters(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected checkHyperparameters(options: Readonly<Record<string, number | boolean>>): void {
    checkOptions("sgd", options, checks);
    const { momentum, dampening, nesterov } = { ...this.hyperparameters(), ...options };
    if (nesterov && (momentum === 0 || dampening !== 0)) {
      throw new Error(`optimizer "sgd": nesterov needs momentum > 0 and dampening 0 (got momentum ${momentum}, dampening ${dampening})`);
    }
  }

  protected setHyperparameters(options: Readonly<Record<string, number | boolean>>): void {
    this.checkHyperparameters(options);
    this.momentum = (options.momentum as number | undefined) ?? this.momentum;
    this.dampening = (options.dampening as number | undefined) ?? this.dampening;
    this.weightDecay = (options.weightDecay as number | undefined) ?? this.weightDecay;
    this.nesterov = (options.nesterov as boolean | undefined) ?? this.nesterov;
  }

  protected update(name: string, param: Tensor, grad: Tensor): void {
    const velocity = this.momentum > 0 ? this.slot(name, "velocity", param) : null;
    param.backend.sgdStep(param.storage, grad.storage, velocity?.buffer.storage ?? null, {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: this.weightDecay,
      nesterov: this.nesterov,
      firstStep: velocity?.created ?? false,
    });
  }
}
