// What the browser build puts in place of src/tune/executors/worker.ts (see
// scripts/build-browser.ts): Node's worker threads do not exist in a browser, so asking for them
// is an error that says what to use instead.

export interface WorkerExecutorOptions {
  workerOptions?: Record<string, unknown>;
}

export class WorkerExecutor {
  constructor(ref: { module: string; export: string }, _options: WorkerExecutorOptions = {}) {
    throw new Error(
      `executor "worker" runs ${ref?.module ?? "a trainable"} in Node worker threads, which a browser does not have; ` +
        `in a browser pass the trainable as a function with executor "inline" (trials share the page's GPU device)`,
    );
  }
}
