// Training an MLP on the digits in a page: the data (fetched, split and standardised once), one
// trainer per model (model from a JSON spec, Adam, cross-entropy), and its state as JSON for the
// tuner's checkpoints. Everything runs on the backend init() chose (WebGPU, or the CPU).

import { Generator, data, losses, nn, optim, type tune } from "../../src/browser/index.js";

type Dataset = InstanceType<typeof data.Dataset>;
type Module = InstanceType<typeof nn.Module>;
type Optimizer = ReturnType<typeof optim.optimizers.create>;

export interface Digits {
  /** The pixels as they come: models standardise them with their first layer. */
  train: Dataset;
  validation: Dataset;
  /** That layer: the training part's per-pixel mean and 1/std, so that a downloaded model works
   *  on raw digits from its file alone. */
  standardize: tune.JsonObject;
}

/** The vendored digits from `url`, split 75/25 with a fixed seed, with the training part's statistics. */
export async function loadDigits(url: string, limits: { train?: number; validation?: number } = {}): Promise<Digits> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${url} failed: ${response.status} ${response.statusText}`);
  const full = await data.digitsFromBytes(new Uint8Array(await response.arrayBuffer()));
  const split = full.split({ validation: 0.25, generator: new Generator(7) });
  const first = (d: Dataset, n: number | undefined) => (n === undefined || n >= d.length ? d : d.subset(Array.from({ length: n }, (_, i) => i)));
  const train = first(split.train, limits.train);
  const validation = first(split.validation, limits.validation);
  const { mean, inverseStd } = train.statistics();
  return { train, validation, standardize: { type: "standardize", shift: mean, scale: inverseStd } };
}

/** What a trial's config holds (plain JSON, sampled by the tuner). */
export interface MlpConfig {
  activation: string;
  hidden: number;
  lr: number;
}

/**
 * The model spec of a config: 64 inputs standardised by `standardize`, one hidden layer with the
 * chosen activation, 10 classes.
 */
export function mlpSpec(config: MlpConfig, standardize: tune.JsonObject): tune.JsonObject {
  return {
    input: 64,
    layers: [
      standardize,
      { type: "linear", units: config.hidden },
      { type: "activation", name: config.activation },
      { type: "linear", units: 10 },
    ],
  };
}

/** Validation accuracy and mean cross-entropy of `model` on `dataset`. */
export function evaluate(model: Module, dataset: Dataset): Promise<{ accuracy: number; loss: number }> {
  return nn.evaluate(model, losses.create("crossEntropy", {}), dataset);
}

/** A trial's checkpoint: the epochs done and the model's and optimizer's state (nn.trainingState). */
interface TrainerCheckpoint extends nn.TrainingState {
  epoch: number;
}

/** One model in training. `seed` sets its initial weights and its batch order. */
export class Trainer {
  private readonly loss = losses.create("crossEntropy", {});
  private readonly loader: InstanceType<typeof data.DataLoader>;
  readonly model: Module;
  private readonly optimizer: Optimizer;

  constructor(
    readonly config: MlpConfig,
    seed: number,
    private readonly digits: Digits,
    batchSize: number,
  ) {
    this.model = nn.fromSpec(mlpSpec(config, digits.standardize), { seed });
    this.optimizer = optim.optimizers.create("adam", { params: this.model, lr: config.lr });
    this.loader = new data.DataLoader(digits.train, { batchSize, shuffle: true, seed });
  }

  /** Trains epoch `epoch` (0-based; it fixes the batch order); returns the mean training loss. */
  trainEpoch(epoch: number): Promise<number> {
    return nn.trainEpoch(this.model, this.optimizer, this.loss, this.loader, epoch);
  }

  evaluate(): Promise<{ accuracy: number; loss: number }> {
    return evaluate(this.model, this.digits.validation);
  }

  /** The model's and optimizer's state after `epochsDone` epochs, as JSON. */
  async checkpoint(epochsDone: number): Promise<tune.JsonValue> {
    const checkpoint: TrainerCheckpoint = { epoch: epochsDone, ...(await nn.trainingState(this.model, this.optimizer)) };
    return checkpoint as unknown as tune.JsonValue;
  }

  /** Loads a checkpoint() and returns the number of epochs it had done. */
  restore(json: tune.JsonValue): number {
    const checkpoint = json as unknown as TrainerCheckpoint;
    nn.loadTrainingState(checkpoint, this.model, this.optimizer);
    return checkpoint.epoch;
  }

  /** Frees the parameters and optimizer slots on the device. */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/**
 * The search's trainable: one Trainer per trial, one epoch per report, a checkpoint after each
 * (so a reload loses at most the epoch in progress, and the best trial's weights can be offered).
 */
export function digitsTrainable(digits: Digits, batchSize: number): tune.Trainable {
  return async (config, ctx) => {
    const trainer = new Trainer(config as unknown as MlpConfig, ctx.seed, digits, batchSize);
    try {
      const restored = ctx.restore();
      let epoch = restored === undefined ? 0 : trainer.restore(restored);
      for (;;) {
        if (ctx.signal.aborted) return;
        const trainLoss = await trainer.trainEpoch(epoch);
        const validation = await trainer.evaluate();
        epoch++;
        const decision = await ctx.report({ accuracy: validation.accuracy, loss: validation.loss, trainLoss });
        await ctx.checkpoint(await trainer.checkpoint(epoch));
        if (decision !== "continue") return;
      }
    } finally {
      trainer.dispose();
    }
  };
}
