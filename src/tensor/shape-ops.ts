// Shape ops. Storage is always contiguous, so `reshape` (and squeeze/unsqueeze) is a free view of
// the same buffer, while permute, expand and slice copy through the backend's strided kernel.

import { broadcastShapes, normalizeAxes, type Shape, shapeToString, sizeOf, stridesOf } from "../kernels/shape.js";
import { commonBackend } from "./elementwise.js";
import { sumToShape } from "./reduce.js";
import { Tensor } from "./tensor.js";

/** The same values under a new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (target.filter((d) => d === -1).length > 1) throw new Error(`reshape: at most one dimension may be -1, got ${shapeToString(shape)}`);
  for (const d of target) {
    if (!Number.isInteger(d) || d < -1) throw new Error(`reshape: ${shapeToString(shape)} has ${d}; dimensions must be non-negative integers (or one -1)`);
  }
  if (unknown >= 0) {
    const known = sizeOf(target.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot infer the -1 in ${shapeToString(shape)} for ${x.size} elements (shape ${shapeToString(x.shape)})`);
    }
    target[unknown] = x.size / known;
  }
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape ${shapeToString(x.shape)} (${x.size} elements) to ${shapeToString(shape)} (${sizeOf(target)} elements)`);
  }
  return x.view(target).recordedAs("reshape", [x], (g) => [reshape(g, x.shape)]);
}

/** Reorders the axes: out.shape[i] = x.shape[perm[i]]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const rank = x.rank;
  if (perm.length !== rank || normalizeAxes("permute", perm, rank).length !== rank) {
    throw new Error(`permute: ${JSON.stringify(perm)} is not a permutation of the ${rank} axes of a tensor of shape ${shapeToString(x.shape)}`);
  }
  const axes = perm.map((a) => (a < 0 ? a + rank : a));
  const strides = stridesOf(x.shape);
  const shape = axes.map((a) => x.shape[a]!);
  const backend = x.backend;
  const out = backend.alloc(x.size);
  backend.strided(x.storage, out, shape, axes.map((a) => strides[a]!), 0);
  const inverse = new Array<number>(rank);
  axes.forEach((a, i) => (inverse[a] = i));
  return Tensor.result(backend, out, shape, "permute", [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes (the last two by default: the matrix transpose). */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  if (x.rank < 2) throw new Error(`transpose: needs a tensor of rank 2 or more, got shape ${shapeToString(x.shape)}`);
  const [a, b] = [axis0, axis1].map((a) => normalizeAxes("transpose", a, x.rank)[0]!);
  const perm = x.shape.map((_, i) => i);
  perm[a!] = b!;
  perm[b!] = a!;
  return permute(x, perm);
}

/** Broadcasts x to `shape` (NumPy rules; -1 keeps a dimension). */
export function expand(x: Tensor, shape: Shape): Tensor {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.rank)] ?? -1 : d));
  const full = broadcastShapes("expand", x.shape, target);
  if (full.some((d, i) => d !== target[i])) {
    throw new Error(`expand: cannot expand ${shapeToString(x.shape)} to ${shapeToString(shape)}; only size-1 dimensions can grow`);
  }
  const backend = x.backend;
  const out = backend.alloc(sizeOf(full));
  const own = stridesOf(x.shape);
  const offset = full.length - x.rank;
  const strides = full.map((d, i) => (i < offset || x.shape[i - offset] !== d ? 0 : own[i - offset]!));
  backend.strided(x.storage, out, full, strides, 0);
  return Tensor.result(backend, out, full, "expand", [x], (g) => [sumToShape(g, x.shape)]);
}

/** Removes size-1 axes (all of them, or the given ones). */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const drop =
    axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes("squeeze", axes, x.rank).filter((a) => a < x.rank);
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of shape ${shapeToString(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !drop.includes(i)));
}

