// The experiment file that `tunegrad tune EXPERIMENT.json` runs. Everything in it is JSON: the
// search space (tune's tagged domains), a model spec template and an optimizer template whose
// {"$config": "key"} objects stand for the trial's sampled values, the dataset key, the training
// settings, the scheduler and the run settings. Mistakes are errors naming the JSON path
// ($.model.layers[1].name) and what would be right.
//
//   {
//     "name": "activation-search",
//     "metric": "accuracy",                       // "accuracy" (max) | "loss" (min) | "trainLoss" (min)
//     "seed": 42, "concurrency": 2,              // trials at once, each in a worker thread
//     "backend": "cpu",                           // "cpu" (default) | "webgpu" | "auto"
//     "space": { "act1": {"$type": "choice", "values": ["relu", "mish"]},
//                "lr": {"$type": "loguniform", "low": 0.001, "high": 0.1} },
//     "model": { "layers": [ {"type": "linear", "units": 64},
//                            {"type": "activation", "name": {"$config": "act1"}},
//                            {"type": "linear", "units": 10} ] },
//     "dataset": { "name": "digits", "validationFraction": 0.2 },   // or {"name": "csv", "path": ...}: dataset-setting.ts
//     "training": { "batchSize": 64, "loss": "crossEntropy",
//                   "optimizer": { "type": "adam", "lr": {"$config": "lr"} } },
//     "scheduler": { "type": "hyperband", "maxBudget": 27, "eta": 3 }
//   }
//
// One unit of budget is one epoch: the scheduler's maxBudget is the most epochs a trial trains.
import * as path from "node:path";
import { validateSpace } from "../tune/space.js";
import type { JsonObject, Mode } from "../tune/types.js";
import { parseDataset, type DatasetSetting } from "./dataset-setting.js";
import { findReferences, spaceHasKey } from "./experiment-template.js";
import { InputError, describe, fail, integer, object, oneOf, onlyKeys, readJsonFile, string, type Json } from "./json-checks.js";

/** The metrics the built-in trainable reports after each epoch, and which way each is better. */
export const REPORTED_METRICS: Readonly<Record<string, Mode>> = { accuracy: "max", loss: "min", trainLoss: "min" };

export const SCHEDULER_TYPES = ["hyperband", "asha", "fifo", "median"] as const;
export type SchedulerType = (typeof SCHEDULER_TYPES)[number];

/** What a trial needs besides its config; it crosses into worker threads, so it is JSON. */
export interface TrialPlan {
  model: JsonObject;
  dataset: DatasetSetting;
  training: { batchSize: number; loss: string; optimizer: JsonObject };
  /** The most epochs a trial trains (the scheduler's maxBudget). */
  maxEpochs: number;
  /** Where each trial's tensors live: "auto" is WebGPU when an adapter exists, else the CPU. */
  backend: "cpu" | "webgpu" | "auto";
}

export interface Experiment {
  name: string;
  metric: string;
  mode: Mode;
  seed: number | string;
  concurrency: number;
  executor: "worker" | "inline";
  /** Where the experiment directory goes, relative to the current directory (default runs/NAME). */
  storage: string;
  space: JsonObject;
  scheduler: { type: SchedulerType; options: JsonObject };
  /** How many trials for schedulers other than Hyperband (whose brackets decide). */
  numSamples?: number;
  maxRetries: number;
  /** Seconds a trial may go without reporting before it is recorded as errored (kind "timeout"). */
  trialTimeout?: number;
  plan: TrialPlan;
  /** The experiment file's directory: relative paths in the file (a CSV dataset's) are resolved
   *  against it. Kept in experiment.json, so that resume resolves them the same way. */
  directory: string;
}

function parseScheduler(value: Json): { type: SchedulerType; options: JsonObject; maxEpochs: number } {
  const at = "$.scheduler";
  const scheduler = object(value, at);
  const type = oneOf(scheduler.type, `${at}.type`, SCHEDULER_TYPES);
  const allowed: Record<SchedulerType, string[]> = {
    hyperband: ["maxBudget", "eta"],
    asha: ["maxBudget", "minBudget", "eta"],
    fifo: ["maxBudget"],
    median: ["maxBudget", "gracePeriod", "minSamples"],
  };
  onlyKeys(scheduler, at, ["type", ...allowed[type]]);
  const options: JsonObject = {};
  for (const key of allowed[type]) {
    if (scheduler[key] !== undefined) options[key] = integer(scheduler[key], `${at}.${key}`, key === "eta" ? 2 : 1);
  }
  // The built-in trainable trains until it is told to stop, so every scheduler needs a cap.
  const maxEpochs = integer(scheduler.maxBudget, `${at}.maxBudget`, 1);
  return { type, options, maxEpochs };
}

