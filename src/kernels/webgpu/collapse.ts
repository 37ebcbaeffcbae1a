// Merging dimensions for strided kernels: size-1 dimensions are dropped and neighbouring
// dimensions merged wherever every operand walks them as one (stride[d] = stride[d+1]·shape[d+1]),
// so that a contiguous operand costs one index step and the kernel's rank limit is rarely met.
// The output is contiguous, so its row-major order is unchanged by the merge.

import type { Shape } from "../shape.js";

export interface Collapsed {
  readonly shape: number[];
  readonly strides: number[][];
}

export function collapseDims(shape: Shape, strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, t) => outStrides[t]![last] === s[d]! * size);
    if (mergeable) {
      outShape[last]! *= size;
      strides.forEach((s, t) => (outStrides[t]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, t) => outStrides[t]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** True when the collapsed operand `t` is read contiguously (the flat index is its offset). */
export function isFlat(c: Collapsed, t: number): boolean {
  return c.shape.length === 0 || (c.shape.length === 1 && c.strides[t]![0] === 1);
}
