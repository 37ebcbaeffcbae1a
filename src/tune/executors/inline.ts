// Runs trials in this thread as concurrent async functions: for trainables that share one GPU
// device, or that are cheap. A trial that hangs cannot be preempted here; on a timeout its
// signal is aborted and the runner stops listening to it.

import type { Trainable } from "../types.js";
import { makeContext } from "./context.js";
import type { Executor, TrialHandle, TrialHost, TrialJob } from "./executor.js";

export class InlineExecutor implements Executor {
  readonly kind = "inline";

  constructor(private readonly trainable: Trainable) {
    if (typeof trainable !== "function") throw new TypeError("InlineExecutor needs a trainable function (config, ctx) => ...");
  }

  start(job: TrialJob, host: TrialHost): TrialHandle {
    const controller = new AbortController();
    const ctx = makeContext(job, host, controller.signal);
    // Start on a later microtask, so the runner finishes its bookkeeping first.
    const done = Promise.resolve().then(() => this.trainable(structuredClone(job.config), ctx)).then(() => undefined);
    return {
      done,
      kill: (reason: string) => controller.abort(new Error(reason)),
    };
  }

  async close(): Promise<void> {}
}
