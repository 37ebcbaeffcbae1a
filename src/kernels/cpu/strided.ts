// Index arithmetic for strided loops: walk every index of `shape` in row-major order while
// keeping one flat offset per operand, each advanced by its own strides (0 on broadcast axes).
// The walk hands out whole rows (the last axis), so kernels run their inner loop without a
// call per element.

import type { Shape } from "../shape.js";

/**
 * Calls `visitRow(start, offsets, length, innerStrides)` once per row of the last axis: `start`
 * is the row's first position in row-major order, `offsets[t]` operand t's offset at that
 * position, and `innerStrides[t]` its stride along the row. `offsets` is reused between calls.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  bases: readonly number[],
  visitRow: (start: number, offsets: readonly number[], length: number, innerStrides: readonly number[]) => void,
): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const nOps = strides.length;
  if (rank === 0) {
    visitRow(0, bases, 1, bases.map(() => 0));
    return;
  }
  const length = shape[rank - 1]!;
  const inner = strides.map((s) => s[rank - 1]!);
  const offsets = bases.slice();
  const index = new Array<number>(rank - 1).fill(0);
  for (let start = 0; start < total; start += length) {
    visitRow(start, offsets, length, inner);
    // Odometer step over the outer axes: bump the last one; on wrap-around, rewind and carry.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      if (index[d]! < shape[d]!) {
        for (let t = 0; t < nOps; t++) offsets[t]! += strides[t]![d]!;
        break;
      }
      index[d] = 0;
      for (let t = 0; t < nOps; t++) offsets[t]! -= strides[t]![d]! * (shape[d]! - 1);
    }
  }
}

/** True when strides are the contiguous row-major strides of `shape` (ignoring size-1 axes). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** True when every stride is 0 (the operand is one broadcast scalar). */
export function isScalarBroadcast(strides: readonly number[]): boolean {
  return strides.every((s) => s === 0);
}
