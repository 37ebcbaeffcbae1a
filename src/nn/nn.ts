// The `nn` namespace: modules, specs, registries of layers and initialisers, weights I/O, metrics.

export { Module } from "./module.js";
export { Linear, type LinearOptions, type FusedActivation } from "./layers/linear.js";
export { Sequential, type ModelSpec } from "./layers/sequential.js";
export { Dropout } from "./layers/dropout.js";
export { LayerNorm, type LayerNormOptions } from "./layers/layer-norm.js";
export { Standardize } from "./layers/standardize.js";
export { Activation, OpActivation, ComposedActivation, type InitHint } from "./layers/activation.js";
export { layers, type LayerBuildOptions } from "./layers/registry.js";
export { initializers, type InitializerOptions } from "./initializers.js";
export { fromSpec, type FromSpecOptions } from "./spec.js";
export { Registry, type Factory, type RegisterOptions } from "./registry.js";
export { toBytes, fromBytes, readState } from "./weights.js";
export { save, load } from "./weights-node.js";
export { encodeSafetensors, decodeSafetensors, type NamedArray, type SafetensorsContents } from "./safetensors.js";
export { accuracy, correctCount, evaluateAccuracy } from "./metrics.js";
export { trainEpoch, evaluate } from "./training-loop.js";
export { trainingState, loadTrainingState, type TrainingState, type EncodedTensor } from "./training-state.js";
export type { TensorValues } from "./assign.js";
