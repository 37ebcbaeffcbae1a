// Models from plain JSON: `fromSpec({ input, layers: [...] })` builds a Sequential through the
// layers registry, and `model.toSpec()` gives the JSON back. A fault anywhere in the spec is an
// error naming its JSON path.

import { Generator } from "../tensor/index.js";
import { layers } from "./layers/registry.js";
import { type ModelSpec, Sequential } from "./layers/sequential.js";
import type { Module } from "./module.js";
import { checkFields, isSpecObject, positiveInteger } from "./spec-fields.js";

export type { ModelSpec };

export interface FromSpecOptions {
  /** The seed of the weight initialisation and dropout masks (default 0); or pass a generator. */
  readonly seed?: number | string;
  readonly generator?: Generator;
}

const show = (v: unknown) => (Array.isArray(v) ? "an array" : v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : typeof v);

export function fromSpec(spec: unknown, options: FromSpecOptions = {}): Sequential {
  if (!isSpecObject(spec)) throw new Error(`spec must be an object { input, layers }, got ${show(spec)}`);
  checkFields(spec, "spec", "a model spec", ["input", "layers"]);
  const input = positiveInteger(spec, "input", "spec", "a model spec");
  const entries = spec.layers;
  if (!Array.isArray(entries)) throw new Error(`spec.layers must be an array of layer objects, got ${entries === undefined ? "nothing" : show(entries)}`);
  if (entries.length === 0) throw new Error("spec.layers must hold at least one layer");
  const root = options.generator ?? new Generator(options.seed ?? 0);
  const modules: Module[] = [];
  let features = input;
  entries.forEach((entry: unknown, i) => {
    const path = `spec.layers[${i}]`;
    if (!isSpecObject(entry)) throw new Error(`${path} must be an object with a "type", got ${show(entry)}`);
    const type = entry.type;
    if (typeof type !== "string") throw new Error(`${path}.type must be a string naming a layer (one of: ${layers.keys().join(", ")}), got ${type === undefined ? "nothing" : show(type)}`);
    if (!layers.has(type)) throw new Error(`${path}.type: ${layers.unknownKeyError(type).message}`);
    const next = entries[i + 1];
    const module = layers.create(type, {
      spec: entry,
      path,
      inFeatures: features,
      generator: root.fork("layer", i),
      ...(isSpecObject(next) ? { next } : {}),
    });
    try {
      features = module.outputSize(features);
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
    }
    modules.push(module);
  });
  return new Sequential(modules, { input });
}
