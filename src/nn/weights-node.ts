// Saving and loading model files on disk (Node). The bytes are those of weights.ts.

import type { Sequential } from "./layers/sequential.js";
import type { Module } from "./module.js";
import { readFileBytes, writeFileBytes } from "./node-files.js";
import { fromBytes, toBytes } from "./weights.js";

/** Writes the model (spec and weights) to a .safetensors file. */
export async function save(model: Module, path: string): Promise<void> {
  await writeFileBytes(path, await toBytes(model), "use nn.toBytes(model) and store the bytes yourself");
}

/** Reads a model written by save(). */
export async function load(path: string): Promise<Sequential> {
  const bytes = await readFileBytes(path, "fetch the file and call nn.fromBytes(bytes)");
  try {
    return fromBytes(bytes);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
