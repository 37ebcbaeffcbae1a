// Activation modules. An OpActivation applies an op of the op table (built in or a fused custom
// one) and can be fused into a preceding Linear's kernel; a ComposedActivation applies a
// function of tensor ops, differentiated by autograd.

import { resolveParams, unaryOp } from "../../kernels/ops.js";
import type { Tensor } from "../../tensor/index.js";
import { Module } from "../module.js";

export type InitHint = "kaiming" | "xavier";

export abstract class Activation extends Module {
  /** The activation's key in the activations registry. */
  abstract readonly name: string;
  /** The weight initialisation that suits a Linear layer feeding this activation. */
  abstract readonly init: InitHint;
  /** The options it was created with, as they appear in a spec (defaults left out). */
  abstract readonly options: Readonly<Record<string, number>>;

  override toSpec(): { type: "activation"; name: string; options?: Record<string, number> } {
    return Object.keys(this.options).length > 0
      ? { type: "activation", name: this.name, options: { ...this.options } }
      : { type: "activation", name: this.name };
  }
}

/**
 * The op's parameters from named options ({ slope: 0.2 } for leakyRelu), with an error naming
 * the option when it is unknown or not a number.
 */
export function opParams(opName: string, options: Readonly<Record<string, unknown>>): number[] {
  const op = unaryOp(opName);
  const declared = op.params ?? [];
  for (const [key, value] of Object.entries(options)) {
    const param = declared.find((p) => p.name === key);
    if (!param) {
      throw new Error(
        `activation "${opName}" has no option "${key}"; ` +
          (declared.length > 0 ? `its options are: ${declared.map((p) => `${p.name} (default ${p.default})`).join(", ")}` : "it takes no options"),
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error(`activation "${opName}": option ${key} must be a finite number, got ${JSON.stringify(value)}`);
    }
  }
  return resolveParams(op, declared.map((p) => (options[p.name] as number | undefined) ?? p.default));
}

/** An op of the op table as a module; Sequential fuses it into a preceding Linear. */
export class OpActivation extends Activation {
  readonly init: InitHint;
  /** The op's resolved parameters, in the order the op table declares them. */
  readonly params: readonly number[];

  constructor(
    readonly name: string,
    readonly options: Readonly<Record<string, number>> = {},
  ) {
    super();
    const op = unaryOp(name);
    if (!op.activation) throw new Error(`op "${name}" is not an activation (it is not marked activation: true in the op table)`);
    this.params = opParams(name, options);
    this.init = op.init ?? "kaiming";
  }

  forward(x: Tensor): Tensor {
    return x.unary(this.name, ...this.params);
  }
}

/** An activation written as a function of tensor ops; autograd differentiates it. */
export class ComposedActivation extends Activation {
  readonly options = {};

  constructor(
    readonly name: string,
    private readonly fn: (x: Tensor) => Tensor,
    readonly init: InitHint,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}
