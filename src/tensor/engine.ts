// The engine's global state: the current backend, whether gradients are recorded, the stack of
// tidy scopes, and the live-tensor accounting behind `memory()`.

import type { Backend, Storage } from "../kernels/backend.js";
import { CpuBackend } from "../kernels/cpu/backend.js";

/** A device buffer shared by a tensor and its reshaped views; freed when the last one lets go. */
export class StorageRef {
  private refs = 1;
  /** What only this buffer's users need (saved for backward, scalar operands), released with it. */
  private attached: { release(): void }[] | null = null;
  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
  ) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs !== 0) return;
    this.backend.free(this.storage);
    this.attached?.forEach((a) => a.release());
  }

  /** Releases `other` when this buffer is freed. */
  attach(other: { release(): void }): void {
    (this.attached ??= []).push(other);
  }

  get released(): boolean {
    return this.refs <= 0;
  }
}

/** Anything a tidy scope can dispose. */
export interface Disposable {
  dispose(): void;
  readonly disposed: boolean;
}

const cpu = new CpuBackend();
const backends = new Map<string, Backend>([["cpu", cpu]]);
let current: Backend = cpu;

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Makes a registered backend ("cpu", "webgpu") the one new tensors are created on. */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(unregisteredBackend(name));
  current = b;
}

/** What to do about a backend name that is not registered: init() it, or pick a real one. */
export function unregisteredBackend(name: string): string {
  const registered = [...backends.keys()].join(", ");
  if (name !== "webgpu") return `there is no backend named "${name}"; the backends are cpu and webgpu (registered now: ${registered})`;
  return `no backend named "${name}" is registered (registered: ${registered}); call await init({ backend: "${name}" }) first`;
}

export function getBackend(): Backend {
  return current;
}

export function findBackend(name: string): Backend | undefined {
  return backends.get(name);
}

export function listBackends(): Backend[] {
  return [...backends.values()];
}

// --- gradient recording -------------------------------------------------------------------------

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with the tape switched off: no op inside records how to differentiate it. */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

// --- scopes and accounting ----------------------------------------------------------------------

const scopes: Set<Disposable>[] = [];
let liveTensors = 0;
/** While a tidy() disposes what it made: what it returns, which that disposal must spare. */
let returning: ReadonlySet<Disposable> = new Set();

/** True while a tidy() is returning `t`: a leaf disposed there must not take `t`, its gradient, along. */
export function isBeingReturned(t: Disposable): boolean {
  return returning.has(t);
}

// The backstop for tensors that were never disposed: when one is garbage-collected, its share of
// the device buffer is released. Holding the StorageRef (not the tensor) keeps the tensor collectable.
const finalizer = new FinalizationRegistry<StorageRef>((ref) => {
  liveTensors--;
  ref.release();
});

export function trackTensor(t: Disposable, ref: StorageRef): void {
  liveTensors++;
  finalizer.register(t, ref, t);
  scopes[scopes.length - 1]?.add(t);
}

export function untrackTensor(t: Disposable): void {
  liveTensors--;
  finalizer.unregister(t);
}

/** Removes a tensor from every open tidy scope, so that it outlives them. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, into: Set<Disposable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if ("dispose" in value && "disposed" in value) {
    into.add(value as Disposable);
    return;
  }
  const items = value instanceof Map ? value.values() : Array.isArray(value) ? value : Object.values(value);
  for (const v of items) collect(v, into, seen);
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (found anywhere inside
 * the returned value: arrays, objects, maps). Returned tensors move to the enclosing scope.
 * `fn` must be synchronous: an await inside would let other work's tensors into this scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error("tidy(fn): fn returned a Promise; tidy needs a synchronous function (await the readback after tidy returns)");
  }
  const kept = new Set<Disposable>();
  collect(result, kept, new Set());
  const parent = scopes[scopes.length - 1];
  const outer = returning;
  returning = kept;
  try {
    for (const t of scope) {
      if (kept.has(t)) parent?.add(t);
      else t.dispose();
    }
  } finally {
    returning = outer;
  }
  return result;
}

export interface MemoryInfo {
  /** Tensors created and not yet disposed (or collected). */
  tensors: number;
  /** Bytes held by live buffers, per backend. */
  bytes: Record<string, number>;
}

export function memory(): MemoryInfo {
  const bytes: Record<string, number> = {};
  for (const b of backends.values()) bytes[b.name] = b.liveBytes();
  return { tensors: liveTensors, bytes };
}
