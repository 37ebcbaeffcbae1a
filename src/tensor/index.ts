// The tensor layer's surface. Importing it installs the Tensor methods.
import "./methods.js";

export { Tensor, type GradNode, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, arange, eye, rand, randn, type CreateOptions, type RandomOptions } from "./creation.js";
export { binary, unary, where, clamp, type TensorLike } from "./elementwise.js";
export { reshape, permute, transpose, expand, squeeze, unsqueeze, slice, concat, gather } from "./shape-ops.js";
export { sum, mean, max, min, argmax, argmin, logSumExp, softmax, logSoftmax, sumToShape, type Axes } from "./reduce.js";
export { matmul, linear } from "./matmul.js";
export { backward } from "./autograd.js";
export { Generator, manualSeed, globalGenerator, type GeneratorState } from "./random.js";
export {
  tidy,
  keep,
  noGrad,
  isGradEnabled,
  memory,
  setBackend,
  getBackend,
  findBackend,
  registerBackend,
  listBackends,
  type MemoryInfo,
} from "./engine.js";
