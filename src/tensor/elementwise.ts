// Elementwise ops: every unary and binary op of the op table, with NumPy broadcasting, and
// `where`. The backward rules come from the table too: a unary op's gradient is dy · f′(x), with
// f′ written by the forward beside f or, where it is cheap, recomputed from x; a binary op's is
// `dy * ∂f/∂a` (or b) summed back to the operand's shape.

import type { Backend } from "../kernels/backend.js";
import { binaryOp, resolveParams, unaryOp } from "../kernels/ops.js";
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from "../kernels/shape.js";
import { sumToShape } from "./reduce.js";
import { isGradEnabled } from "./engine.js";
import { Tensor } from "./tensor.js";

export type TensorLike = Tensor | number;

/** The backend all operands live on; an error when they live on different ones. */
export function commonBackend(op: string, tensors: readonly Tensor[]): Backend {
  const backend = tensors[0]!.backend;
  for (const t of tensors) {
    if (t.backend !== backend) {
      throw new Error(`${op}: operands live on different backends (${backend.name} and ${t.backend.name}); create them on one backend`);
    }
  }
  return backend;
}

/** A rank-0 tensor holding `value` on the backend of `like`. */
export function scalarLike(like: Tensor, value: number): Tensor {
  return Tensor.fromStorage(like.backend, like.backend.upload(new Float32Array([value])), []);
}

/** A new tensor of `like`'s shape filled with `value`. */
export function fullLike(like: Tensor, value: number): Tensor {
  const storage = like.backend.alloc(like.size);
  if (value !== 0) like.backend.fill(storage, value);
  return Tensor.fromStorage(like.backend, storage, like.shape);
}

/** A copy of `x` in a new buffer (no gradient link). */
export function copy(x: Tensor): Tensor {
  const out = x.backend.alloc(x.size);
  x.backend.strided(x.storage, out, x.shape, stridesOf(x.shape), 0);
  return Tensor.fromStorage(x.backend, out, x.shape);
}

/**
 * f(x) for an op of the op table, with the op's parameters (defaults filled in). Backward is
 * dy · f′(x), with f′ from where the op's `derivativeFrom` says: written by the forward's kernel
 * beside f (the default), recomputed from x, or f itself (exp).
 */
export function unary(x: Tensor, name: string, params: readonly number[] = []): Tensor {
  const op = unaryOp(name);
  const p = resolveParams(op, params);
  const backend = x.backend;
  const out = backend.alloc(x.size);
  const from = op.derivativeFrom ?? "forward";
  if (!(isGradEnabled() && x.requiresGrad) || from === "input") {
    backend.unary(name, p, x.storage, out);
    return Tensor.result(backend, out, x.shape, name, [x], (g) => {
      const dx = backend.alloc(x.size);
      backend.unaryGrad(name, p, x.storage, g.storage, dx);
      return [Tensor.fromStorage(backend, dx, x.shape)];
    });
  }
  const derivative = from === "forward" ? backend.alloc(x.size) : undefined;
  backend.unary(name, p, x.storage, out, derivative);
  const y = Tensor.fromStorage(backend, out, x.shape);
  const saved = y.saveForBackward(name, x.shape, derivative);
  return y.recordedAs(name, [x], (g) => [multiplyBySaved(g, saved)]);
}

/** g · (a tensor saved for backward), the saved tensor's handle given back right after. */
export function multiplyBySaved(g: Tensor, saved: () => Tensor): Tensor {
  const d = saved();
  try {
    return binary(g, d, "mul");
  } finally {
    d.dispose();
  }
}

/** f(a, b) for a binary op of the op table, broadcasting a and b against each other. */
export function binary(aIn: TensorLike, bIn: TensorLike, name: string): Tensor {
  const like = aIn instanceof Tensor ? aIn : bIn instanceof Tensor ? bIn : undefined;
  if (!like) throw new Error(`${name}: at least one operand must be a Tensor`);
  const op = binaryOp(name);
  return withScalars(like, [aIn, bIn], name, ([a, b]) => {
    const backend = commonBackend(name, [a!, b!]);
    const shape = broadcastShapes(name, a!.shape, b!.shape);
    const aStrides = broadcastStrides(a!.shape, shape);
    const bStrides = broadcastStrides(b!.shape, shape);
    const out = backend.alloc(sizeOf(shape));
    backend.binary(name, a!.storage, b!.storage, out, shape, aStrides, bStrides);
    if (!op.differentiable) return Tensor.fromStorage(backend, out, shape);
    return Tensor.result(backend, out, shape, name, [a!, b!], (g) => {
      const gradFor = (which: 0 | 1, operand: Tensor): Tensor | null => {
        if (!operand.requiresGrad) return null;
        // add's ∂/∂a and ∂/∂b and sub's ∂/∂a are 1: the gradient is dy itself, no kernel needed.
        const identity = name === "add" || (name === "sub" && which === 0);
        let full = g;
        if (!identity) {
          const buf = backend.alloc(g.size);
          backend.binaryGrad(name, which, a!.storage, b!.storage, g.storage, buf, shape, aStrides, bStrides);
          full = Tensor.fromStorage(backend, buf, shape);
        }
        return sumToShape(full, operand.shape);
      };
      return [gradFor(0, a!), gradFor(1, b!)];
    });
  });
}

/**
 * Runs `fn` with number operands turned into rank-0 tensors on `like`'s backend. They are freed
 * at once when the result records no gradient or `fn` throws, and otherwise with the result.
 */
function withScalars(like: Tensor, operands: readonly TensorLike[], op: string, fn: (ts: Tensor[]) => Tensor): Tensor {
  const made: Tensor[] = [];
  const tensors = operands.map((v) => {
    if (v instanceof Tensor) return v;
    if (typeof v !== "number") throw new Error(`${op}: expected a Tensor or a number, got ${typeof v}`);
    const t = scalarLike(like, v);
    made.push(t);
    return t;
  });
  let result: Tensor;
  try {
    result = fn(tensors);
  } catch (e) {
    made.forEach((t) => t.dispose());
    throw e;
  }
  // Backward reads them: they live as long as the result, not as long as the tidy() they were made in.
  made.forEach((t) => (result.node ? result.adopt(t) : t.dispose()));
  return result;
}

/** Picks `a` where `cond` is non-zero and `b` elsewhere, broadcasting all three. */
export function where(cond: Tensor, aIn: TensorLike, bIn: TensorLike): Tensor {
  return withScalars(cond, [aIn, bIn], "where", ([a, b]) => {
    const backend = commonBackend("where", [cond, a!, b!]);
    const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, a!.shape), b!.shape);
    const out = backend.alloc(sizeOf(shape));
    backend.where(cond.storage, a!.storage, b!.storage, out, shape, broadcastStrides(cond.shape, shape), broadcastStrides(a!.shape, shape), broadcastStrides(b!.shape, shape));
    return Tensor.result(backend, out, shape, "where", [cond, a!, b!], (g) => [
      null,
      a!.requiresGrad ? sumToShape(where(cond, g, 0), a!.shape) : null,
      b!.requiresGrad ? sumToShape(where(cond, 0, g), b!.shape) : null,
    ]);
  });
}

/** clamp(x, min, max); either bound may be omitted. */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  return unary(x, "clamp", [min, max]);
}
