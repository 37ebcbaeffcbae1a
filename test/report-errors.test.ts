// The errors section of the text report: one line per distinct error, its trials listed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTrialErrors } from "../src/tune/report/errors.js";
import type { TrialError, TrialRecord } from "../src/tune/types.js";

function trial(index: number, error?: TrialError): TrialRecord {
  const id = `t${String(index).padStart(4, "0")}`;
  return { id, index, config: {}, seed: index, status: error ? "errored" : "completed", history: [], attempts: 0, createdAt: 0, ...(error ? { error } : {}) };
}

describe("errors of a run", () => {
  it("is empty when no trial errored", () => {
    assert.equal(formatTrialErrors([trial(0), trial(1)]), "");
  });

  it("groups trials that failed the same way, in trial order, and counts ids past five", () => {
    const same: TrialError = { kind: "error", message: 'ctx.report gave "acc" but not "accuracy"', stack: "TypeError: ...\n    at x" };
    const trials = [trial(7, same), trial(0, { kind: "crash", message: "the trial's worker thread exited with code 3\nbefore the trial ended" }), ...[1, 2, 3, 4, 5, 6].map((i) => trial(i, same)), trial(8)];
    assert.equal(
      formatTrialErrors(trials),
      "\nErrors: 8 trials errored\n" +
        "  t0000 (crash): the trial's worker thread exited with code 3 before the trial ended\n" +
        '  t0001, t0002, t0003, t0004, t0005 and 2 more (error): ctx.report gave "acc" but not "accuracy"\n',
    );
  });

  it("cuts a very long message", () => {
    const text = formatTrialErrors([trial(0, { kind: "error", message: "x".repeat(1000) })]);
    assert.match(text, /\(error\): x{399}…\n$/);
  });
});
