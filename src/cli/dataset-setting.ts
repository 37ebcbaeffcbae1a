// The "dataset" of an experiment or a training spec: a dataset key, or an object with the key,
// the validation split, and the options of that dataset in the nn datasets registry (csv's
// file, label column and header; digits' scaling). The options are checked here, so that a
// mistake names its JSON path before anything runs, and a CSV's relative path is resolved
// against the directory of the file that names it (not the current directory, nor a worker's).
//
//   "dataset": "iris"
//   "dataset": { "name": "csv", "path": "data/flowers.csv", "labelColumn": "species", "header": true,
//                "validationFraction": 0.25, "splitSeed": 0 }
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import type { JsonObject, JsonValue } from "../tune/types.js";
import { describe, fail, integer, object, onlyKeys, string, type Json } from "./json-checks.js";

export interface DatasetSetting {
  /** The key in the nn datasets registry. */
  name: string;
  /** The options its registry entry takes; a csv path is absolute. */
  options: JsonObject;
  validationFraction: number;
  splitSeed: number;
}

/** Checks one option's value at `at`, returning what the registry gets. */
type OptionCheck = (value: JsonValue, at: string, baseDir: string) => JsonValue;

const trueOrFalse: OptionCheck = (value, at) => (typeof value === "boolean" ? value : fail(at, `must be true or false, got ${describe(value)}`));

const csvFile: OptionCheck = (value, at, baseDir) => {
  const file = path.resolve(baseDir, string(value, at));
  if (!existsSync(file) || !statSync(file).isFile()) fail(at, `names no file: ${file} does not exist (a relative path is resolved against ${baseDir})`);
  return file;
};

const labelColumn: OptionCheck = (value, at) => {
  if ((typeof value === "number" && Number.isSafeInteger(value)) || (typeof value === "string" && value !== "")) return value;
  return fail(at, `must be a column index (negative counts from the end) or a header name, got ${describe(value)}`);
};

const csvHeader: OptionCheck = (value, at) => (value === true || value === false || value === "auto" ? value : fail(at, `must be true, false or "auto", got ${describe(value)}`));

interface DatasetOptions {
  checks: Readonly<Record<string, OptionCheck>>;
  /** Options that must be given, each with an example of its value. */
  required: Readonly<Record<string, string>>;
}

/** The options of the registry's built-in datasets (src/nn/data/datasets.ts). */
const DATASET_OPTIONS: Readonly<Record<string, DatasetOptions>> = {
  digits: { checks: { scale: trueOrFalse }, required: {} },
  iris: { checks: {}, required: {} },
  csv: { checks: { path: csvFile, labelColumn, header: csvHeader }, required: { path: '"data.csv"' } },
};

const SPLIT_SETTINGS = ["name", "validationFraction", "splitSeed"];

/** Validates $.dataset; `baseDir` is the directory relative paths in it are resolved against. */
export function parseDataset(value: Json, baseDir: string): DatasetSetting {
  const at = "$.dataset";
  const dataset: JsonObject = typeof value === "string" ? { name: value } : object(value, at);
  const name = string(dataset.name, typeof value === "string" ? at : `${at}.name`);
  // An unknown name takes no options here; the pre-run checks list the known datasets.
  const known = DATASET_OPTIONS[name] ?? { checks: {}, required: {} };
  onlyKeys(dataset, at, [...SPLIT_SETTINGS, ...Object.keys(known.checks)]);
  for (const [key, example] of Object.entries(known.required)) {
    if (dataset[key] === undefined) {
      fail(at, `needs "${key}" for dataset "${name}", e.g. {"name": "${name}", "${key}": ${example}}; its options are ${Object.keys(known.checks).join(", ")}`);
    }
  }
  const options: JsonObject = {};
  for (const [key, check] of Object.entries(known.checks)) {
    if (dataset[key] !== undefined) options[key] = check(dataset[key], `${at}.${key}`, baseDir);
  }
  const validationFraction = dataset.validationFraction ?? 0.2;
  if (typeof validationFraction !== "number" || !(validationFraction > 0 && validationFraction < 1)) {
    fail(`${at}.validationFraction`, `must be a number between 0 and 1 (exclusive), got ${describe(validationFraction)}`);
  }
  return { name, options, validationFraction, splitSeed: integer(dataset.splitSeed, `${at}.splitSeed`, 0, 0) };
}
