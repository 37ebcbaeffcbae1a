// The WebGPU backend's public pieces, for src/index.ts and init().
export { createWebGPUBackend, probeWebGPU, webgpuAdapterExpected } from "./device.js";
export type { CreateWebGPUOptions, NodeAdapterKind, WebGPUBackendResult, WebGPUProbe } from "./device.js";
export { WebGPUBackend } from "./backend.js";
export type { WebGPUBackendOptions, WebGPUStats } from "./backend.js";
export { DeviceLostError } from "./command-queue.js";
export type { MatmulVariant } from "./matmul-variants.js";
