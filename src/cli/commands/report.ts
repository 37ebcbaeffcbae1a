// `tunegrad report RUN_DIR [--html FILE] [--csv FILE] [--json FILE] [--limit N]`: the leaderboard
// of an experiment directory, read back from its journal, and optionally the HTML report with its
// charts and the CSV and JSON exports of the result.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../args.js";
import type { CliCommand } from "../command.js";
import { loadExperiment } from "../../tune/journal.js";
import { renderHtmlReport } from "../../tune/report/html.js";
import { makeRunResult } from "../../tune/result.js";
import { formatTrialErrors } from "../../tune/report/errors.js";
import { formatLeaderboard } from "../../tune/report/leaderboard.js";

export const reportCommand: CliCommand = {
  spec: {
    name: "report",
    summary: "Print an experiment's leaderboard; --html writes a report with learning curves and the metric per activation.",
    positionals: [{ name: "RUN_DIR", description: "an experiment directory (holding experiment.json and journal.jsonl)" }],
    flags: {
      html: { kind: "string", valueName: "FILE", description: "also write a self-contained HTML report (inline SVG, no network) to FILE" },
      csv: { kind: "string", valueName: "FILE", description: "also write one row per trial (status, best metric, config, last metrics) as CSV to FILE" },
      json: { kind: "string", valueName: "FILE", description: "also write the result (best trial and every trial record) as JSON to FILE" },
      limit: { kind: "integer", valueName: "N", description: "print only the N best trials (all by default)" },
    },
  },

  async run({ positionals, flags }, io) {
    const limit = flags.limit as number | undefined;
    if (limit !== undefined && limit < 1) throw new UsageError(`--limit needs a positive integer, got ${limit}`);
    const experiment = await loadExperiment(positionals.RUN_DIR!);
    const { metric, mode } = experiment.info;
    const title = typeof experiment.info.meta?.name === "string" ? experiment.info.meta.name : path.basename(experiment.dir);

    io.stdout.write(`${title} (${experiment.dir})\n`);
    if (!experiment.finished) {
      io.stdout.write(`The experiment has not finished: "tunegrad resume ${positionals.RUN_DIR}" continues it.\n`);
    }
    io.stdout.write(formatLeaderboard(experiment.trials, limit === undefined ? { metric, mode } : { metric, mode, limit }));
    io.stdout.write(formatTrialErrors(experiment.trials));

    const result = makeRunResult(experiment.trials, metric, mode);
    const exports: [string | undefined, () => string][] = [
      [flags.csv as string | undefined, () => result.toCSV()],
      [flags.json as string | undefined, () => JSON.stringify(result.toJSON(), null, 2) + "\n"],
    ];
    for (const [file, contents] of exports) {
      if (file === undefined) continue;
      writeFileSync(file, contents());
      io.stdout.write(`Wrote ${path.resolve(file)}\n`);
    }

    const htmlFile = flags.html as string | undefined;
    if (htmlFile !== undefined) {
      const html = renderHtmlReport({ title, metric, mode, trials: experiment.trials, info: experiment.info, generatedAt: Date.now(), finished: experiment.finished });
      writeFileSync(htmlFile, html);
      io.stdout.write(`Wrote ${path.resolve(htmlFile)}\n`);
    }
    return 0;
  },
};
