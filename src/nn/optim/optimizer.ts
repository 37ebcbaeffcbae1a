// The optimizer base: holds the parameters by name, runs one in-place backend kernel per
// parameter per step (Backend.adamStep / sgdStep), and keeps its per-parameter buffers
// ("slots") so that stateDict()/loadStateDict() can pause and resume training bit-exactly.

import { keep, Tensor } from "../../tensor/index.js";
import { assignValues, type TensorValues, valuesMismatch } from "../assign.js";
import { Module } from "../module.js";

/** What an optimizer updates: a module's parameters, or tensors (named by position). */
export type ParamSource = Module | Iterable<Tensor>;

export interface OptimizerState {
  /** The optimizer's key in the optimizers registry. */
  readonly type: string;
  /** Steps taken so far. */
  readonly step: number;
  /** The hyperparameters, as plain JSON. */
  readonly options: Readonly<Record<string, number | boolean>>;
  /** Per-parameter buffers, keyed "<parameter name>.<slot>" (live tensors; read them to save). */
  readonly slots: Readonly<Record<string, TensorValues>>;
}

/** Checks an options object against the known keys; each check returns an error text or undefined. */
export function checkOptions(
  kind: string,
  options: Readonly<Record<string, unknown>>,
  checks: Readonly<Record<string, (v: unknown) => string | undefined>>,
): void {
  for (const [key, value] of Object.entries(options)) {
    if (key === "params") continue;
    const check = checks[key];
    if (!check) throw new Error(`optimizer "${kind}" has no option "${key}"; its options are: params, ${Object.keys(checks).join(", ")}`);
    const problem = value === undefined ? undefined : check(value);
    if (problem) throw new Error(`optimizer "${kind}": ${key} ${problem}, got ${JSON.stringify(value)}`);
  }
}

export const nonNegative = (v: unknown) => (typeof v === "number" && v >= 0 && Number.isFinite(v) ? undefined : "must be a finite number >= 0");
export const positive = (v: unknown) => (typeof v === "number" && v > 0 && Number.isFinite(v) ? undefined : "must be a finite number > 0");
export const fraction = (v: unknown) => (typeof v === "number" && v >= 0 && v < 1 ? undefined : "must be a number in [0, 1)");
export const boolean = (v: unknown) => (typeof v === "boolean" ? undefined : "must be true or false");

export abstract class Optimizer {
  /** The optimizer's key in the optimizers registry. */
  abstract readonly type: string;
  /** The learning rate; may be changed between steps (a schedule). */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  readonly namedParams: readonly [string, Tensor][];
  readonly #slots = new Map<string, Tensor>();

  constructor(params: ParamSource, lr: number) {
    if (params === undefined || params === null) throw new Error("an optimizer needs params: a Module or a list of parameter tensors");
    this.namedParams = params instanceof Module ? params.namedParameters() : [...params].map((t, i) => [String(i), t] as [string, Tensor]);
    if (this.namedParams.length === 0) throw new Error("the optimizer was given no parameters");
    const seen = new Map<Tensor, string>();
    for (const [name, t] of this.namedParams) {
      if (!(t instanceof Tensor) || !t.requiresGrad) throw new Error(`parameter "${name}" must be a tensor created with { requiresGrad: true }`);
      // Listed twice, a tensor would be updated twice per step.
      const first = seen.get(t);
      if (first !== undefined) throw new Error(`parameters "${first}" and "${name}" are the same tensor; list each parameter once`);
      seen.set(t, name);
    }
    this.lr = lr;
  }

  /** Frees the per-parameter buffers (momentum, Adam's moments); a later step recreates them. */
  dispose(): void {
    for (const t of this.#slots.values()) t.dispose();
    this.#slots.clear();
  }

  /** The hyperparameters other than lr, as plain JSON. */
  protected abstract hyperparameters(): Record<string, number | boolean>;
  /** Throws what setHyperparameters would throw for `options`, changing nothing. */
  protected abstract checkHyperparameters(options: Readonly<Record<string, number | boolean>>): void;
  /** Sets the hyperparameters given (others keep their values), checked first. */
  protected abstract setHyperparameters(options: Readonly<Record<string, number | boolean>>): void;
  /** Updates one parameter in place from its gradient. */
  protected abstract update(name: string, param: Tensor, grad: Tensor): void;

  /** One update of every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    for (const [name, p] of this.namedParams) {
      if (p.grad) this.update(name, p, p.grad);
    }
  }

  zeroGrad(): void {
    for (const [, p] of this.namedParams) p.zeroGrad();
  }

  /** The buffer `slot` of a parameter, created as zeros on first use (`created` tells which). */
  protected slot(name: string, slot: string, param: Tensor): { buffer: Tensor; created: boolean } {
    const key = `${name}.${slot}`;
    const existing = this.#slots.get(key);
    if (existing) return { buffer: existing, created: false };
    // A slot outlives any tidy() the step runs in.
    const buffer = keep(Tensor.fromStorage(param.backend, param.backend.alloc(param.size), param.shape));
    this.#slots.set(key, buffer);
    return { buffer, created: true };
  }

  stateDict(): OptimizerState {
    return {
      type: this.type,
      step: this.stepCount,
      options: { lr: this.lr, ...this.hyperparameters() },
      slots: Object.fromEntries(this.#slots),
    };
  }

  /** Throws what loadStateDict(state) would throw, changing nothing. */
  checkStateDict(state: OptimizerState): void {
    if (state?.type !== this.type) throw new Error(`loadStateDict: the state is of a "${state?.type}" optimizer, this one is "${this.type}"`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`loadStateDict: step must be a non-negative integer, got ${state.step}`);
    if (!state.slots || typeof state.slots !== "object") throw new Error(`loadStateDict: slots must be an object of tensors by "<parameter>.<slot>", got ${JSON.stringify(state.slots)}`);
    const shapes = new Map(this.namedParams.map(([n, t]) => [n, t.shape]));
    for (const [key, values] of Object.entries(state.slots)) {
      const param = key.slice(0, key.lastIndexOf("."));
      const shape = shapes.get(param);
      if (!shape) throw new Error(`loadStateDict: slot "${key}" belongs to no parameter of this optimizer (its parameters: ${[...shapes.keys()].join(", ")})`);
      const wrong = valuesMismatch(values, shape, "its parameter");
      if (wrong) throw new Error(`loadStateDict: slot "${key}" ${wrong}`);
    }
    const { lr, ...rest } = state.options ?? {};
    if (typeof lr !== "number") throw new Error(`loadStateDict: options.lr must be a number, got ${JSON.stringify(lr)}`);
    this.checkHyperparameters(rest);
  }

  /** Restores a state from stateDict(): step count, hyperparameters and every slot, checked first. */
  loadStateDict(state: OptimizerState): void {
    this.checkStateDict(state);
    const { lr, ...rest } = state.options;
    this.setHyperparameters(rest);
    this.lr = lr as number;
    this.stepCount = state.step;
    this.dispose();
    const params = new Map(this.namedParams);
    for (const [key, values] of Object.entries(state.slots)) {
      const dot = key.lastIndexOf(".");
      const { buffer } = this.slot(key.slice(0, dot), key.slice(dot + 1), params.get(key.slice(0, dot))!);
      assignValues(buffer, values);
    }
  }
}
