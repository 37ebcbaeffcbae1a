// `tunegrad tune EXPERIMENT.json [--dir RUN_DIR]`: runs the experiment the file describes.
import type { CliCommand } from "../command.js";
import { parseExperiment } from "../experiment.js";
import { InputError, readJsonFile } from "../json-checks.js";
import { formatRunSummary, holdsExperiment, runExperiment } from "../run-experiment.js";
import type { JsonObject } from "../../tune/types.js";

export const tuneCommand: CliCommand = {
  spec: {
    name: "tune",
    summary: "Run an experiment described in JSON (space, model spec template, dataset, scheduler) and print the best config.",
    positionals: [{ name: "EXPERIMENT.json", description: "the experiment file (see examples/activation-search/experiment.json)" }],
    flags: {
      dir: { kind: "string", valueName: "RUN_DIR", description: "the experiment directory to create (default: the file's \"storage\", else runs/NAME)" },
    },
  },

  async run({ positionals, flags }, io) {
    const file = positionals["EXPERIMENT.json"]!;
    // Read once: validated here, and kept as written in experiment.json for resume.
    const source = readJsonFile(file, "experiment file") as JsonObject;
    const experiment = parseExperiment(source, file);
    const dir = (flags.dir as string | undefined) ?? experiment.storage;
    if (holdsExperiment(dir)) {
      throw new InputError(
        `${dir} already holds an experiment: "tunegrad resume ${dir}" continues it, "tunegrad report ${dir}" shows it; ` +
          `or choose a new directory with --dir`,
      );
    }
    io.stdout.write(`Running ${experiment.name} into ${dir} (${experiment.concurrency} at a time, ${experiment.executor} executor, ${experiment.plan.backend} backend)\n`);
    const result = await runExperiment(experiment, { source, dir, resume: false, io });
    io.stdout.write(formatRunSummary(experiment, result, dir));
    return result.best === undefined ? 1 : 0;
  },
};
