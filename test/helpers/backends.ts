// Which backends a backend-parametrised test runs on: TUNEGRAD_TEST_BACKENDS when set
// (comma-separated), else the CPU plus WebGPU wherever an adapter exists. Where one is expected
// (CI on Linux x64, through Dawn's OpenGL backend on llvmpipe), a missing adapter is an error,
// not a silent CPU-only run.

import { probeWebGPU, webgpuAdapterExpected } from "../../src/kernels/webgpu/index.js";
import { registerBackend } from "../../src/tensor/index.js";

export type TestBackend = "cpu" | "webgpu";

export async function testBackends(): Promise<TestBackend[]> {
  const given = process.env.TUNEGRAD_TEST_BACKENDS;
  if (given) {
    const list = given.split(",").map((b) => b.trim());
    for (const b of list) if (b !== "cpu" && b !== "webgpu") throw new Error(`TUNEGRAD_TEST_BACKENDS: unknown backend "${b}" (cpu, webgpu)`);
    return list as TestBackend[];
  }
  const probe = await probeWebGPU();
  if (probe.ok) {
    // Registered, so that init({ backend: "webgpu" }) in the test reuses this device.
    registerBackend(probe.backend);
    return ["cpu", "webgpu"];
  }
  if (webgpuAdapterExpected()) throw new Error(`a WebGPU adapter is expected here (CI on Linux x64) but none was found: ${probe.reason}`);
  return ["cpu"];
}
