// The implementations under comparison: tunegrad's backends (the CPU always, WebGPU when an
// adapter exists) and TensorFlow.js with its cpu and wasm backends (dev dependencies only).

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { findBackend, init, setBackend } from "../../src/index.js";

const require = createRequire(import.meta.url);
setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");

export { tf };

export type TfjsBackend = "cpu" | "wasm";
export const TFJS_BACKENDS: TfjsBackend[] = ["cpu", "wasm"];

export async function useTfjs(name: TfjsBackend): Promise<void> {
  if (name === "wasm") {
    // Settle feature detection before the backend starts, so it loads the SIMD binary.
    await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
}

/** The tunegrad backends available here: "cpu", plus "webgpu" when init finds an adapter. */
export async function tunegradBackends(): Promise<{ names: string[]; webgpu: string }> {
  const names = ["cpu"];
  let webgpu = "not available";
  if (process.env.TUNEGRAD_BENCH_CPU_ONLY !== "1") {
    try {
      const r = await init({ backend: "webgpu" });
      names.push("webgpu");
      webgpu = r.reason;
    } catch (e) {
      webgpu = `not available: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
    }
  }
  setBackend("cpu");
  return { names, webgpu };
}

export function useTunegrad(name: string): void {
  if (!findBackend(name)) throw new Error(`tunegrad backend ${name} is not initialised`);
  setBackend(name);
}
