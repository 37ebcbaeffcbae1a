// The entry of a Node worker thread started by WorkerExecutor (worker.ts): serves trials over
// the thread's parent port.

import { parentPort } from "node:worker_threads";
import { serveTrials } from "./trial-worker-loop.js";
import type { ToWorker } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("worker-entry runs only inside a worker thread started by WorkerExecutor");
serveTrials({ post: (message) => port.postMessage(message), onMessage: (handler) => port.on("message", (m: ToWorker) => handler(m)) });
