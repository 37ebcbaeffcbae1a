// `tunegrad brackets --max-budget R --eta E [--json]`: Hyperband's bracket schedule, as the
// Hyperband scheduler runs it (tune.hyperbandBrackets), with the budget each bracket costs.
import { UsageError } from "../args.js";
import type { CliCommand } from "../command.js";
import { hyperbandBrackets, sMax, type Bracket } from "../../tune/schedulers/brackets.js";

/**
 * The reports a bracket costs when promoted trials resume from their checkpoints: each rung's
 * trials only train from the previous rung's budget up to their own.
 */
function bracketCost(bracket: Bracket): number {
  let cost = 0;
  let previousBudget = 0;
  for (const rung of bracket.rungs) {
    cost += rung.n * (rung.budget - previousBudget);
    previousBudget = rung.budget;
  }
  return cost;
}

function formatExact(r: number): string {
  return Number.isInteger(r) ? String(r) : String(Number(r.toPrecision(6)));
}

function formatBrackets(maxBudget: number, eta: number, brackets: readonly Bracket[]): string {
  const header = ["bracket", "rung", "trials", "budget", "exact r"];
  const rows: string[][] = [];
  for (const bracket of brackets) {
    bracket.rungs.forEach((rung, i) => {
      rows.push([i === 0 ? `s=${bracket.s}` : "", String(i), String(rung.n), String(rung.budget), formatExact(rung.r)]);
    });
  }
  const widths = header.map((name, c) => Math.max(name.length, ...rows.map((row) => row[c]!.length)));
  const format = (row: readonly string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  const trials = brackets.reduce((sum, b) => sum + b.rungs[0]!.n, 0);
  const cost = brackets.reduce((sum, b) => sum + bracketCost(b), 0);
  return [
    `Hyperband with max budget R=${maxBudget}, eta=${eta}: s_max=${sMax(maxBudget, eta)}, ${brackets.length} bracket${brackets.length === 1 ? "" : "s"}`,
    "",
    format(header),
    format(widths.map((w) => "-".repeat(w))),
    ...rows.map(format),
    "",
    `trials: ${trials} in all; budget: ${cost} reports in all (promoted trials resume from their checkpoints)`,
    "budget is the number of reports (epochs) a trial has made when it reaches the rung; each rung keeps the top 1/eta.",
    "",
  ].join("\n");
}

export const bracketsCommand: CliCommand = {
  spec: {
    name: "brackets",
    summary: "Print Hyperband's bracket schedule: for each bracket s, how many trials run to each rung and on what budget.",
    positionals: [],
    flags: {
      "max-budget": { kind: "integer", valueName: "R", required: true, description: "the most budget (reports, e.g. epochs) one trial gets; an integer >= 1" },
      eta: { kind: "integer", valueName: "E", description: "the reduction factor: each rung keeps the top 1/E; an integer >= 2 (default 3)" },
      json: { kind: "boolean", description: "print the schedule as JSON (the value of tune.hyperbandBrackets)" },
    },
  },

  async run({ flags }, io) {
    const maxBudget = flags["max-budget"] as number;
    const eta = (flags.eta as number | undefined) ?? 3;
    if (maxBudget < 1) throw new UsageError(`--max-budget needs an integer >= 1, got ${maxBudget}`);
    if (eta < 2) throw new UsageError(`--eta needs an integer >= 2, got ${eta}`);
    const brackets = hyperbandBrackets({ maxBudget, eta });
    if (flags.json === true) {
      io.stdout.write(JSON.stringify({ maxBudget, eta, sMax: sMax(maxBudget, eta), brackets }, null, 2) + "\n");
    } else {
      io.stdout.write(formatBrackets(maxBudget, eta, brackets));
    }
    return 0;
  },
};
