// The code that runs inside a trial worker, a Node worker thread (worker-entry.ts) or a browser
// Web Worker (src/browser/web-worker-entry.ts): it loads the trainable named by module and export,
// runs one trial at a time on the parent's request, and relays reports, decisions and checkpoints
// as JSON messages (worker-protocol.ts).

import type { Decision, JsonValue, Metrics, Trainable } from "../types.js";
import { makeContext } from "./context.js";
import type { TrialJob } from "./executor.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";

/** The worker's side of its channel to the parent. */
export interface ParentChannel {
  post(message: FromWorker): void;
  onMessage(handler: (message: ToWorker) => void): void;
}

/** Serves trials over `parent` until the worker is terminated; says "ready" first. */
export function serveTrials(parent: ParentChannel): void {
  const trainables = new Map<string, Trainable>();
  const waiting = new Map<number, (d: Decision) => void>();
  let nextSeq = 0;

  async function load(module: string, name: string): Promise<Trainable> {
    const key = `${module}#${name}`;
    let fn = trainables.get(key);
    if (!fn) {
      const mod = (await import(module)) as Record<string, unknown>;
      const exported = mod[name];
      if (typeof exported !== "function") {
        const known = Object.keys(mod).filter((k) => typeof mod[k] === "function");
        throw new TypeError(`${module} has no function export named ${JSON.stringify(name)}; its function exports: ${known.join(", ") || "(none)"}`);
      }
      fn = exported as Trainable;
      trainables.set(key, fn);
    }
    return fn;
  }

  async function runTrial(module: string, name: string, job: TrialJob): Promise<void> {
    const ctx = makeContext(
      job,
      {
        report(metrics: Metrics): Promise<Decision> {
          const seq = nextSeq++;
          parent.post({ type: "report", seq, metrics });
          return new Promise((resolve) => waiting.set(seq, resolve));
        },
        checkpoint(state: JsonValue): void {
          parent.post({ type: "checkpoint", state });
        },
      },
      // A timed-out trial's worker is terminated, so nothing here ever aborts.
      new AbortController().signal,
    );
    try {
      const fn = await load(module, name);
      await fn(job.config, ctx);
      parent.post({ type: "done" });
    } catch (e) {
      const err = e instanceof Error ? { message: e.message || e.name, stack: e.stack } : { message: `the trainable threw a non-Error value: ${String(e)}` };
      parent.post({ type: "error", error: err });
    }
  }

  parent.onMessage((message) => {
    switch (message.type) {
      case "start":
        void runTrial(message.module, message.export, message.job);
        break;
      case "decision": {
        const resolve = waiting.get(message.seq);
        waiting.delete(message.seq);
        resolve?.(message.decision);
        break;
      }
    }
  });
  parent.post({ type: "ready" });
}
