// Reductions over any set of axes. The backend reduces contiguous rows; when the reduced axes
// are not the trailing ones, the tensor is first permuted so that they are. logSumExp, softmax
// and logSoftmax are composed from these with the max subtracted, so they never overflow.

import type { ReduceOp } from "../kernels/backend.js";
import { broadcastAxes, normalizeAxes, sameShape, type Shape, sizeOf, stridesOf } from "../kernels/shape.js";
import { noGrad } from "./engine.js";
import { binary, unary } from "./elementwise.js";
import { expand, reshape } from "./shape-ops.js";
import { Tensor } from "./tensor.js";

export type Axes = number | readonly number[];

interface Plan {
  axes: number[];
  outer: number;
  inner: number;
  /** The result's shape with the reduced axes kept as 1s. */
  keptShape: number[];
  outShape: number[];
}

function plan(op: string, x: Tensor, axes: Axes | undefined, keepDims: boolean): Plan {
  // normalizeAxes accepts axis 0 of a rank-0 tensor (as PyTorch does); there is nothing to reduce.
  const list = normalizeAxes(op, axes, x.rank).filter((a) => a < x.rank);
  const keptShape = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !list.includes(i));
  const inner = sizeOf(list.map((a) => x.shape[a]!));
  // outer counts the kept positions (not size / inner, which is 0 when a reduced axis is empty).
  return { axes: list, outer: sizeOf(keptShape), inner, keptShape, outShape };
}

/** Runs the backend's row reduction over the plan's axes, permuting first if they are not trailing. */
function reduceRaw(op: ReduceOp, x: Tensor, p: Plan): Tensor {
  const backend = x.backend;
  const kept = x.shape.map((_, i) => i).filter((i) => !p.axes.includes(i));
  const order = [...kept, ...p.axes];
  let src = x.storage;
  let scratch = null;
  if (order.some((a, i) => a !== i)) {
    const strides = stridesOf(x.shape);
    scratch = backend.alloc(x.size);
    backend.strided(x.storage, scratch, order.map((a) => x.shape[a]!), order.map((a) => strides[a]!), 0);
    src = scratch;
  }
  const out = backend.alloc(p.outer);
  if (p.inner === 0) {
    if (op !== "sum") throw new Error(`${op}: cannot reduce over an empty axis (shape [${x.shape.join(", ")}])`);
  } else {
    backend.reduce(op, src, out, p.outer, p.inner);
  }
  if (scratch) backend.free(scratch);
  return Tensor.fromStorage(backend, out, p.outShape);
}

export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const p = plan("sum", x, axes, keepDims);
  return reduceRaw("sum", x, p).recordedAs("sum", [x], (g) => [expand(reshape(g, p.keptShape), x.shape)]);
}

export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const p = plan("mean", x, axes, keepDims);
  return binary(sum(x, axes, keepDims), p.inner, "div");
}

function extreme(op: "max" | "min", x: Tensor, axes: Axes | undefined, keepDims: boolean): Tensor {
  const p = plan(op, x, axes, keepDims);
  const y = reduceRaw(op, x, p);
  // The gradient goes to the elements equal to the extreme, shared evenly among ties.
  return y.recordedAs(op, [x], (g) => {
    const mask = binary(x, reshape(y, p.keptShape), "eq");
    const share = binary(mask, sum(mask, p.axes, true), "div");
    return [binary(share, reshape(g, p.keptShape), "mul")];
  });
}

export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return extreme("max", x, axes, keepDims);
}

export function min(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return extreme("min", x, axes, keepDims);
}

/** The index of the largest value along one axis (the first, on ties), as float32 integers. */
export function argmax(x: Tensor, axis = -1, keepDims = false): Tensor {
  return reduceRaw("argmax", x, plan("argmax", x, axis, keepDims));
}

export function argmin(x: Tensor, axis = -1, keepDims = false): Tensor {
  return reduceRaw("argmin", x, plan("argmin", x, axis, keepDims));
}

/**
 * The stable pieces of logSumExp and logSoftmax: m, the max over the axes (kept as 1s),
 * x − m, and log Σ exp(x − m). m only shifts the computation and its own gradient would cancel
 * exactly, so it is a constant; it is clamped so that infinite inputs do not make inf − inf.
 */
function shiftedLogSum(x: Tensor, axes: number[]): { m: Tensor; shifted: Tensor; logSum: Tensor } {
  const m = noGrad(() => unary(max(x, axes, true), "clamp", [-3.4e38, 3.4e38]));
  const shifted = binary(x, m, "sub");
  const logSum = unary(sum(unary(shifted, "exp"), axes, true), "log");
  return { m, shifted, logSum };
}

/** log(Σ exp(x)) computed as m + log(Σ exp(x − m)) with m the max, so it is finite for large |x|. */
export function logSumExp(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const p = plan("logSumExp", x, axes, keepDims);
  // Without values there is no max to shift by: the sum is of no terms, 0, and its log −∞.
  if (x.size === 0) return binary(sum(x, p.axes, keepDims), -Infinity, "add");
  const { m, logSum } = shiftedLogSum(x, p.axes);
  const lse = binary(logSum, m, "add");
  return keepDims ? lse : reshape(lse, p.outShape);
}

/** (x − m) − log Σ exp(x − m): the shift by the max is exact, so large logits lose no precision. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const { axes } = plan("logSoftmax", x, axis, true);
  // An empty tensor has nothing to normalise (and no max to shift by): its result is as empty.
  if (x.size === 0) return reshape(x, x.shape);
  const { shifted, logSum } = shiftedLogSum(x, axes);
  return binary(shifted, logSum, "sub");
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return unary(logSoftmax(x, axis), "exp");
}

/** Sums a gradient computed at a broadcast shape back to an operand's own shape. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(shape, g.shape);
  return reshape(axes.length ? sum(g, axes, true) : g, shape);
}
