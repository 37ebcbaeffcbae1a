// `tunegrad resume RUN_DIR`: continues an experiment that `tunegrad tune` started, from its
// journal and checkpoints; completed results are kept and checkpointed trials are not retrained.
import * as path from "node:path";
import type { CliCommand } from "../command.js";
import { parseExperiment } from "../experiment.js";
import { InputError } from "../json-checks.js";
import { formatRunSummary, runExperiment } from "../run-experiment.js";
import { FileStorage } from "../../tune/file-storage.js";
import type { JsonObject } from "../../tune/types.js";

export const resumeCommand: CliCommand = {
  spec: {
    name: "resume",
    summary: "Continue an interrupted experiment from its journal, losing no result and retraining no checkpointed trial.",
    positionals: [{ name: "RUN_DIR", description: "the experiment directory that `tunegrad tune` created" }],
    flags: {},
  },

  async run({ positionals }, io) {
    const dir = positionals.RUN_DIR!;
    const info = new FileStorage(dir).readInfo();
    if (info === undefined) throw new InputError(`${dir} holds no experiment.json: not an experiment directory`);
    const source = info.meta?.experiment;
    if (typeof source !== "object" || source === null || Array.isArray(source)) {
      throw new InputError(
        `${path.join(dir, "experiment.json")} has no meta.experiment: it was not started by "tunegrad tune"; ` +
          `continue it from code with tune.run(trainable, { ...options, storage: "${dir}", resume: true })`,
      );
    }
    // Experiments started before meta.directory was kept resolve relative paths against the current directory.
    const directory = typeof info.meta?.directory === "string" ? info.meta.directory : ".";
    const experiment = parseExperiment(source, `${String(info.meta?.name ?? "experiment")}.json`, directory);
    io.stdout.write(`Resuming ${experiment.name} in ${dir}\n`);
    const result = await runExperiment(experiment, { source: source as JsonObject, dir, resume: true, io });
    io.stdout.write(formatRunSummary(experiment, result, dir));
    return result.best === undefined ? 1 : 0;
  },
};