/** Inserts a size-1 axis at `axis` (negative counts from the end of the result). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const rank = x.rank + 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`unsqueeze: axis ${axis} is out of range for a result of rank ${rank} (valid: ${-rank}..${rank - 1})`);
  }
  const at = axis < 0 ? axis + rank : axis;
  const shape = [...x.shape];
  shape.splice(at, 0, 1);
  return reshape(x, shape);
}

/**
 * The block starting at `begin` with extent `size` per axis (-1 or omitted: to the end).
 * Negative begins count from the end.
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length > x.rank) throw new Error(`slice: ${begin.length} begin values for a tensor of rank ${x.rank}`);
  if (size && size.length > x.rank) throw new Error(`slice: ${size.length} size values for a tensor of rank ${x.rank}`);
  const starts = x.shape.map((d, i) => {
    const b = begin[i] ?? 0;
    const s = b < 0 ? b + d : b;
    if (!Number.isInteger(b) || s < 0 || s > d) throw new Error(`slice: begin ${b} on axis ${i} is out of range for size ${d}`);
    return s;
  });
  const shape = x.shape.map((d, i) => {
    const s = size?.[i] ?? -1;
    const extent = s === -1 ? d - starts[i]! : s;
    if (!Number.isInteger(extent) || extent < 0 || starts[i]! + extent > d) {
      throw new Error(`slice: size ${s} from ${starts[i]} on axis ${i} runs past the end of the axis (size ${d})`);
    }
    return extent;
  });
  const strides = stridesOf(x.shape);
  const offset = starts.reduce((acc, s, i) => acc + s * strides[i]!, 0);
  const backend = x.backend;
  const out = backend.alloc(sizeOf(shape));
  backend.strided(x.storage, out, shape, strides, offset);
  return Tensor.result(backend, out, shape, "slice", [x], (g) => {
    const dx = backend.alloc(x.size);
    backend.scatterStrided(g.storage, dx, shape, strides, offset);
    return [Tensor.fromStorage(backend, dx, x.shape)];
  });
}

/** Joins tensors along `axis`; all other dimensions must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error("concat: needs at least one tensor");
  const first = tensors[0]!;
  if (first.rank === 0) throw new Error("concat: rank-0 tensors have no axis to join along; unsqueeze(0) them first");
  const ax = normalizeAxes("concat", axis, first.rank)[0]!;
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${shapeToString(first.shape)} and ${shapeToString(t.shape)} differ outside axis ${ax}`);
    }
  }
  const backend = commonBackend("concat", tensors);
  const shape = [...first.shape];
  shape[ax] = tensors.reduce((acc, t) => acc + t.shape[ax]!, 0);
  const strides = stridesOf(shape);
  const out = backend.alloc(sizeOf(shape));
  const offsets: number[] = [];
  let at = 0;
  for (const t of tensors) {
    offsets.push(at);
    backend.scatterStrided(t.storage, out, t.shape, strides, at * strides[ax]!);
    at += t.shape[ax]!;
  }
  return Tensor.result(backend, out, shape, "concat", tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const begin = shape.map((_, d) => (d === ax ? offsets[i]! : 0));
      return slice(g, begin, t.shape);
    }),
  );
}

/**
 * Picks values along `axis` by index (PyTorch's gather): `index` has x's rank and the same size
 * on every other axis; out[..., j, ...] = x[..., index[..., j, ...], ...]. Indices are stored as
 * float32 integers, such as class labels.
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  if (x.rank === 0) throw new Error("gather: a rank-0 tensor has no axis to pick along");
  const ax = normalizeAxes("gather", axis, x.rank)[0]!;
  if (index.rank !== x.rank || index.shape.some((d, i) => i !== ax && d !== x.shape[i])) {
    throw new Error(
      `gather: index shape ${shapeToString(index.shape)} must have the rank of x ${shapeToString(x.shape)} and match it on every axis but ${ax}` +
        ` (to pick one class score per row of [N, C] logits, use labels of shape [N, 1])`,
    );
  }
  const backend = commonBackend("gather", [x, index]);
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const axisLen = x.shape[ax]!;
  const indexLen = index.shape[ax]!;
  const out = backend.alloc(index.size);
  backend.gather(x.storage, index.storage, out, outer, axisLen, indexLen, inner);
  return Tensor.result(backend, out, index.shape, "gather", [x, index], (g) => {
    const dx = backend.alloc(x.size);
    backend.scatterAdd(g.storage, index.storage, dx, outer, axisLen, indexLen, inner);
    return [Tensor.fromStorage(backend, dx, x.shape), null];
  });
}
