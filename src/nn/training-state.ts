// A model's and its optimizer's whole state as plain JSON: what a trainable hands to
// `ctx.checkpoint` so that a trial Hyperband pauses, or a killed run, goes on where it stopped
// instead of retraining from scratch. Float32 values travel as base64 of their little-endian
// bytes: exact, a third of the size of JSON numbers, and readable in Node and in browsers alike
// (btoa/atob, no Buffer).

import type { Tensor } from "../tensor/index.js";
import type { Module, ModuleCounters } from "./module.js";
import type { Optimizer, OptimizerState } from "./optim/optimizer.js";
import type { NamedArray } from "./safetensors.js";
import { readState } from "./weights.js";

// Type aliases rather than interfaces, so that a TrainingState is assignable to tune's JsonValue
// (what ctx.checkpoint takes) without a cast.

/** One tensor's values: its shape and the base64 of its float32 bytes. */
export type EncodedTensor = { shape: number[]; base64: string };

/** The optimizer's part of a TrainingState. */
export type EncodedOptimizerState = { type: string; step: number; options: { [key: string]: number | boolean }; slots: { [name: string]: EncodedTensor } };

/**
 * What `trainingState` returns: plain JSON, safe to journal and to send between threads. `counters`
 * (Dropout's masks drawn, by module path) is absent from states saved before it existed.
 */
export type TrainingState = {
  model: { [name: string]: EncodedTensor };
  optimizer: EncodedOptimizerState | null;
  counters?: { [path: string]: ModuleCounters };
};

const CHUNK = 0x8000;

function toBase64(bytes: Uint8Array): string {
  // String.fromCharCode takes arguments, so the bytes go in chunks that fit on the stack.
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

function fromBase64(text: string, where: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(`loadTrainingState: ${where} is not valid base64`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Float32Array views use the platform's byte order; every platform JavaScript runs on is
// little-endian, which is also the order safetensors files use.
function encode({ shape, data }: NamedArray): EncodedTensor {
  return { shape: [...shape], base64: toBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
}

function decode(encoded: EncodedTensor, where: string): NamedArray {
  if (!encoded || !Array.isArray(encoded.shape) || !encoded.shape.every((d) => Number.isInteger(d) && d >= 0) || typeof encoded.base64 !== "string") {
    throw new Error(`loadTrainingState: ${where} must be { shape: non-negative integers, base64: string }, got ${JSON.stringify(encoded)?.slice(0, 80)}`);
  }
  const bytes = fromBase64(encoded.base64, where);
  const size = encoded.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== size * 4) {
    throw new Error(`loadTrainingState: ${where} holds ${bytes.length} bytes, but shape [${encoded.shape.join(", ")}] needs ${size * 4}`);
  }
  // fromBase64 returns a buffer of its own, starting at offset 0: viewed as floats, not copied.
  return { shape: encoded.shape, data: new Float32Array(bytes.buffer) };
}

/** Every tensor's values, read back together (one wait for the device, not one per tensor). */
async function encodeAll(tensors: Readonly<Record<string, Tensor>>): Promise<Record<string, EncodedTensor>> {
  const values = await readState(tensors);
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, encode(v)]));
}

/**
 * The model's parameters and counters and, if given, the optimizer's step, hyperparameters and
 * slots, as JSON.
 */
export async function trainingState(model: Module, optimizer?: Optimizer): Promise<TrainingState> {
  const state: TrainingState = { model: await encodeAll(model.stateDict()), optimizer: null, counters: model.namedCounters() };
  if (optimizer) {
    const o = optimizer.stateDict();
    state.optimizer = { type: o.type, step: o.step, options: { ...o.options }, slots: await encodeAll(o.slots as Record<string, Tensor>) };
  }
  return state;
}

/**
 * Loads a `trainingState` into a model built from the same spec and seed (dropout's masks come
 * from the seed) and into its optimizer: values are copied into the existing parameters. It
 * takes what `ctx.restore()` gives back (any JSON) and checks all of it, model, optimizer and
 * counters, before it changes anything.
 */
export function loadTrainingState(saved: unknown, model: Module, optimizer?: Optimizer): void {
  const state = saved as TrainingState;
  if (!state || typeof state !== "object" || !state.model || typeof state.model !== "object") {
    throw new Error(`loadTrainingState: expected what trainingState() returned ({ model, optimizer }), got ${JSON.stringify(saved)?.slice(0, 80)}`);
  }
  if (optimizer && !state.optimizer) throw new Error("loadTrainingState: an optimizer was given but the state holds none; save it with trainingState(model, optimizer)");
  const decodeAll = (encoded: Record<string, EncodedTensor>, where: string) => {
    if (!encoded || typeof encoded !== "object") {
      throw new Error(`loadTrainingState: ${where} must be an object of { shape, base64 } by name, got ${JSON.stringify(encoded)?.slice(0, 80)}`);
    }
    return Object.fromEntries(Object.entries(encoded).map(([name, e]) => [name, decode(e, `${where}["${name}"]`)]));
  };
  const parameters = decodeAll(state.model, "model");
  const optimizerState = optimizer && state.optimizer ? ({ ...state.optimizer, slots: decodeAll(state.optimizer.slots, "optimizer.slots") } satisfies OptimizerState) : undefined;
  model.checkStateDict(parameters);
  if (optimizer && optimizerState) optimizer.checkStateDict(optimizerState);
  if (state.counters !== undefined) model.checkCounters(state.counters);
  model.loadStateDict(parameters);
  if (optimizer && optimizerState) optimizer.loadStateDict(optimizerState);
  if (state.counters !== undefined) model.loadCounters(state.counters);
}
