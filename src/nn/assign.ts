// In-place writes into an existing tensor's buffer. Parameters and optimizer state must keep
// their identity when a state is loaded (an optimizer holds references to the parameters), so
// loading copies values into their storage rather than replacing the tensors.

import { type Shape, sizeOf, stridesOf } from "../kernels/shape.js";
import type { Tensor } from "../tensor/index.js";
import type { NamedArray } from "./safetensors.js";

/** Values to load: a tensor, or plain float32 data with its shape (as read from a file). */
export type TensorValues = Tensor | NamedArray;

function isTensorLike(v: TensorValues): v is Tensor {
  return !(v.data instanceof Float32Array);
}

/**
 * What keeps `source` from being loaded into a tensor of `shape`, as "has …" (the caller names
 * the entry), or undefined when nothing does: its shape, or for plain data its length.
 */
export function valuesMismatch(source: TensorValues, shape: Shape, where: string): string | undefined {
  if (source.shape.length !== shape.length || source.shape.some((d, i) => d !== shape[i])) {
    return `has shape [${source.shape.join(", ")}] but ${where} is [${shape.join(", ")}]`;
  }
  if (!isTensorLike(source) && source.data.length !== sizeOf(shape)) {
    return `has ${source.data.length} values but its shape [${shape.join(", ")}] holds ${sizeOf(shape)}`;
  }
  return undefined;
}

/** Copies `source`'s values into `target` (checked first with valuesMismatch). */
export function assignValues(target: Tensor, source: TensorValues): void {
  const backend = target.backend;
  const shape = target.shape;
  if (!isTensorLike(source)) {
    const staged = backend.upload(source.data);
    try {
      backend.strided(staged, target.storage, shape, stridesOf(shape), 0);
    } finally {
      backend.free(staged);
    }
    return;
  }
  if (source.backend === backend) {
    backend.strided(source.storage, target.storage, shape, stridesOf(shape), 0);
    return;
  }
  const read = source.backend.readSync;
  if (!read) {
    throw new Error(
      `cannot copy a tensor from the ${source.backend.name} backend into one on ${backend.name} synchronously; ` +
        `read it first (await t.data()) and pass { shape, data }`,
    );
  }
  assignValues(target, { shape: source.shape, data: read(source.storage) });
}
