// The code that runs inside a worker thread: it loads the trainable named by module and export,
// runs one trial at a time on the parent's request, and relays reports, decisions and
// checkpoints as JSON messages. See worker.ts for the protocol.

import { parentPort } from "node:worker_threads";
import type { Decision, JsonValue, Metrics, Trainable } from "../types.js";
import { makeContext } from "./context.js";
import type { TrialJob } from "./executor.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("worker-entry runs only inside a worker thread");

const trainables = new Map<string, Trainable>();
const waiting = new Map<number, (d: Decision) => void>();
let controller: AbortController | undefined;
let nextSeq = 0;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

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
  controller = new AbortController();
  const ctx = makeContext(
    job,
    {
      report(metrics: Metrics): Promise<Decision> {
        const seq = nextSeq++;
        send({ type: "report", seq, metrics });
        return new Promise((resolve) => waiting.set(seq, resolve));
      },
      checkpoint(state: JsonValue): void {
        send({ type: "checkpoint", state });
      },
    },
    controller.signal,
  );
  try {
    const fn = await load(module, name);
    await fn(job.config, ctx);
    send({ type: "done" });
  } catch (e) {
    const err = e instanceof Error ? { message: e.message || e.name, stack: e.stack } : { message: `the trainable threw a non-Error value: ${String(e)}` };
    send({ type: "error", error: err });
  }
}

port.on("message", (message: ToWorker) => {
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

send({ type: "ready" });
