// Trials in browser Web Workers: the browser build puts this module in place of
// src/tune/executors/worker.ts (see scripts/build-browser.ts), so `tune.run` with a trainable
// named by { module, export } runs it in a pool of module Web Workers, as Node runs it in worker
// threads. Each worker loads trial-worker.js (built from web-worker-entry.ts, next to
// tunegrad.js), which imports the trainable's module; only JSON crosses. Each worker has its own
// tensor engine and picks its own device (a dedicated worker has navigator.gpu too).

import { WorkerPoolExecutor } from "../tune/executors/worker-pool.js";
import type { FromWorker } from "../tune/executors/worker-protocol.js";
import type { TrainableRef } from "../tune/types.js";

/** Where the browser build writes the worker's entry: next to the library bundle. */
const DEFAULT_ENTRY_URL = new URL("./trial-worker.js", import.meta.url).href;

export interface WorkerExecutorOptions {
  /** The URL of the built worker entry (default: trial-worker.js next to tunegrad.js). */
  entryUrl?: string;
}

/** The trainable's module URL, resolved against the page (a relative path names a file the page's server serves). */
export function moduleUrl(module: string): string {
  return new URL(module, globalThis.location?.href).href;
}

export class WorkerExecutor extends WorkerPoolExecutor {
  constructor(ref: TrainableRef, options: WorkerExecutorOptions = {}) {
    if (!ref || typeof ref.module !== "string" || typeof ref.export !== "string") {
      throw new TypeError(`a worker trainable is named as { module: "URL of an ES module", export: "name" }, got ${JSON.stringify(ref)}`);
    }
    const entryUrl = options.entryUrl ?? DEFAULT_ENTRY_URL;
    super("worker", moduleUrl(ref.module), ref.export, (events) => {
      const worker = new Worker(entryUrl, { type: "module", name: "tunegrad trial" });
      worker.onmessage = (e: MessageEvent<FromWorker>) => events.message(e.data);
      // An uncaught error in the worker, or an entry that cannot be loaded (then `message` is empty).
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        events.failure(e.message ? `the trial's Web Worker failed: ${e.message}` : `the trial's Web Worker could not start; is ${entryUrl} served (npm run build:browser writes it)?`);
      };
      worker.onmessageerror = () => events.failure("a message from the trial's Web Worker could not be deserialized");
      return { post: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
    });
  }
}
