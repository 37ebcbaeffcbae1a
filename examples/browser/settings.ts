// The demo's sizes. The full demo trains on all 1,347 training digits; `?test=1` (used by the
// browser test, where WebGPU runs on SwiftShader at about 1 GFLOP/s) keeps every size tiny.
// `?backend=cpu` forces the CPU backend; `?experiment=NAME` names the IndexedDB experiment;
// `?executor=inline` runs the trials on the page (sharing its GPU device) instead of in Web Workers.

import { tune } from "../../src/browser/index.js";
import type { MlpConfig } from "./training.js";

export interface DemoSettings {
  test: boolean;
  backend: "auto" | "webgpu" | "cpu";
  /** Where trials run: "worker" (Web Workers, each with its own device) or "inline" (on the page). */
  executor: "worker" | "inline";
  /** The vendored digits, relative to the page. */
  dataUrl: string;
  /** The IndexedDB experiment that holds the search. */
  experiment: string;
  /** How many training and validation examples to keep (all when absent). */
  limits: { train?: number; validation?: number };
  batchSize: number;
  /** The single model of section 1. */
  single: { config: MlpConfig; epochs: number; seed: number };
  search: { space: tune.Space; maxBudget: number; eta: number; concurrency: number; seed: number };
}

const ACTIVATIONS = ["relu", "tanh", "sigmoid", "mish", "gelu", "silu", "elu", "selu", "softsign", "hardSwish"];

export function settingsFromUrl(search: string): DemoSettings {
  const query = new URLSearchParams(search);
  const test = query.get("test") === "1";
  const backend = query.get("backend") ?? "auto";
  if (backend !== "auto" && backend !== "webgpu" && backend !== "cpu") {
    throw new Error(`?backend= must be auto, webgpu or cpu, got ${JSON.stringify(backend)}`);
  }
  const executor = query.get("executor") ?? "worker";
  if (executor !== "worker" && executor !== "inline") {
    throw new Error(`?executor= must be worker (Web Workers) or inline (on the page), got ${JSON.stringify(executor)}`);
  }
  const common = { test, backend, executor, dataUrl: "data/digits.csv.gz", batchSize: 64 } as const;
  if (test) {
    return {
      ...common,
      experiment: query.get("experiment") ?? "digits-activations-test",
      limits: { train: 256, validation: 128 },
      single: { config: { activation: "relu", hidden: 16, lr: 0.02 }, epochs: 5, seed: 1 },
      search: {
        space: { activation: tune.choice(["relu", "tanh", "sigmoid", "mish", "gelu"]), hidden: 16, lr: tune.loguniform(0.005, 0.05) },
        // 10 trials, 28 epochs: long enough for the test to reload the page mid-search.
        maxBudget: 4,
        eta: 2,
        concurrency: 2,
        seed: 42,
      },
    };
  }
  return {
    ...common,
    experiment: query.get("experiment") ?? "digits-activations",
    limits: {},
    single: { config: { activation: "relu", hidden: 32, lr: 0.01 }, epochs: 15, seed: 1 },
    search: {
      space: { activation: tune.choice(ACTIVATIONS), hidden: tune.choice([32, 64]), lr: tune.loguniform(0.001, 0.03) },
      maxBudget: 9,
      eta: 3,
      concurrency: 2,
      seed: 42,
    },
  };
}
