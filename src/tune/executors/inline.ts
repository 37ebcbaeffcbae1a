// Runs trials in this thread as concurrent async functions: for trainables that share one GPU
// device, or that are cheap. A trial that hangs cannot be preempted here; on a timeout its
// signal is aborted and the runner stops listening to it.
//
// Each report first waits for a later turn of the event loop. Without that, in-thread trials
// advance by promise continuations alone (microtasks), and nothing queued as a macrotask runs
// until the experiment ends: not the trialTimeout timers, not a SIGINT handler (Ctrl-C), not I/O.

import type { Decision, JsonValue, Metrics, Trainable } from "../types.js";
import { makeContext } from "./context.js";
import type { Executor, TrialHandle, TrialHost, TrialJob } from "./executor.js";

/** Resolves on a later turn of the event loop (setImmediate in Node; browsers have only setTimeout). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

export class InlineExecutor implements Executor {
  readonly kind = "inline";

  constructor(private readonly trainable: Trainable) {
    if (typeof trainable !== "function") throw new TypeError("InlineExecutor needs a trainable function (config, ctx) => ...");
  }

  start(job: TrialJob, host: TrialHost): TrialHandle {
    const controller = new AbortController();
    const transport = {
      async report(metrics: Metrics): Promise<Decision> {
        await nextTurn();
        return host.report(metrics);
      },
      checkpoint: (state: JsonValue) => host.checkpoint(state),
    };
    const ctx = makeContext(job, transport, controller.signal);
    // Start on a later microtask, so the runner finishes its bookkeeping first.
    const done = Promise.resolve().then(() => this.trainable(structuredClone(job.config), ctx)).then(() => undefined);
    return {
      done,
      kill: (reason: string) => controller.abort(new Error(reason)),
    };
  }

  async close(): Promise<void> {}
}
