// Checks an experiment before any trial starts, so that a typo fails at once with its JSON path
// instead of erroring every trial: the dataset, loss and optimizer keys exist, and the model
// builds, with one output per class, for every value of every choice the templates refer to (an
// activation misspelled in a choice list is found even if no trial would draw it for a while).
import { datasets } from "../nn/data/datasets.js";
import { losses } from "../nn/losses.js";
import { optimizers } from "../nn/optim/index.js";
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

function tryBuild(experiment: Experiment, config: Config, dataset: DatasetShape, what: string): void {
  try {
    const model = fromSpec(trialModelSpec(experiment.plan, config, dataset.numFeatures));
    try {
      checkOutputs(model, dataset.numFeatures, dataset.numClasses, dataset.name);
    } finally {
      model.dispose();
    }
    const { type } = resolveTemplate(experiment.plan.training.optimizer, config, "$.training.optimizer") as JsonObject;
    checkKey(optimizers, String(type), "$.training.optimizer.type", "optimizer");
  } catch (error) {
    throw new InputError(`${what}: ${(error as Error).message}`);
  }
}

export async function preflight(experiment: Experiment): Promise<void> {
  const { plan } = experiment;
  checkKey(datasets, plan.dataset.name, "$.dataset", "dataset");
  checkKey(losses, plan.training.loss, "$.training.loss", "loss");
  const { numFeatures, numClasses } = await datasets.create(plan.dataset.name, {});
  const dataset = { name: plan.dataset.name, numFeatures, numClasses };
  const base = sample(experiment.space, { seed: experiment.seed });
  tryBuild(experiment, base, dataset, "$.model with a sampled config");
  for (const { key, values } of referencedChoices(experiment)) {
    values.forEach((value, i) => {
      // Nested domains inside a choice value are drawn as a trial would draw them.
      const drawn = sample({ [key]: value }, { seed: experiment.seed })[key]!;
      tryBuild(experiment, { ...base, [key]: drawn }, dataset, `${joinPath(joinPath(joinPath("$.space", key), "values"), i)} (${JSON.stringify(value)})`);
    });
  }
}
