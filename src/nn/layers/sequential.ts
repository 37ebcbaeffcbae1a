// Sequential: layers applied in order. A Linear directly followed by an op-table activation runs
// as one fused `linear` call (matmul + bias + activation in one kernel, DESIGN principle 4).

import type { Tensor } from "../../tensor/index.js";
import { Module } from "../module.js";
import { OpActivation } from "./activation.js";
import { Linear } from "./linear.js";

export interface ModelSpec {
  /** The number of input features. */
  readonly input: number;
  readonly layers: readonly object[];
}

export class Sequential extends Module {
  readonly layers: readonly Module[];
  /** The number of input features, when known (needed by toSpec). */
  readonly inFeatures: number | undefined;

  constructor(layers: readonly Module[], options: { input?: number } = {}) {
    super();
    if (layers.length === 0) throw new Error("Sequential needs at least one layer");
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
    this.layers = [...layers];
    // The layers before the first that fixes its input size take any size and keep it.
    this.inFeatures = options.input ?? layers.map((l) => l.inputSize()).find((n) => n !== undefined);
    if (this.inFeatures !== undefined) this.outputSize(this.inFeatures); // checks that the sizes chain
  }

  override inputSize(): number | undefined {
    return this.inFeatures;
  }

  override outputSize(inFeatures: number): number {
    return this.layers.reduce((n, layer) => layer.outputSize(n), inFeatures);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      const next = this.layers[i + 1];
      if (layer instanceof Linear && next instanceof OpActivation) {
        y = layer.forward(y, { op: next.name, params: next.params });
        i++;
      } else {
        y = layer.forward(y);
      }
    }
    return y;
  }

  /** The model as a spec (see nn.fromSpec); every layer must come from the layers registry. */
  override toSpec(): ModelSpec {
    if (this.inFeatures === undefined) throw new Error("toSpec: this Sequential does not know its input size; construct it with { input }");
    const nested = this.layers.findIndex((layer) => layer instanceof Sequential);
    if (nested >= 0) throw new Error(`toSpec: layer ${nested} is a Sequential, which a spec cannot hold; put its layers in this one instead`);
    return { input: this.inFeatures, layers: this.layers.map((layer) => layer.toSpec()) };
  }
}
