// Acquiring a WebGPU device, in Node (Dawn's `webgpu` package) or in a browser (navigator.gpu).
//
// Node order (DESIGN, "Environment facts"): the platform's default adapter (Vulkan, Metal,
// D3D12), then Dawn's OpenGL backend in compatibility mode (Mesa's llvmpipe on GPU-less Linux,
// with EGL_PLATFORM=surfaceless). Each attempt is recorded in `tried`, so that a caller can say
// which adapter it got and why, or, when none is found, what was tried.
//
// The `webgpu` package is imported dynamically, only on the Node path, so a browser bundle that
// includes this module never loads it.

import { WebGPUBackend, type WebGPUBackendOptions } from "./backend.js";
import { isCpuAdapter } from "./matmul-variants.js";

export interface CreateWebGPUOptions extends WebGPUBackendOptions {
  /** Which adapters to try in Node, in order (default: ["default", "opengl"]). */
  readonly adapters?: readonly NodeAdapterKind[];
}

export type NodeAdapterKind = "default" | "opengl";

export interface WebGPUBackendResult {
  readonly backend: WebGPUBackend;
  /** The adapter in words, e.g. "llvmpipe ... (OpenGL, compatibility)". */
  readonly adapterInfo: string;
  /** One line per attempt, the successful one last. */
  readonly tried: string[];
}

// Dawn aborts the process if the object create() returned is garbage-collected while a device
// made from it is alive, so every one is kept here for the life of the process.
const dawnInstances = new Map<string, GPU>();

interface DawnModule {
  create(flags: string[]): GPU;
}

async function dawnGpu(flags: string[]): Promise<GPU> {
  const key = flags.join(" ");
  let gpu = dawnInstances.get(key);
  if (!gpu) {
    // A variable specifier keeps bundlers from resolving the Node-only package for browsers.
    const specifier = "webgpu";
    const dawn = (await import(specifier)) as DawnModule;
    gpu = dawn.create(flags);
    dawnInstances.set(key, gpu);
  }
  return gpu;
}

function describe(adapter: GPUAdapter, how: string): string {
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  return `${parts.join(" ") || "unnamed adapter"} (${how})`;
}

/** Every limit the adapter offers, asked for: compatibility adapters default to far less. */
function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === "number") limits[key] = value;
  }
  return limits;
}

async function nodeAdapter(kind: NodeAdapterKind, tried: string[]): Promise<{ adapter: GPUAdapter; how: string } | null> {
  try {
    if (kind === "default") {
      const adapter = await (await dawnGpu([])).requestAdapter();
      if (!adapter) {
        tried.push("default adapter (Vulkan/Metal/D3D12): none available");
        return null;
      }
      return { adapter, how: "default adapter" };
    }
    // Must be set before the GPU object exists; an explicit setting from the user is kept.
    process.env.EGL_PLATFORM ??= "surfaceless";
    const adapter = await (await dawnGpu(["backend=opengl"])).requestAdapter({ featureLevel: "compatibility" });
    if (!adapter) {
      tried.push(`OpenGL adapter (compatibility, EGL_PLATFORM=${process.env.EGL_PLATFORM}): none available`);
      return null;
    }
    return { adapter, how: "OpenGL, compatibility mode" };
  } catch (error) {
    tried.push(`${kind} adapter: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

async function browserAdapter(tried: string[]): Promise<{ adapter: GPUAdapter; how: string } | null> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    tried.push("navigator.gpu: not available in this browser (WebGPU disabled or unsupported)");
    return null;
  }
  const adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: "compatibility" }));
  if (!adapter) {
    tried.push("navigator.gpu.requestAdapter(): no adapter");
    return null;
  }
  return { adapter, how: "navigator.gpu" };
}

const isNode = () => typeof process !== "undefined" && !!process.versions?.node;

/**
 * A WebGPU backend on the best adapter found, or an error that lists every attempt.
 * Each call creates a new device, so after a device loss a later call starts afresh.
 */
export async function createWebGPUBackend(options: CreateWebGPUOptions = {}): Promise<WebGPUBackendResult> {
  const tried: string[] = [];
  let found: { adapter: GPUAdapter; how: string } | null = null;
  if (isNode()) {
    for (const kind of options.adapters ?? ["default", "opengl"]) {
      found = await nodeAdapter(kind, tried);
      if (found) break;
    }
  } else {
    found = await browserAdapter(tried);
  }
  if (!found) throw new Error(`no WebGPU adapter: ${tried.join("; ")}`);
  const { adapter, how } = found;
  const adapterInfo = describe(adapter, how);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits: adapterLimits(adapter) });
  } catch (error) {
    tried.push(`${adapterInfo}: requestDevice failed: ${error instanceof Error ? error.message : String(error)}`);
    throw new Error(`no WebGPU device: ${tried.join("; ")}`);
  }
  tried.push(`${adapterInfo}: device acquired`);
  const cpuAdapter = isCpuAdapter(adapterInfo, adapter.info.isFallbackAdapter ?? false);
  const backend = new WebGPUBackend(device, adapterInfo, cpuAdapter, options);
  if ((options.matmul ?? "auto") === "auto") await backend.selectMatmulByMeasurement();
  return { backend, adapterInfo, tried };
}

/**
 * True where a machine is expected to have a WebGPU adapter, so that a missing one is a failure
 * rather than a reason to skip: Linux x64 in CI, where Dawn's OpenGL backend over Mesa's llvmpipe
 * always works (DESIGN, "Environment facts").
 */
export function webgpuAdapterExpected(): boolean {
  return isNode() && process.platform === "linux" && process.arch === "x64" && !!process.env.CI;
}

export type WebGPUProbe = ({ readonly ok: true } & WebGPUBackendResult) | { readonly ok: false; readonly reason: string };

/**
 * createWebGPUBackend without the throw, for `init({ backend: "auto" })` and test set-up: either
 * the backend, or the reason there is none (which lists every attempt).
 */
export async function probeWebGPU(options: CreateWebGPUOptions = {}): Promise<WebGPUProbe> {
  try {
    return { ok: true, ...(await createWebGPUBackend(options)) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
