// Runs trials in Node worker threads (the pool itself is worker-pool.ts). The trainable is named
// by module and export; only JSON crosses the thread boundary. The browser build replaces this
// module with src/browser/web-worker-executor.ts, which runs the same pool on Web Workers.
//
// `node --import tsx` does not reach worker threads, so when this code runs from .ts sources
// (or the trainable is a .ts file) each worker first registers tsx itself.

import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { TrainableRef } from "../types.js";
import type { FromWorker } from "./worker-protocol.js";
import { WorkerPoolExecutor } from "./worker-pool.js";

const RUNNING_FROM_TS = fileURLToPath(import.meta.url).endsWith(".ts");
const ENTRY_URL = new URL(`./worker-entry.${RUNNING_FROM_TS ? "ts" : "js"}`, import.meta.url).href;

/** A file path or URL to an import()-able URL. */
export function moduleUrl(module: string): string {
  if (/^(file|data|https?|node):/.test(module)) return module;
  return pathToFileURL(path.resolve(module)).href;
}

function needsTsx(url: string): boolean {
  return RUNNING_FROM_TS || /\.(ts|mts|cts|tsx)$/.test(new URL(url).pathname);
}

function bootstrapCode(tsxUrl: string | undefined): string {
  // Runs as a CommonJS script (eval: true); dynamic import() loads ES modules from it.
  const register = tsxUrl ? `const { register } = await import(${JSON.stringify(tsxUrl)}); register();` : "";
  return `(async () => { ${register} await import(${JSON.stringify(ENTRY_URL)}); })().catch((e) => { console.error(e); process.exit(70); });`;
}

function resolveTsx(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch (e) {
    throw new Error(`running a TypeScript trainable in a worker thread needs the tsx package (npm install --save-dev tsx), or build it to JavaScript: ${(e as Error).message}`);
  }
}

export interface WorkerExecutorOptions {
  /** Extra options for each Worker (resourceLimits, env). */
  workerOptions?: Pick<WorkerOptions, "resourceLimits" | "env">;
}

export class WorkerExecutor extends WorkerPoolExecutor {
  constructor(ref: TrainableRef, options: WorkerExecutorOptions = {}) {
    if (!ref || typeof ref.module !== "string" || typeof ref.export !== "string") {
      throw new TypeError(`a worker trainable is named as { module: "path or URL", export: "name" }, got ${JSON.stringify(ref)}`);
    }
    const url = moduleUrl(ref.module);
    const code = bootstrapCode(needsTsx(url) ? resolveTsx() : undefined);
    super("worker", url, ref.export, (events) => {
      const worker = new Worker(code, { eval: true, ...(options.workerOptions ?? {}) });
      worker.on("message", (m: FromWorker) => events.message(m));
      worker.on("error", (e) => events.failure(`the trial's worker thread died: ${e.message}`));
      worker.on("exit", (code) => events.failure(`the trial's worker thread exited with code ${code} before the trial ended`));
      return { post: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
    });
  }
}
