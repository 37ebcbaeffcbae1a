// Runs trials in Node worker threads, one trial per worker at a time, reusing idle workers.
// The trainable is named by module and export; only JSON crosses the thread boundary. A worker
// that exits or dies mid-trial fails that trial with kind "crash", and is replaced; a trial
// that times out has its worker terminated.
//
// `node --import tsx` does not reach worker threads, so when this code runs from .ts sources
// (or the trainable is a .ts file) each worker first registers tsx itself.

import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { Decision, TrainableRef } from "../types.js";
import { TrialFailure, type Executor, type TrialHandle, type TrialHost, type TrialJob } from "./executor.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";

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

interface PooledWorker {
  worker: Worker;
  ready: Promise<void>;
  /** The trial this worker runs, if any. */
  current?: { host: TrialHost; resolve: () => void; reject: (e: TrialFailure) => void };
  dead: boolean;
}

export interface WorkerExecutorOptions {
  /** Extra options for each Worker (resourceLimits, env). */
  workerOptions?: Pick<WorkerOptions, "resourceLimits" | "env">;
}

export class WorkerExecutor implements Executor {
  readonly kind = "worker";
  private readonly url: string;
  private readonly exportName: string;
  private readonly code: string;
  private readonly idle: PooledWorker[] = [];
  private readonly all = new Set<PooledWorker>();

  constructor(ref: TrainableRef, private readonly options: WorkerExecutorOptions = {}) {
    if (!ref || typeof ref.module !== "string" || typeof ref.export !== "string") {
      throw new TypeError(`a worker trainable is named as { module: "path or URL", export: "name" }, got ${JSON.stringify(ref)}`);
    }
    this.url = moduleUrl(ref.module);
    this.exportName = ref.export;
    this.code = bootstrapCode(needsTsx(this.url) ? resolveTsx() : undefined);
  }

  private spawn(): PooledWorker {
    const worker = new Worker(this.code, { eval: true, ...(this.options.workerOptions ?? {}) });
    let markReady!: () => void;
    const pooled: PooledWorker = { worker, ready: new Promise((r) => (markReady = r)), dead: false };
    const fail = (message: string) => {
      if (pooled.dead) return;
      pooled.dead = true;
      this.all.delete(pooled);
      const i = this.idle.indexOf(pooled);
      if (i >= 0) this.idle.splice(i, 1);
      const current = pooled.current;
      pooled.current = undefined;
      current?.reject(new TrialFailure({ kind: "crash", message }));
      markReady(); // unblock a start() waiting on a worker that died while booting
    };
    worker.on("message", (m: FromWorker) => {
      const current = pooled.current;
      switch (m.type) {
        case "ready":
          markReady();
          return;
        case "report":
          current?.host.report(m.metrics).then(
            (decision: Decision) => {
              if (!pooled.dead) worker.postMessage({ type: "decision", seq: m.seq, decision } satisfies ToWorker);
            },
            // The host refused the report (bad metrics): the trial fails with that error.
            (e: Error) => this.finish(pooled, new TrialFailure({ kind: "error", message: e.message, ...(e.stack ? { stack: e.stack } : {}) })),
          );
          return;
        case "checkpoint":
          try {
            current?.host.checkpoint(m.state);
          } catch (e) {
            this.finish(pooled, new TrialFailure({ kind: "error", message: (e as Error).message }));
          }
          return;
        case "done":
          this.finish(pooled);
          return;
        case "error":
          this.finish(pooled, new TrialFailure({ kind: "error", message: m.error.message, ...(m.error.stack ? { stack: m.error.stack } : {}) }));
          return;
      }
    });
    worker.on("error", (e) => fail(`the trial's worker thread died: ${e.message}`));
    worker.on("exit", (code) => fail(`the trial's worker thread exited with code ${code} before the trial ended`));
    this.all.add(pooled);
    return pooled;
  }

  /** Ends the current trial of a worker and returns the worker to the pool. */
  private finish(pooled: PooledWorker, error?: TrialFailure): void {
    const current = pooled.current;
    if (!current) return;
    pooled.current = undefined;
    if (error) {
      // The trainable may have left work running in that worker: do not reuse it.
      pooled.dead = true;
      this.all.delete(pooled);
      void pooled.worker.terminate();
      current.reject(error);
    } else {
      this.idle.push(pooled);
      current.resolve();
    }
  }

  start(job: TrialJob, host: TrialHost): TrialHandle {
    const pooled = this.idle.pop() ?? this.spawn();
    let killed = false;
    const done = new Promise<void>((resolve, reject) => {
      pooled.current = { host, resolve, reject };
    });
    void pooled.ready.then(() => {
      if (pooled.dead || killed) return;
      pooled.worker.postMessage({ type: "start", module: this.url, export: this.exportName, job } satisfies ToWorker);
    });
    return {
      done,
      kill: (reason: string) => {
        killed = true;
        pooled.dead = true;
        this.all.delete(pooled);
        pooled.current?.reject(new TrialFailure({ kind: "timeout", message: reason }));
        pooled.current = undefined;
        void pooled.worker.terminate();
      },
    };
  }

  async close(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    for (const p of workers) p.dead = true;
    await Promise.all(workers.map((p) => p.worker.terminate()));
  }
}