export function parseTraining(value: Json): TrialPlan["training"] {
  const at = "$.training";
  const training = object(value, at);
  onlyKeys(training, at, ["batchSize", "loss", "optimizer"]);
  const optimizer = object(training.optimizer ?? { type: "adam" }, `${at}.optimizer`);
  string(optimizer.type, `${at}.optimizer.type`);
  if (optimizer.params !== undefined) fail(`${at}.optimizer.params`, "is set by tunegrad (the model's parameters); leave it out");
  return {
    batchSize: integer(training.batchSize, `${at}.batchSize`, 1, 32),
    loss: string(training.loss, `${at}.loss`, "crossEntropy"),
    optimizer,
  };
}

/** Validates an experiment read from JSON. `fileName` gives the default name; relative paths
 *  are resolved against `directory` (by default the file's). */
export function parseExperiment(value: unknown, fileName = "experiment.json", directory = path.dirname(fileName)): Experiment {
  const root = object(value as Json, "$");
  onlyKeys(root, "$", [
    "name", "metric", "mode", "seed", "concurrency", "executor", "backend", "storage", "space", "model",
    "dataset", "training", "scheduler", "numSamples", "maxRetries", "trialTimeout",
  ]);
  const name = string(root.name, "$.name", path.basename(fileName, path.extname(fileName)));
  const metric = oneOf(root.metric, "$.metric", Object.keys(REPORTED_METRICS), "accuracy");
  const mode = oneOf<Mode>(root.mode, "$.mode", ["min", "max"], REPORTED_METRICS[metric]);
  const seed = root.seed === undefined ? 0 : root.seed;
  if (typeof seed !== "string" && (typeof seed !== "number" || !Number.isSafeInteger(seed))) fail("$.seed", `must be an integer or a string, got ${describe(seed)}`);

  const space = object(root.space, "$.space");
  try {
    validateSpace(space, "$.space");
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  const model = object(root.model, "$.model");
  const layers = model.layers;
  if (!Array.isArray(layers) || layers.length === 0) fail("$.model.layers", `must be a non-empty array of layer specs, got ${describe(layers)}`);
  const training = parseTraining(root.training ?? {});
  for (const reference of [...findReferences(model, "$.model"), ...findReferences(training.optimizer, "$.training.optimizer")]) {
    if (!spaceHasKey(space, reference.key)) {
      fail(reference.at, `refers to "${reference.key}", which is not a key of $.space; its keys are ${Object.keys(space).join(", ")}`);
    }
  }

  const scheduler = parseScheduler(root.scheduler);
  const experiment: Experiment = {
    name,
    metric,
    mode,
    seed,
    concurrency: integer(root.concurrency, "$.concurrency", 1, 1),
    executor: oneOf(root.executor, "$.executor", ["worker", "inline"] as const, "worker"),
    storage: string(root.storage, "$.storage", path.join("runs", name)),
    space,
    scheduler: { type: scheduler.type, options: scheduler.options },
    maxRetries: integer(root.maxRetries, "$.maxRetries", 0, 0),
    plan: {
      model,
      dataset: parseDataset(root.dataset, path.resolve(directory)),
      training,
      maxEpochs: scheduler.maxEpochs,
      backend: oneOf(root.backend, "$.backend", ["cpu", "webgpu", "auto"] as const, "cpu"),
    },
    directory: path.resolve(directory),
  };
  if (root.numSamples !== undefined) {
    if (scheduler.type === "hyperband") fail("$.numSamples", "must be left out with Hyperband: its brackets decide how many trials run");
    experiment.numSamples = integer(root.numSamples, "$.numSamples", 1);
  } else if (scheduler.type !== "hyperband") {
    fail("$.numSamples", `is needed with the ${scheduler.type} scheduler: how many trials to run`);
  }
  if (root.trialTimeout !== undefined) {
    if (typeof root.trialTimeout !== "number" || !(root.trialTimeout > 0)) fail("$.trialTimeout", `must be a positive number of seconds, got ${describe(root.trialTimeout)}`);
    experiment.trialTimeout = root.trialTimeout;
  }
  return experiment;
}

/** Reads and validates an experiment file. */
export function readExperiment(file: string): Experiment {
  return parseExperiment(readJsonFile(file, "experiment file"), file);
}
