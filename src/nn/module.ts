// Module: the base of every layer. A module owns named parameters and named child modules;
// parameter names are dotted paths through the children ("0.weight"), the keys of stateDict()
// and of a safetensors file.

import { keep, type Tensor } from "../tensor/index.js";
import { assignValues, type TensorValues, valuesMismatch } from "./assign.js";

export abstract class Module {
  /** True in training mode (dropout active); switched by train() and eval() for the whole tree. */
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** The number of features this layer outputs for `inFeatures` inputs (most layers keep it). */
  outputSize(inFeatures: number): number {
    return inFeatures;
  }

  /**
   * This layer's entry in a model spec, `{ type, ...fields }` with `type` its key in the layers
   * registry; modules that cannot be described by one throw.
   */
  toSpec(): object {
    throw new Error(`${this.constructor.name} has no spec form; only layers from the layers registry can be written to a spec`);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    this.#checkName(name);
    if (!t.requiresGrad) throw new Error(`parameter "${name}" must be created with { requiresGrad: true }`);
    // Parameters live as long as the module, not as long as a tidy() the module was built in.
    this.#parameters.set(name, keep(t));
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#checkName(name);
    this.#children.set(name, m);
    return m;
  }

  #checkName(name: string): void {
    if (name.length === 0 || name.includes(".")) throw new Error(`a parameter or child name must be non-empty and contain no ".", got "${name}"`);
    if (this.#parameters.has(name) || this.#children.has(name)) throw new Error(`${this.constructor.name} already has a parameter or child named "${name}"`);
  }

  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    return [...this.#children];
  }

  children(): Module[] {
    return [...this.#children.values()];
  }

  /** Every parameter of this module and its descendants, with its dotted name, in a stable order. */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.#parameters) out.push([prefix + name, t]);
    for (const [name, child] of this.#children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  train(mode = true): this {
    this.training = mode;
    for (const child of this.#children.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /**
   * Frees every parameter and gradient (device memory on WebGPU); the module is unusable
   * afterwards. A trial that builds a model per config calls this when it ends.
   */
  dispose(): void {
    for (const p of this.parameters()) {
      p.zeroGrad();
      p.dispose();
    }
  }

  /** The parameters by dotted name. The tensors are the live parameters, not copies. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies values into the parameters, in place (optimizers keep their references). Every key
   * and shape is checked before anything is written, so a mismatch leaves the model untouched.
   */
  loadStateDict(state: Readonly<Record<string, TensorValues>>): void {
    const own = this.namedParameters();
    const names = new Set(own.map(([n]) => n));
    const missing = own.filter(([n]) => !(n in state)).map(([n]) => n);
    const unexpected = Object.keys(state).filter((n) => !names.has(n));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new Error(
        `loadStateDict: the state does not match the model` +
          (missing.length > 0 ? `; missing keys: ${missing.join(", ")}` : "") +
          (unexpected.length > 0 ? `; unexpected keys: ${unexpected.join(", ")}` : "") +
          `; the model's keys are: ${[...names].join(", ")}`,
      );
    }
    for (const [name, p] of own) {
      const wrong = valuesMismatch(state[name]!, p.shape, "the model's");
      if (wrong) throw new Error(`loadStateDict: "${name}" ${wrong}`);
    }
    for (const [name, p] of own) assignValues(p, state[name]!);
  }
}
