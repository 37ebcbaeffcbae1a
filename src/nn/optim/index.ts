// The optimizers registry and the optim namespace.

import { Registry } from "../registry.js";
import { Adam, type AdamOptions, AdamW } from "./adam.js";
import type { Optimizer, ParamSource } from "./optimizer.js";
import { SGD, type SgdOptions } from "./sgd.js";

export { Adam, AdamW, SGD };
export type { AdamOptions, SgdOptions };
export { Optimizer, type OptimizerState, type ParamSource } from "./optimizer.js";

/** The options of any registered optimizer: its params plus hyperparameters from a config. */
export type OptimizerOptions = { readonly params: ParamSource } & Readonly<Record<string, unknown>>;

export const optimizers = new Registry<Optimizer, OptimizerOptions>("optimizer");
optimizers.register("sgd", (options) => new SGD(options as unknown as SgdOptions));
optimizers.register("adam", (options) => new Adam(options as unknown as AdamOptions));
optimizers.register("adamw", (options) => new AdamW(options as unknown as AdamOptions));
