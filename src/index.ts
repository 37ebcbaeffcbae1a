// tunegrad's public surface: users import from here and nothing else.
export * from "./tensor/index.js";
export { init, type InitOptions, type InitResult } from "./init.js";
export { listUnaryOps, listBinaryOps, type UnaryOpDef, type BinaryOpDef } from "./kernels/ops.js";
export type { Backend, Storage } from "./kernels/backend.js";
export * as tune from "./tune/index.js";
export { nn, optim, data, activations, losses } from "./nn/index.js";
