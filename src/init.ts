// Choosing the device: `await init({ backend })` picks WebGPU or the CPU and says why.

import type { Backend } from "./kernels/backend.js";
import { findBackend, registerBackend, setBackend } from "./tensor/engine.js";

export interface InitOptions {
  /** "auto" (default): WebGPU when an adapter exists, else the CPU. */
  backend?: "auto" | "webgpu" | "cpu";
}

export interface InitResult {
  /** The backend new tensors are created on. */
  backend: "webgpu" | "cpu";
  /** The adapter in use, or why the CPU was chosen. */
  reason: string;
  /** Each adapter tried, in order, with what happened. */
  tried: string[];
}

export async function init(options: InitOptions = {}): Promise<InitResult> {
  const wanted = options.backend ?? "auto";
  if (!["auto", "webgpu", "cpu"].includes(wanted)) {
    throw new Error(`init: backend must be "auto", "webgpu" or "cpu", got ${JSON.stringify(wanted)}`);
  }
  if (wanted === "cpu") {
    setBackend("cpu");
    return { backend: "cpu", reason: "the CPU backend was asked for", tried: [] };
  }
  // A device already acquired is reused, unless it was lost.
  const current = findBackend("webgpu") as (Backend & { lost?: boolean; adapterInfo?: string }) | undefined;
  if (current && !current.lost) {
    setBackend("webgpu");
    return { backend: "webgpu", reason: `WebGPU adapter: ${current.adapterInfo ?? "already initialised"}`, tried: [] };
  }
  // Loaded on demand: the WebGPU module pulls in Dawn in Node, which a CPU-only user never needs.
  const { createWebGPUBackend, probeWebGPU } = await import("./kernels/webgpu/index.js");
  if (wanted === "webgpu") {
    const { backend, adapterInfo, tried } = await createWebGPUBackend();
    registerBackend(backend);
    setBackend(backend.name);
    return { backend: "webgpu", reason: `WebGPU adapter: ${adapterInfo}`, tried };
  }
  const probe = await probeWebGPU();
  if (probe.ok) {
    registerBackend(probe.backend);
    setBackend(probe.backend.name);
    return { backend: "webgpu", reason: `WebGPU adapter: ${probe.adapterInfo}`, tried: [...probe.tried] };
  }
  setBackend("cpu");
  return { backend: "cpu", reason: `no WebGPU adapter, so the CPU backend (${probe.reason})`, tried: [probe.reason] };
}
