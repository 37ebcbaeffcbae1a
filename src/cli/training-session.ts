// One model in training, for the built-in trainable and for `tunegrad train`: the model built
// from a spec template and a config, its optimizer, loss and data, one epoch at a time, and its
// whole state as JSON (for checkpoints).
import { init, type InitResult } from "../init.js";
import { Generator } from "../tensor/index.js";
import { evaluate, trainEpoch } from "../nn/training-loop.js";
import { load as loadDataset } from "../nn/data/datasets.js";
import type { Dataset } from "../nn/data/dataset.js";
import { DataLoader } from "../nn/data/loader.js";
import { losses, type LossFn } from "../nn/losses.js";
import { optimizers, type Optimizer } from "../nn/optim/index.js";
import { fromSpec } from "../nn/spec.js";
import { Sequential } from "../nn/layers/sequential.js";
import { Standardize } from "../nn/layers/standardize.js";
import { loadTrainingState, trainingState, type TrainingState } from "../nn/training-state.js";
import type { Config, JsonObject, JsonValue } from "../tune/types.js";
import { resolveTemplate } from "./experiment-template.js";
import type { TrialPlan } from "./experiment.js";

// ---------------------------------------------------------------------------------------------
// The device: chosen once per thread (each worker thread has its own engine).

let backendReady: Promise<InitResult> | undefined;

/** Chooses this thread's device once; later calls get the first choice. */
export function ensureBackend(backend: TrialPlan["backend"]): Promise<InitResult> {
  backendReady ??= init({ backend });
  return backendReady;
}

// ---------------------------------------------------------------------------------------------
// Data: loaded once per thread and split the same way in every trial.

interface PreparedData {
  /** The features as they come: the model standardises them itself (its first layer). */
  train: Dataset;
  validation: Dataset;
  numClasses: number;
  /** The training part's statistics only (validation stays unseen), for the model's first layer,
   *  (x − mean)·(1/std): a saved model then works on raw features from its file alone. */
  statistics: { mean: number[]; inverseStd: number[] };
}

const preparedData = new Map<string, Promise<PreparedData>>();

function prepareData(dataset: TrialPlan["dataset"]): Promise<PreparedData> {
  const key = JSON.stringify(dataset);
  let prepared = preparedData.get(key);
  if (prepared === undefined) {
    prepared = (async () => {
      const full = await loadDataset(dataset.name, dataset.options);
      const { train, validation } = full.split({ validation: dataset.validationFraction, generator: new Generator(dataset.splitSeed) });
      return { train, validation, numClasses: full.numClasses, statistics: train.statistics() };
    })();
    preparedData.set(key, prepared);
  }
  return prepared;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints: the epochs done, and the model's and optimizer's state as JSON (nn.trainingState).

interface TrialCheckpoint extends TrainingState {
  epoch: number;
}

// ---------------------------------------------------------------------------------------------
// Training

/** The model spec for this trial: the template with the config filled in, and the input size. */
export function trialModelSpec(plan: TrialPlan, config: Config, numFeatures: number): JsonObject {
  const spec = resolveTemplate(plan.model, config, "$.model") as JsonObject;
  return spec.input === undefined ? { input: numFeatures, ...spec } : spec;
}

/** A non-finite value (a diverged loss) is reported as null, which ranks last. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export interface EpochMetrics {
  /** Validation accuracy. */
  accuracy: number;
  /** Validation loss; null when it is not finite (a diverged run). */
  loss: number | null;
  trainLoss: number | null;
}

/** Fails unless the model gives one score per class of the dataset. */
export function checkOutputs(model: Sequential, numFeatures: number, numClasses: number, datasetName: string): void {
  const outputs = model.outputSize(numFeatures);
  if (outputs !== numClasses) {
    throw new Error(`$.model: the model outputs ${outputs} values but dataset "${datasetName}" has ${numClasses} classes; make the last linear layer's units ${numClasses}`);
  }
}

/** What one trial trains: everything but the schedule. `seed` sets the initial weights and the batch order. */
export class TrainingSession {
  private constructor(
    readonly model: Sequential,
    readonly optimizer: Optimizer,
    private readonly loss: LossFn,
    private readonly loader: DataLoader,
    private readonly data: PreparedData,
  ) {}

  static async create(plan: TrialPlan, config: Config, seed: number): Promise<TrainingSession> {
    await ensureBackend(plan.backend);
    const data = await prepareData(plan.dataset);
    // Built from the experiment's own spec (so that its errors name the layers as the file does),
    // then given the standardize layer in front.
    const layers = fromSpec(trialModelSpec(plan, config, data.train.numFeatures), { seed }).layers;
    const { mean, inverseStd } = data.statistics;
    const model = new Sequential([new Standardize(mean, inverseStd), ...layers], { input: data.train.numFeatures });
    try {
      checkOutputs(model, data.train.numFeatures, data.numClasses, plan.dataset.name);
      const { type, ...optimizerOptions } = resolveTemplate(plan.training.optimizer, config, "$.training.optimizer") as JsonObject;
      const optimizer = optimizers.create(type as string, { params: model, ...optimizerOptions });
      const loss = losses.create(plan.training.loss, {});
      const loader = new DataLoader(data.train, { batchSize: plan.training.batchSize, shuffle: true, seed });
      return new TrainingSession(model, optimizer, loss, loader, data);
    } catch (error) {
      // The session never existed, so nobody else will free the model's parameters.
      model.dispose();
      throw error;
    }
  }

  /** Trains epoch `epoch` (0-based; it fixes the batch order) and evaluates on the validation part. */
  async runEpoch(epoch: number): Promise<EpochMetrics> {
    const trainLoss = await trainEpoch(this.model, this.optimizer, this.loss, this.loader, epoch);
    const validation = await evaluate(this.model, this.loss, this.data.validation, 1024);
    return { accuracy: validation.accuracy, loss: finiteOrNull(validation.loss), trainLoss: finiteOrNull(trainLoss) };
  }

  /** The model's and optimizer's state after `epochsDone` epochs, as JSON. */
  async checkpoint(epochsDone: number): Promise<JsonValue> {
    const checkpoint: TrialCheckpoint = { epoch: epochsDone, ...(await trainingState(this.model, this.optimizer)) };
    return checkpoint as unknown as JsonValue;
  }

  /** Loads a checkpoint() and returns the number of epochs it had done. */
  restore(checkpoint: JsonValue): number {
    const state = checkpoint as unknown as TrialCheckpoint;
    loadTrainingState(state, this.model, this.optimizer);
    return state.epoch;
  }

  /** Frees the model's parameters and the optimizer's state (on a GPU they would outlive the trial). */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
