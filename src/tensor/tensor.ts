// The Tensor: a shape, a device buffer, and (when it was computed from tensors that need
// gradients) the node that says how to send a gradient back to its inputs.
//
// Ops live in their own files (elementwise, shape, reduce, matmul) and are attached as methods
// in methods.ts; this file holds only what every tensor is.

import type { Backend, Storage } from "../kernels/backend.js";
import { type Shape, shapeToString, sizeOf } from "../kernels/shape.js";
import { type Disposable, isBeingReturned, isGradEnabled, keep, StorageRef, trackTensor, untrackTensor } from "./engine.js";

/** How to differentiate the op that produced a tensor: its inputs and the rule for their gradients. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Given the gradient of the output, the gradient of each input (null where none is needed). */
  readonly backward: (grad: Tensor) => readonly (Tensor | null)[];
}

export type NestedArray = number | NestedArray[];

/** A disposed tensor's values were asked for (backward adds which op needed them). */
export class DisposedTensorError extends Error {
  constructor(readonly shape: Shape) {
    super(`a tensor of shape ${shapeToString(shape)} was used after dispose() (or after the tidy() that created it ended); keep() it or return it from the tidy`);
    this.name = "DisposedTensorError";
  }
}

/** The names every Tensor holds as fields (an op defined at run time must not take one). */
export const INSTANCE_FIELDS: ReadonlySet<string> = new Set(["shape", "size", "requiresGrad", "grad", "node", "ref", "disposedFlag"]);

export class Tensor implements Disposable {
  readonly shape: readonly number[];
  readonly size: number;
  /** True for leaves the user asked gradients of, and for results computed from them. */
  requiresGrad: boolean;
  /** The gradient of a leaf after `backward()`; null before, and always null on non-leaves. */
  grad: Tensor | null = null;
  /** @internal How this tensor was computed, when gradients flow through it. */
  node: GradNode | null = null;
  private readonly ref: StorageRef;
  private disposedFlag = false;

  /** @internal Use the creation functions (`tensor`, `zeros`, ...) or ops instead. */
  constructor(ref: StorageRef, shape: Shape, requiresGrad = false) {
    this.ref = ref;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.requiresGrad = requiresGrad;
    trackTensor(this, ref);
  }

  /** @internal A tensor over a new buffer. */
  static fromStorage(backend: Backend, storage: Storage, shape: Shape, requiresGrad = false): Tensor {
    return new Tensor(new StorageRef(backend, storage), shape, requiresGrad);
  }

  /**
   * @internal The result of an op: records its grad node when the tape is on and any input
   * requires a gradient.
   */
  static result(backend: Backend, storage: Storage, shape: Shape, op: string, inputs: readonly Tensor[], backward: GradNode["backward"]): Tensor {
    return Tensor.fromStorage(backend, storage, shape).recordedAs(op, inputs, backward);
  }

  /** @internal Records the grad node of a freshly made tensor when the tape is on and needs it. */
  recordedAs(op: string, inputs: readonly Tensor[], backward: GradNode["backward"]): this {
    if (isGradEnabled() && inputs.some((x) => x.requiresGrad)) {
      this.requiresGrad = true;
      this.node = { op, inputs, backward };
    }
    return this;
  }

  /**
   * @internal Keeps what `op`'s backward reads for this tensor, its result: `storage` (f′ written
   * by the forward), or without it this tensor's own values (an op whose f′ is its output). A
   * saved buffer lives as long as this tensor's own buffer (views included) rather than as long as
   * the tidy() it was made in: a result returned from tidy() can still be differentiated, and
   * disposing the result frees what it saved. Returns a function giving a tensor over the saved
   * values, to dispose after use; it throws when they were freed before backward ran.
   */
  saveForBackward(op: string, shape: Shape, storage?: Storage): () => Tensor {
    let saved = this.ref;
    if (storage !== undefined) {
      saved = new StorageRef(this.backend, storage);
      this.ref.attach(saved);
    }
    return () => {
      if (saved.released) {
        throw new Error(
          `backward through ${op} needs values its forward kept with its result (shape ${shapeToString(this.shape)}), ` +
            `but that result was disposed before backward() ran; dispose results only after backward(), or return them from the tidy()`,
        );
      }
      saved.retain();
      return new Tensor(saved, shape);
    };
  }

  /**
   * @internal Gives `t`, a tensor this one's op made and its backward reads (a number operand as a
   * rank-0 tensor), the lifetime of this tensor's buffer: out of every tidy() scope, disposed
   * when that buffer is freed.
   */
  adopt(t: Tensor): void {
    keep(t);
    this.ref.attach({ release: () => t.dispose() });
  }

  /** @internal A tensor sharing this one's buffer under another shape (same size). */
  view(shape: Shape): Tensor {
    this.storage; // throws if disposed
    this.ref.retain();
    return new Tensor(this.ref, shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get backend(): Backend {
    return this.ref.backend;
  }

  /** @internal The device buffer; an error if the tensor was disposed. */
  get storage(): Storage {
    if (this.disposedFlag) {
      throw new DisposedTensorError(this.shape);
    }
    return this.ref.storage;
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  get isLeaf(): boolean {
    return this.node === null;
  }

  /**
   * Frees this tensor's share of its buffer, and a leaf's gradient with it (detach() the gradient
   * first to keep it longer; a tidy() that returns it keeps it too). Disposing twice is harmless.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    untrackTensor(this);
    this.ref.release();
    if (this.grad && !isBeingReturned(this.grad)) this.zeroGrad();
  }

  /** The values, as a new Float32Array (waits for queued device work). */
  async data(): Promise<Float32Array> {
    return this.backend.read(this.storage);
  }

  /** The values synchronously; only backends that can read synchronously (the CPU) allow it. */
  dataSync(): Float32Array {
    const read = this.backend.readSync;
    if (!read) throw new Error(`dataSync() is not possible on the ${this.backend.name} backend, whose reads are asynchronous; use await t.data()`);
    return read(this.storage);
  }

  /** The values as nested arrays following the shape (a number for a rank-0 tensor). */
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a tensor with exactly one element, got shape ${shapeToString(this.shape)}; reduce it first (e.g. .sum() or .mean())`);
    return (await this.data())[0]!;
  }

  /** A tensor sharing this one's values, cut off from the graph (no gradient flows through it). */
  detach(): Tensor {
    return this.view(this.shape);
  }

  /** Drops the gradient held by this leaf. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  toString(): string {
    return `Tensor(shape=${shapeToString(this.shape)}, backend=${this.backend.name}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

function nest(values: Float32Array, shape: Shape): NestedArray {
  if (shape.length === 0) return values[0]!;
  const build = (offset: number, axis: number): NestedArray[] => {
    const out: NestedArray[] = [];
    const step = sizeOf(shape.slice(axis + 1));
    for (let i = 0; i < shape[axis]!; i++) {
      out.push(axis === shape.length - 1 ? values[offset + i]! : build(offset + i * step, axis + 1));
    }
    return out;
  };
  return build(0, 0);
}
