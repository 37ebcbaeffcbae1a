// `tunegrad train SPEC.json [--out FILE] [--epochs N]`: trains one model and saves it (spec and
// weights) as safetensors, printing the validation metrics after each epoch.
import * as path from "node:path";
import { save } from "../../nn/weights-node.js";
import { UsageError } from "../args.js";
import type { CliCommand } from "../command.js";
import { readTrainSpec } from "../train-spec.js";
import { ensureBackend, TrainingSession } from "../training-session.js";

function formatMetric(value: number | null): string {
  return value === null ? "n/a" : value.toFixed(4);
}

export const trainCommand: CliCommand = {
  spec: {
    name: "train",
    summary: "Train one model from a JSON spec (model, dataset, training, epochs) and save its weights as safetensors.",
    positionals: [{ name: "SPEC.json", description: "the training spec (model spec, dataset, training settings, epochs)" }],
    flags: {
      out: { kind: "string", valueName: "FILE", description: "where to write the model (default: SPEC.safetensors in the current directory)" },
      epochs: { kind: "integer", valueName: "N", description: "train N epochs instead of the spec's \"epochs\"" },
    },
  },

  async run({ positionals, flags }, io) {
    const spec = readTrainSpec(positionals["SPEC.json"]!);
    const epochs = (flags.epochs as number | undefined) ?? spec.plan.maxEpochs;
    if (epochs < 1) throw new UsageError(`--epochs needs an integer >= 1, got ${epochs}`);
    const out = (flags.out as string | undefined) ?? spec.defaultOut;

    const device = await ensureBackend(spec.plan.backend);
    const session = await TrainingSession.create(spec.plan, spec.config, spec.seed);
    io.stdout.write(`Training on ${spec.plan.dataset.name} for ${epochs} epoch${epochs === 1 ? "" : "s"} on ${device.backend} (${device.reason})\n`);
    io.stdout.write("epoch  train loss  val loss  val accuracy\n");
    const started = Date.now();
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const metrics = await session.runEpoch(epoch);
        io.stdout.write(
          `${String(epoch + 1).padStart(5)}  ${formatMetric(metrics.trainLoss).padStart(10)}  ${formatMetric(metrics.loss).padStart(8)}  ${formatMetric(metrics.accuracy).padStart(12)}\n`,
        );
      }
      await save(session.model, out);
    } finally {
      session.dispose();
    }
    io.stdout.write(`Trained in ${((Date.now() - started) / 1000).toFixed(1)} s; wrote ${path.resolve(out)}\n`);
    return 0;
  },
};
