// The nn layer's public pieces; src/index.ts re-exports them.

export * as nn from "./nn.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export { activations, ActivationRegistry, type ActivationDefinition, type ComposedActivationDefinition, type FusedActivationDefinition } from "./activations.js";
export { losses, type LossFn, type LossOptions } from "./losses.js";
