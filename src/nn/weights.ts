// Model weights as safetensors bytes, with the model's spec in __metadata__ so a file alone
// rebuilds the model. Browser-safe (no fs): see weights-node.ts for files on disk.

import type { Tensor } from "../tensor/index.js";
import type { Module } from "./module.js";
import { decodeSafetensors, encodeSafetensors, type NamedArray } from "./safetensors.js";
import { fromSpec } from "./spec.js";
import type { Sequential } from "./layers/sequential.js";

/** The metadata key holding the model spec as JSON. */
export const SPEC_KEY = "spec";

/** Copies of the tensors' values, read back from the device (for saving, or a checkpoint). */
export async function readState(state: Readonly<Record<string, Tensor>>): Promise<Record<string, NamedArray>> {
  const entries = await Promise.all(Object.entries(state).map(async ([name, t]) => [name, { shape: [...t.shape], data: await t.data() }] as const));
  return Object.fromEntries(entries);
}

/** The model's spec and parameters as safetensors bytes. */
export async function toBytes(model: Module): Promise<Uint8Array> {
  const spec = JSON.stringify(model.toSpec());
  const state = await readState(model.stateDict());
  return encodeSafetensors(new Map(Object.entries(state)), { [SPEC_KEY]: spec });
}

/**
 * The model saved by toBytes (or nn.save). The file is fully checked and decoded before the
 * model is built, so a truncated or corrupt file is an error, never a half-loaded model.
 */
export function fromBytes(bytes: ArrayBuffer | Uint8Array): Sequential {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const specText = metadata[SPEC_KEY];
  if (specText === undefined) {
    throw new Error(
      `this safetensors file has no model spec in __metadata__.${SPEC_KEY}, so the model cannot be rebuilt from it; ` +
        `build the model yourself and load the weights with model.loadStateDict(Object.fromEntries(nn.decodeSafetensors(bytes).tensors))`,
    );
  }
  let spec: unknown;
  try {
    spec = JSON.parse(specText);
  } catch (e) {
    throw new Error(`__metadata__.${SPEC_KEY} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const model = fromSpec(spec);
  model.loadStateDict(Object.fromEntries(tensors));
  return model;
}
