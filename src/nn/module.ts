// Module: the base of every layer. A module owns named parameters and named child modules;
// parameter names are dotted paths through the children ("0.weight"), the keys of stateDict()
// and of a safetensors file.

import { keep, type Tensor } from "../tensor/index.js";
import { assignValues, type TensorValues, valuesMismatch } from "./assign.js";

/** Counts a module keeps besides its parameters, which a resumed run needs (Dropout: masks drawn). */
export type ModuleCounters = { [name: string]: number };

export abstract class Module {
  /** True in training mode (dropout active); switched by train() and eval() for the whole tree. */
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /**
   * The number of input features this layer needs, for layers that fix one (Linear, LayerNorm,
   * Standardize, a Sequential that knows its own); undefined for layers that take any.
   */
  inputSize(): number | undefined {
    return undefined;
  }

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

  /** This module's counters, for the modules that keep some (Dropout); most keep none. */
  protected counters?(): ModuleCounters;
  /** Sets what counters() gave, already checked: the same names, as non-negative integers. */
  protected setCounters?(counters: ModuleCounters): void;

  /** This module and its descendants by dotted path ("" for this one). */
  #withPaths(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) out.push(...child.#withPaths(prefix === "" ? name : `${prefix}.${name}`));
    return out;
  }

  /** The counters of this module and its descendants, by dotted module path ("" for this one). */
  namedCounters(): Record<string, ModuleCounters> {
    const out: Record<string, ModuleCounters> = {};
    for (const [path, m] of this.#withPaths()) {
      const counters = m.counters?.();
      if (counters) out[path] = { ...counters };
    }
    return out;
  }

  /** Throws what loadCounters(saved) would throw, changing nothing. */
  checkCounters(saved: Readonly<Record<string, ModuleCounters>>): void {
    const own = new Map(this.#withPaths().filter(([, m]) => m.counters !== undefined));
    const expected = `counters for the modules at ${[...own.keys()].map((path) => JSON.stringify(path)).join(", ") || "no path"}`;
    if (saved === null || typeof saved !== "object") throw new Error(`loadCounters: expected ${expected}, got ${JSON.stringify(saved)}`);
    for (const path of Object.keys(saved)) {
      if (!own.has(path)) throw new Error(`loadCounters: no module at "${path}" keeps counters; expected ${expected}`);
    }
    for (const [path, m] of own) {
      const names = Object.keys(m.counters!()).sort();
      const given = saved[path];
      const matches = given !== undefined && Object.keys(given).sort().join() === names.join() && Object.values(given).every((v) => Number.isInteger(v) && v >= 0);
      if (!matches) throw new Error(`loadCounters: the module at "${path}" needs { ${names.join(", ")} } as non-negative integers, got ${JSON.stringify(given)}`);
    }
  }

  /** Sets what namedCounters() gave; every path, name and value is checked before any is set. */
  loadCounters(saved: Readonly<Record<string, ModuleCounters>>): void {
    this.checkCounters(saved);
    for (const [path, m] of this.#withPaths()) {
      if (m.setCounters && saved[path]) m.setCounters(saved[path]);
    }
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
    for (const p of this.#parameters.values()) p.dispose();
    // Each child frees what it holds, parameters or not (Standardize's constants).
    for (const child of this.#children.values()) child.dispose();
  }

  /** The parameters by dotted name. The tensors are the live parameters, not copies. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /** Throws what loadStateDict(state) would throw, changing nothing. */
  checkStateDict(state: Readonly<Record<string, TensorValues>>): void {
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
  }

  /**
   * Copies values into the parameters, in place (optimizers keep their references). Every key
   * and shape is checked before anything is written, so a mismatch leaves the model untouched.
   */
  loadStateDict(state: Readonly<Record<string, TensorValues>>): void {
    this.checkStateDict(state);
    for (const [name, p] of this.namedParameters()) assignValues(p, state[name]!);
  }
}
