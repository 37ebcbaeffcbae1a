// Checks an experiment before any trial starts, so that a typo fails at once with its JSON path
// instead of erroring every trial: the dataset, loss and optimizer keys exist, the dataset loads
// with its options, the optimizer takes the options given, and the model builds, with one output
// per class, for every value of every choice the templates refer to (an activation misspelled in
// a choice list is found even if no trial would draw it for a while).
import { datasets } from "../nn/data/datasets.js";
import { losses } from "../nn/losses.js";
import { optimizers } from "../nn/optim/index.js";
import type { Sequential } from "../nn/layers/sequential.js";
import { fromSpec } from "../nn/spec.js";
import { joinPath } from "../tune/json.js";
import { isDomain, sample } from "../tune/space.js";
import type { Config, JsonObject, JsonValue } from "../tune/types.js";
import { findReferences, resolveTemplate } from "./experiment-template.js";
import type { Experiment } from "./experiment.js";
import { InputError } from "./json-checks.js";
import { checkOutputs, trialModelSpec } from "./training-session.js";

function checkKey(registry: { has(key: string): boolean; keys(): string[] }, key: string, at: string, what: string): void {
  if (!registry.has(key)) throw new InputError(`${at}: unknown ${what} "${key}"; the known ${what} keys are ${registry.keys().join(", ")}`);
}

/** The top-level choice or grid domains that the model or optimizer templates refer to. */
function referencedChoices(experiment: Experiment): { key: string; values: JsonValue[] }[] {
  const keys = new Set([...findReferences(experiment.plan.model, "$.model"), ...findReferences(experiment.plan.training.optimizer, "$.training.optimizer")].map((r) => r.key));
  const choices: { key: string; values: JsonValue[] }[] = [];
  for (const key of keys) {
    const domain = experiment.space[key];
    if (isDomain(domain) && (domain.$type === "choice" || domain.$type === "grid")) choices.push({ key, values: domain.values });
  }
  return choices;
}

interface DatasetShape {
  name: string;
  numFeatures: number;
  numClasses: number;
}

/** Fails unless the optimizer exists and takes these options: their names (lr and the
 *  hyperparameters its state lists), then their values, by building it for `model`. */
function checkOptimizer(spec: JsonObject, model: Sequential): void {
  const { type, ...options } = spec;
  const at = "$.training.optimizer";
  checkKey(optimizers, String(type), `${at}.type`, "optimizer");
  // lr is every optimizer's (the base class's), and sgd has no default for it.
  const withDefaults = optimizers.create(String(type), { params: model, lr: 1e-3 });
  const known = Object.keys(withDefaults.stateDict().options);
  withDefaults.dispose();
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InputError(`${joinPath(at, key)} is not an option of optimizer "${String(type)}"; its options are type, ${known.join(", ")}`);
  }
  try {
    optimizers.create(String(type), { params: model, ...options }).dispose();
  } catch (error) {
    throw new InputError(`${at}: ${(error as Error).message}`);
  }
}

/** Runs a check; its error is prefixed with `label` (what was being tried), when there is one. */
function labelled<T>(label: string | undefined, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (label === undefined) throw error;
    throw new InputError(`${label}: ${(error as Error).message}`);
  }
}

/** Builds the model and optimizer of `config`. `choice` names the choice value being tried;
 *  without it (the sampled config) model errors say so, and optimizer errors name their own path. */
function tryBuild(experiment: Experiment, config: Config, dataset: DatasetShape, choice?: string): void {
  const modelLabel = choice ?? "$.model with a sampled config";
  const model = labelled(modelLabel, () => fromSpec(trialModelSpec(experiment.plan, config, dataset.numFeatures)));
  try {
    labelled(modelLabel, () => checkOutputs(model, dataset.numFeatures, dataset.numClasses, dataset.name));
    labelled(choice, () => checkOptimizer(resolveTemplate(experiment.plan.training.optimizer, config, "$.training.optimizer") as JsonObject, model));
  } finally {
    model.dispose();
  }
}

export async function preflight(experiment: Experiment): Promise<void> {
  const { plan } = experiment;
  checkKey(datasets, plan.dataset.name, "$.dataset", "dataset");
  checkKey(losses, plan.training.loss, "$.training.loss", "loss");
  let loaded: { numFeatures: number; numClasses: number };
  try {
    loaded = await datasets.create(plan.dataset.name, plan.dataset.options);
  } catch (error) {
    throw new InputError(`$.dataset: ${(error as Error).message}`);
  }
  const { numFeatures, numClasses } = loaded;
  const dataset = { name: plan.dataset.name, numFeatures, numClasses };
  const base = sample(experiment.space, { seed: experiment.seed });
  tryBuild(experiment, base, dataset);
  for (const { key, values } of referencedChoices(experiment)) {
    values.forEach((value, i) => {
      // Nested domains inside a choice value are drawn as a trial would draw them.
      const drawn = sample({ [key]: value }, { seed: experiment.seed })[key]!;
      tryBuild(experiment, { ...base, [key]: drawn }, dataset, `${joinPath(joinPath(joinPath("$.space", key), "values"), i)} (${JSON.stringify(value)})`);
    });
  }
}
