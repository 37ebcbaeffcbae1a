// The `tunegrad` command run as a user runs it (node bin/tunegrad.js ...): help, usage errors,
// `brackets` against tune.hyperbandBrackets, and `report` on small experiment directories, one
// of them with errored trials, and with its reader gone (a broken pipe).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { hyperbandBrackets } from "../src/tune/schedulers/brackets.js";
import type { ExperimentInfo, JournalEvent, TrialError } from "../src/tune/types.js";
import { repositoryRoot, runTunegrad } from "./helpers/cli.js";

const root = repositoryRoot;

function tunegrad(...args: string[]) {
  return runTunegrad(args, { cwd: root, timeoutMs: 20_000 });
}

describe("tunegrad help and usage errors", () => {
  it("lists the commands on --help", () => {
    const { status, stdout } = tunegrad("--help");
    assert.equal(status, 0);
    assert.match(stdout, /Usage: tunegrad COMMAND/);
    for (const command of ["tune", "resume", "report", "brackets", "train", "lab"]) assert.match(stdout, new RegExp(`\\n {2}${command} +[A-Z]`));
  });

  it("names an unknown command and lists the valid ones, with exit status 2", () => {
    const { status, stderr } = tunegrad("tuen");
    assert.equal(status, 2);
    assert.match(stderr, /unknown command "tuen"; the commands are: tune, resume, report, brackets, train, lab\n/);
  });

  it("names an unknown flag and lists the command's flags", () => {
    const { status, stderr } = tunegrad("brackets", "--max-budget", "9", "--etta", "3");
    assert.equal(status, 2);
    assert.match(stderr, /unknown option "--etta"; "tunegrad brackets" accepts --max-budget, --eta, --json, --help/);
  });

  it("says which required option is missing and which values are wrong", () => {
    assert.match(tunegrad("brackets").stderr, /missing required option --max-budget R/);
    assert.match(tunegrad("brackets", "--max-budget", "ten").stderr, /"--max-budget" needs a number, got "ten"/);
    assert.match(tunegrad("brackets", "--max-budget", "9", "--eta", "1").stderr, /--eta needs an integer >= 2, got 1/);
    assert.match(tunegrad("report").stderr, /missing RUN_DIR; usage: tunegrad report RUN_DIR/);
  });

  it("prints each command's help with its flags", () => {
    const { status, stdout } = tunegrad("report", "--help");
    assert.equal(status, 0);
    assert.match(stdout, /Usage: tunegrad report RUN_DIR \[--html FILE\] \[--csv FILE\] \[--json FILE\] \[--limit N\]/);
  });
});

describe("tunegrad brackets", () => {
  it("prints the schedule of tune.hyperbandBrackets for R=81, eta=3", () => {
    const { status, stdout } = tunegrad("brackets", "--max-budget", "81", "--eta", "3");
    assert.equal(status, 0);
    assert.match(stdout, /s_max=4, 5 brackets/);
    // Rows read "bracket rung trials budget exact-r"; the bracket cell is only on a bracket's first rung.
    const rows = stdout.split("\n").filter((l) => /^(s=\d+)?\s+\d+\s+\d+\s+\d+\s+[\d.]+$/.test(l));
    const expected = hyperbandBrackets({ maxBudget: 81, eta: 3 }).flatMap((b) => b.rungs.map((r, i) => [i, r.n, r.budget]));
    assert.deepEqual(rows.map((l) => l.trim().replace(/^s=\d+\s+/, "").split(/\s+/).slice(0, 3).map(Number)), expected);
    assert.match(stdout, /trials: 143 in all/);
  });

  it("prints JSON equal to tune.hyperbandBrackets with --json", () => {
    const { status, stdout } = tunegrad("brackets", "--max-budget=1000", "--eta=10", "--json");
    assert.equal(status, 0);
    const parsed = JSON.parse(stdout);
    assert.equal(parsed.sMax, 3, "log10(1000) is 3, not 2.9999999999999996");
    assert.deepEqual(parsed.brackets, hyperbandBrackets({ maxBudget: 1000, eta: 10 }));
  });
});

