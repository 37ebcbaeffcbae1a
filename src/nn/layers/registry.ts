// The layers registry: how each `type` of a spec's layer entry becomes a module. A factory gets
// the entry, its JSON path (for errors), the number of input features, its own seeded generator,
// and the next entry (a Linear takes its initialisation from the activation that follows).

import type { Generator } from "../../tensor/index.js";
import { activations } from "../activations.js";
import { initializers } from "../initializers.js";
import type { Module } from "../module.js";
import { Registry } from "../registry.js";
import { checkFields, numberArray, numberField, numberRecord, optionalBoolean, positiveInteger, registryKey, type SpecObject } from "../spec-fields.js";
import { Dropout } from "./dropout.js";
import { LayerNorm } from "./layer-norm.js";
import { Linear } from "./linear.js";
import { Standardize } from "./standardize.js";

export interface LayerBuildOptions {
  /** The layer's spec entry. */
  readonly spec: SpecObject;
  /** Its JSON path, for error messages ("spec.layers[2]"). */
  readonly path: string;
  readonly inFeatures: number;
  readonly generator: Generator;
  /** The entry of the layer after this one, if any. */
  readonly next?: SpecObject;
}

export const layers = new Registry<Module, LayerBuildOptions>("layer");

layers.register("linear", ({ spec, path, inFeatures, generator, next }) => {
  checkFields(spec, path, "a linear layer", ["type", "units", "bias", "init"]);
  const units = positiveInteger(spec, "units", path, "a linear layer");
  const bias = optionalBoolean(spec, "bias", path);
  const init = registryKey(spec, "init", path, initializers, false);
  // The following activation's hint, when it names a known one (the entry itself is checked in turn).
  const following = next?.type === "activation" && typeof next.name === "string" && activations.has(next.name) ? next.name : undefined;
  return new Linear(inFeatures, units, {
    generator,
    ...(bias !== undefined ? { bias } : {}),
    ...(init !== undefined ? { init } : {}),
    ...(following !== undefined ? { activationInit: activations.create(following).init } : {}),
  });
});

layers.register("activation", ({ spec, path }) => {
  checkFields(spec, path, "an activation layer", ["type", "name", "options"]);
  const name = registryKey(spec, "name", path, activations, true)!;
  const options = numberRecord(spec, "options", path);
  try {
    return activations.create(name, options);
  } catch (e) {
    throw new Error(`${path}.options: ${(e as Error).message}`, { cause: e });
  }
});

layers.register("dropout", ({ spec, path, generator }) => {
  checkFields(spec, path, "a dropout layer", ["type", "rate"]);
  const rate = numberField(spec, "rate", path, "a number in [0, 1)", (v) => v >= 0 && v < 1, true)!;
  return new Dropout(rate, generator);
});

layers.register("layerNorm", ({ spec, path, inFeatures }) => {
  checkFields(spec, path, "a layerNorm layer", ["type", "eps", "affine"]);
  const eps = numberField(spec, "eps", path, "a number > 0", (v) => v > 0, false);
  const affine = optionalBoolean(spec, "affine", path);
  return new LayerNorm(inFeatures, { ...(eps !== undefined ? { eps } : {}), ...(affine !== undefined ? { affine } : {}) });
});

layers.register("standardize", ({ spec, path, inFeatures }) => {
  checkFields(spec, path, "a standardize layer", ["type", "shift", "scale"]);
  return new Standardize(numberArray(spec, "shift", path, inFeatures), numberArray(spec, "scale", path, inFeatures));
});
