// The training spec that `tunegrad train SPEC.json` runs: one model, one dataset, a number of
// epochs. The model and optimizer may hold {"$config": "key"} references filled from "config",
// so the best config of a tune run can be pasted in as it is.
//
//   {
//     "model": { "layers": [ {"type": "linear", "units": 128}, {"type": "activation", "name": "mish"},
//                            {"type": "linear", "units": 10} ] },
//     "dataset": "digits",          // or {"name": "csv", "path": "data.csv"}, relative to this file
//     "training": { "batchSize": 32, "optimizer": { "type": "adam", "lr": 0.003 } },
//     "epochs": 20, "seed": 0, "backend": "cpu",
//     "config": { }
//   }
import * as path from "node:path";
import type { JsonObject } from "../tune/types.js";
import { findReferences, lookup } from "./experiment-template.js";
import { parseDataset } from "./dataset-setting.js";
import { parseTraining, type TrialPlan } from "./experiment.js";
import { fail, integer, object, oneOf, onlyKeys, readJsonFile } from "./json-checks.js";

export interface TrainSpec {
  plan: TrialPlan;
  config: JsonObject;
  seed: number;
  /** The default output file: the spec's name with .safetensors. */
  defaultOut: string;
}

export function parseTrainSpec(value: unknown, file: string): TrainSpec {
  const root = object(value as JsonObject, "$");
  onlyKeys(root, "$", ["model", "dataset", "training", "epochs", "seed", "backend", "config"]);
  const model = object(root.model, "$.model");
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail("$.model.layers", "must be a non-empty array of layer specs");
  const training = parseTraining(root.training ?? {});
  const config = root.config === undefined ? {} : object(root.config, "$.config");
  for (const reference of [...findReferences(model, "$.model"), ...findReferences(training.optimizer, "$.training.optimizer")]) {
    if (lookup(config, reference.key) === undefined) fail(reference.at, `refers to "${reference.key}", which $.config does not give`);
  }
  return {
    plan: {
      model,
      dataset: parseDataset(root.dataset, path.dirname(path.resolve(file))),
      training,
      maxEpochs: integer(root.epochs, "$.epochs", 1, 10),
      backend: oneOf(root.backend, "$.backend", ["cpu", "webgpu", "auto"] as const, "cpu"),
    },
    config,
    seed: integer(root.seed, "$.seed", 0, 0),
    defaultOut: `${path.basename(file, path.extname(file))}.safetensors`,
  };
}

export function readTrainSpec(file: string): TrainSpec {
  return parseTrainSpec(readJsonFile(file, "training spec"), file);
}
