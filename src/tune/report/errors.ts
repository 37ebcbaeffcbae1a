// The errors of a run's errored trials as plain text, printed after the leaderboard (whose rows
// say only "errored"). Trials that failed the same way are one line, so a mistake that errored
// every trial (a bad option, a missing metric) reads once, not once per trial.
import type { TrialError, TrialRecord } from "../types.js";

/** How many trial ids a line lists before it only counts the rest. */
const LISTED_IDS = 5;
/** Longer messages are cut with an ellipsis (the journal keeps them whole, with their stacks). */
const MAX_MESSAGE = 400;

function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, " ").trim();
  return flat.length <= MAX_MESSAGE ? flat : `${flat.slice(0, MAX_MESSAGE - 1)}…`;
}

function idList(ids: readonly string[]): string {
  const listed = ids.slice(0, LISTED_IDS).join(", ");
  return ids.length <= LISTED_IDS ? listed : `${listed} and ${ids.length - LISTED_IDS} more`;
}

/** "Errors:" and a line per distinct error (its kind, message and trials), or "" when no trial errored. */
export function formatTrialErrors(trials: readonly TrialRecord[]): string {
  const groups = new Map<string, { error: TrialError; ids: string[] }>();
  for (const trial of [...trials].sort((a, b) => a.index - b.index)) {
    if (trial.status !== "errored" || trial.error === undefined) continue;
    const message = oneLine(trial.error.message);
    const key = `${trial.error.kind}\n${message}`;
    const group = groups.get(key) ?? { error: { kind: trial.error.kind, message }, ids: [] };
    group.ids.push(trial.id);
    groups.set(key, group);
  }
  if (groups.size === 0) return "";
  const count = [...groups.values()].reduce((n, g) => n + g.ids.length, 0);
  const lines = [`Errors: ${count} trial${count === 1 ? "" : "s"} errored`];
  for (const { error, ids } of groups.values()) lines.push(`  ${idList(ids)} (${error.kind}): ${error.message}`);
  return `\n${lines.join("\n")}\n`;
}
