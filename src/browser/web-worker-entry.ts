// The entry of a trial's Web Worker (bundled as dist/browser/trial-worker.js and started by
// web-worker-executor.ts): serves trials over the worker's message port.

import { serveTrials } from "../tune/executors/trial-worker-loop.js";
import type { FromWorker, ToWorker } from "../tune/executors/worker-protocol.js";

/** The parts of a DedicatedWorkerGlobalScope used here (the DOM typings describe a window). */
const scope = globalThis as unknown as {
  postMessage(message: FromWorker): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToWorker>) => void): void;
};

serveTrials({ post: (message) => scope.postMessage(message), onMessage: (handler) => scope.addEventListener("message", (event) => handler(event.data)) });
