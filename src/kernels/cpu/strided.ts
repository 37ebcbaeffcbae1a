// Index arithmetic for strided loops: walk every index of `shape` in row-major order while
// keeping one flat offset per operand, each advanced by its own strides (0 on broadcast axes).

import type { Shape } from "../shape.js";

/**
 * Calls `visit(i, offsets)` for each of the prod(shape) positions, with `offsets[t]` the position
 * in operand t (base offset plus the dot product of the index with that operand's strides).
 * The offsets array is reused between calls: read it, don't keep it.
 */
export function forEachStrided(
  shape: Shape,
  strides: readonly (readonly number[])[],
  bases: readonly number[],
  visit: (i: number, offsets: Int32Array | number[]) => void,
): void {
  const rank = shape.length;
  const nOps = strides.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const offsets = bases.slice();
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; i++) {
    visit(i, offsets);
    // Odometer step: bump the last axis; on wrap-around, rewind it and carry left.
    for (let d = rank - 1; d >= 0; d--) {
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