describe("tunegrad report", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tunegrad-cli-report-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const info: ExperimentInfo = {
    version: 1,
    createdAt: 1_700_000_000_000,
    metric: "accuracy",
    mode: "max",
    seed: 42,
    space: { activation1: { $type: "choice", values: ["relu", "tanh", "<b>mish</b>"] } },
    scheduler: { type: "hyperband", options: { maxBudget: 3, eta: 3 } },
    searcher: { type: "random", options: {} },
    maxRetries: 0,
    meta: { name: "synthetic" },
  };
  const curves: [string, string, number[], "completed" | "stopped"][] = [
    ["t0000", "relu", [0.5, 0.6, 0.7], "completed"],
    ["t0001", "tanh", [0.4], "stopped"],
    ["t0002", "<b>mish</b>", [0.55, 0.8, 0.9], "completed"],
  ];
  let time = info.createdAt;
  const events: JournalEvent[] = [{ type: "experiment_started", resumed: false, time: time++ }];
  curves.forEach(([trialId, activation1, values, ending], index) => {
    events.push({ type: "trial_created", trialId, index, config: { activation1 }, seed: index, bracket: 1, time: time++ });
    events.push({ type: "trial_started", trialId, attempt: 1, fromIteration: 0, time: time++ });
    values.forEach((accuracy, i) => events.push({ type: "result", trialId, iteration: i + 1, metrics: { accuracy }, time: time++ }));
    events.push({ type: ending === "completed" ? "trial_completed" : "trial_stopped", trialId, iteration: values.length, time: time++ });
  });
  events.push({ type: "experiment_ended", best: "t0002", time: time++ });
  writeFileSync(path.join(dir, "experiment.json"), JSON.stringify(info));
  writeFileSync(path.join(dir, "journal.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");

  it("prints the leaderboard best first", () => {
    const { status, stdout, stderr } = tunegrad("report", dir);
    assert.equal(status, 0, stderr);
    const ids = [...stdout.matchAll(/^\s*\d+\s+(t\d{4})/gm)].map((m) => m[1]);
    assert.deepEqual(ids, ["t0002", "t0000", "t0001"]);
    assert.match(stdout, /synthetic/);
    assert.doesNotMatch(stdout, /has not finished/);
  });

  it("writes a self-contained HTML report with a curve per trial and escaped config values", () => {
    const htmlFile = path.join(dir, "report.html");
    const { status, stdout, stderr } = tunegrad("report", dir, "--html", htmlFile);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /Wrote .*report\.html/);
    const html = readFileSync(htmlFile, "utf8");
    assert.equal(html.match(/<polyline /g)?.length, 3);
    assert.ok(html.includes("&lt;b&gt;mish&lt;/b&gt;") && !html.includes("<b>mish</b>"));
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("exports the result as CSV and JSON", () => {
    const csv = path.join(dir, "trials.csv");
    const json = path.join(dir, "result.json");
    const { status, stderr } = tunegrad("report", dir, "--csv", csv, "--json", json);
    assert.equal(status, 0, stderr);
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    assert.equal(rows.length, 4);
    assert.match(rows[0]!, /^trial_id,status,iterations,best_accuracy,config\.activation1/);
    const result = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(result.best.trialId, "t0002");
    assert.equal(result.trials.length, 3);
  });

  it("says clearly when the directory is not an experiment", () => {
    const { status, stderr } = tunegrad("report", path.join(dir, "nothing-here"));
    assert.equal(status, 1);
    assert.match(stderr, /holds no experiment\.json: not an experiment directory/);
  });

  it("prints each errored trial's error kind and message after the leaderboard", () => {
    const errored = path.join(dir, "errored");
    mkdirSync(errored);
    const failures: [string, TrialError][] = [
      ["t0003", { kind: "error", message: 'optimizer "adam" has no option "lrr"' }],
      ["t0004", { kind: "timeout", message: "the trial ran more than 50 ms without reporting (trialTimeout)" }],
      ["t0005", { kind: "error", message: 'optimizer "adam" has no option "lrr"' }],
    ];
    const more: JournalEvent[] = events.filter((e) => e.type !== "experiment_ended");
    failures.forEach(([trialId, error], i) => {
      more.push({ type: "trial_created", trialId, index: 3 + i, config: { activation1: "relu" }, seed: 3 + i, bracket: 1, time: time++ });
      more.push({ type: "trial_started", trialId, attempt: 0, fromIteration: 0, time: time++ });
      more.push({ type: "trial_errored", trialId, iteration: 0, error, willRetry: false, time: time++ });
    });
    more.push({ type: "experiment_ended", best: "t0002", time: time++ });
    writeFileSync(path.join(errored, "experiment.json"), JSON.stringify(info));
    writeFileSync(path.join(errored, "journal.jsonl"), more.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const { status, stdout, stderr } = tunegrad("report", errored);
    assert.equal(status, 0, stderr);
    const tail = stdout.slice(stdout.indexOf("Leaderboard:"));
    assert.match(
      tail,
      /\n\nErrors: 3 trials errored\n {2}t0003, t0005 \(error\): optimizer "adam" has no option "lrr"\n {2}t0004 \(timeout\): the trial ran more than 50 ms without reporting \(trialTimeout\)\n$/,
    );
    assert.doesNotMatch(tunegrad("report", dir).stdout, /Errors:/);
  });

  it("stops quietly with status 0 when its reader goes away (tunegrad report RUN | head -3)", async () => {
    const child = spawn(process.execPath, [path.join(root, "bin", "tunegrad.js"), "report", dir], {
      env: { ...process.env, TUNEGRAD_FROM_SOURCE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Closed before the command has written anything (it takes a while to start), so each of
    // its writes meets a broken pipe.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(stderr, "");
    assert.equal(code, 0);
  });
});
