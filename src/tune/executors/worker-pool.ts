// Runs trials in a pool of workers, one trial per worker at a time, reusing idle workers,
// whatever a worker is: a Node worker thread (worker.ts) or a browser Web Worker
// (src/browser/web-worker-executor.ts). Only the JSON messages of worker-protocol.ts cross. A
// worker that dies mid-trial fails that trial with kind "crash" and is replaced; a worker whose
// trial failed or timed out is terminated rather than reused (the trainable may have left work
// running in it).

import type { Decision } from "../types.js";
import { TrialFailure, toTrialError, type Executor, type TrialHandle, type TrialHost, type TrialJob } from "./executor.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";

/** What the pool needs of one worker. */
export interface TrialWorker {
  post(message: ToWorker): void;
  /** Stops the worker; events it fires afterwards are ignored. */
  terminate(): Promise<unknown> | void;
}

/** What a worker tells the pool. */
export interface TrialWorkerEvents {
  message(message: FromWorker): void;
  /** The worker died, exited or cannot be loaded; `reason` says which, for the trial's error. */
  failure(reason: string): void;
}

/** Starts one worker that runs the trial-serving loop of trial-worker-loop.ts. */
export type SpawnTrialWorker = (events: TrialWorkerEvents) => TrialWorker;

interface PooledWorker {
  worker: TrialWorker;
  ready: Promise<void>;
  /** The trial this worker runs, if any. */
  current?: { host: TrialHost; resolve: () => void; reject: (e: TrialFailure) => void };
  dead: boolean;
}

export class WorkerPoolExecutor implements Executor {
  private readonly idle: PooledWorker[] = [];
  private readonly all = new Set<PooledWorker>();

  /** `moduleUrl` and `exportName` name the trainable each worker imports. */
  constructor(
    readonly kind: string,
    private readonly moduleUrl: string,
    private readonly exportName: string,
    private readonly spawnWorker: SpawnTrialWorker,
  ) {}

  private spawn(): PooledWorker {
    let markReady!: () => void;
    const pooled = { ready: new Promise<void>((r) => (markReady = r)), dead: false } as PooledWorker;
    pooled.worker = this.spawnWorker({
      message: (m) => this.onMessage(pooled, m, markReady),
      failure: (reason) => {
        if (pooled.dead) return;
        this.retire(pooled);
        const current = pooled.current;
        pooled.current = undefined;
        current?.reject(new TrialFailure({ kind: "crash", message: reason }));
        markReady(); // unblocks a start() waiting on a worker that died while booting
      },
    });
    this.all.add(pooled);
    return pooled;
  }

  private onMessage(pooled: PooledWorker, m: FromWorker, markReady: () => void): void {
    const current = pooled.current;
    switch (m.type) {
      case "ready":
        markReady();
        return;
      case "report":
        current?.host.report(m.metrics).then(
          (decision: Decision) => {
            if (!pooled.dead) pooled.worker.post({ type: "decision", seq: m.seq, decision });
          },
          // The host refused the report (bad metrics): the trial fails with that error.
          (e: unknown) => this.finish(pooled, new TrialFailure(toTrialError(e))),
        );
        return;
      case "checkpoint":
        try {
          current?.host.checkpoint(m.state);
        } catch (e) {
          this.finish(pooled, new TrialFailure(toTrialError(e)));
        }
        return;
      case "done":
        this.finish(pooled);
        return;
      case "error":
        this.finish(pooled, new TrialFailure({ kind: "error", message: m.error.message, ...(m.error.stack ? { stack: m.error.stack } : {}) }));
        return;
    }
  }

  /** Takes a worker out of the pool for good. */
  private retire(pooled: PooledWorker): void {
    pooled.dead = true;
    this.all.delete(pooled);
    const i = this.idle.indexOf(pooled);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Ends the current trial of a worker and returns the worker to the pool, or terminates it after a failure. */
  private finish(pooled: PooledWorker, error?: TrialFailure): void {
    const current = pooled.current;
    if (!current) return;
    pooled.current = undefined;
    if (error) {
      this.retire(pooled);
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
    const started = pooled.ready.then(() => {
      if (pooled.dead || killed) return;
      pooled.worker.post({ type: "start", module: this.moduleUrl, export: this.exportName, job });
    });
    return {
      done,
      started,
      kill: (reason: string) => {
        killed = true;
        this.retire(pooled);
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
