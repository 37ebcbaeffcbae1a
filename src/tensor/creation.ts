// Creation functions. Every tensor is float32; random ones draw from a seeded Generator on the
// host and upload, so the same seed gives the same values on every backend.

import type { Backend } from "../kernels/backend.js";
import { checkShape, type Shape, shapeToString, sizeOf } from "../kernels/shape.js";
import { findBackend, getBackend, unregisteredBackend } from "./engine.js";
import { Generator, globalGenerator } from "./random.js";
import { type NestedArray, Tensor } from "./tensor.js";

export interface CreateOptions {
  requiresGrad?: boolean;
  /** A backend name ("cpu", "webgpu"); the current backend by default. */
  backend?: string;
}

export interface RandomOptions extends CreateOptions {
  seed?: number | string;
  generator?: Generator;
}

function backendFor(options: CreateOptions | undefined): Backend {
  if (!options?.backend) return getBackend();
  const b = findBackend(options.backend);
  if (!b) throw new Error(unregisteredBackend(options.backend));
  return b;
}

function make(values: Float32Array, shape: Shape, options?: CreateOptions): Tensor {
  const backend = backendFor(options);
  return Tensor.fromStorage(backend, backend.upload(values), shape, options?.requiresGrad ?? false);
}

/** The shape of a nested array, checking that it is rectangular and holds only numbers. */
function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as NestedArray;
  }
  const check = (node: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== "number") throw new Error(`tensor: data${path} is ${JSON.stringify(node)}; expected a number (nested arrays must be rectangular)`);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new Error(`tensor: data${path} has ${Array.isArray(node) ? `length ${node.length}` : "a number"} where length ${shape[depth]} was expected; nested arrays must be rectangular`);
    }
    node.forEach((child, i) => check(child, depth + 1, `${path}[${i}]`));
  };
  check(data, 0, "");
  return shape;
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), a number (rank 0), or flat values
 * with a shape (`tensor(new Float32Array(6), [2, 3])`).
 */
export function tensor(data: NestedArray | Float32Array | ArrayLike<number>, shape?: Shape, options?: CreateOptions): Tensor {
  if (data === null || (typeof data !== "number" && typeof data !== "object")) {
    throw new Error(`tensor: data must be a number, a (nested) array of numbers or a typed array, got ${data === null ? "null" : typeof data}`);
  }
  if (typeof data === "number" || Array.isArray(data)) {
    // Nested (or flat) plain arrays are checked for shape and content even when a shape is
    // given, so that a wrong shape is an error and never a tensor of NaNs.
    const inferred = inferShape(data as NestedArray);
    const s = shape === undefined ? inferred : checkShape("tensor", shape);
    if (sizeOf(s) !== sizeOf(inferred)) {
      throw new Error(`tensor: data of shape ${shapeToString(inferred)} does not fit shape ${shapeToString(s)}`);
    }
    const flat = typeof data === "number" ? [data] : (data as NestedArray[]).flat(Infinity as 1) as number[];
    return make(Float32Array.from(flat), s, options);
  }
  const values = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  const s = checkShape("tensor", shape ?? [values.length]);
  if (sizeOf(s) !== values.length) {
    throw new Error(`tensor: ${values.length} values do not fill shape ${shapeToString(s)} (${sizeOf(s)} elements)`);
  }
  return make(values, s, options);
}

/** A tensor of `shape` filled with `value`; `op` names the caller in errors. */
function filled(op: string, shape: Shape, value: number, options?: CreateOptions): Tensor {
  const s = checkShape(op, shape);
  const backend = backendFor(options);
  const storage = backend.alloc(sizeOf(s));
  if (value !== 0) backend.fill(storage, value);
  return Tensor.fromStorage(backend, storage, s, options?.requiresGrad ?? false);
}

export function full(shape: Shape, value: number, options?: CreateOptions): Tensor {
  return filled("full", shape, value, options);
}

export function zeros(shape: Shape, options?: CreateOptions): Tensor {
  return filled("zeros", shape, 0, options);
}

export function ones(shape: Shape, options?: CreateOptions): Tensor {
  return filled("ones", shape, 1, options);
}

/** start, start + step, ... up to but excluding stop (NumPy's arange). `arange(n)` is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, options?: CreateOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a finite non-zero number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new Error(`arange: start and stop must be finite numbers, got ${start} and ${stop}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return make(values, [n], options);
}

/** The n×m identity (m = n by default). */
export function eye(n: number, m = n, options?: CreateOptions): Tensor {
  const s = checkShape("eye", [n, m]);
  const values = new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return make(values, s, options);
}

function generatorFor(options: RandomOptions | undefined): Generator {
  if (options?.generator && options.seed !== undefined) throw new Error("give either seed or generator, not both");
  if (options?.generator) return options.generator;
  return options?.seed !== undefined ? new Generator(options.seed) : globalGenerator();
}

/** Uniform values in [low, high). */
export function rand(shape: Shape, options?: RandomOptions & { low?: number; high?: number }): Tensor {
  const s = checkShape("rand", shape);
  const g = generatorFor(options);
  const low = options?.low ?? 0;
  const high = options?.high ?? 1;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) throw new Error(`rand: low and high must be finite with low <= high, got ${low} and ${high}`);
  const values = new Float32Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = g.uniform(low, high);
  return make(values, s, options);
}

/** Normal values (mean 0, std 1 unless given). */
export function randn(shape: Shape, options?: RandomOptions & { mean?: number; std?: number }): Tensor {
  const s = checkShape("randn", shape);
  const g = generatorFor(options);
  const mean = options?.mean ?? 0;
  const std = options?.std ?? 1;
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new Error(`randn: mean must be finite and std finite and >= 0, got ${mean} and ${std}`);
  const values = new Float32Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = g.normal(mean, std);
  return make(values, s, options);
}
