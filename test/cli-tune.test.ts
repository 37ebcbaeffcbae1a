// `tunegrad tune`, `resume`, `report`, `train` and `lab` end to end on small jobs: a Hyperband
// search on iris in worker threads, one on a CSV file, Ctrl-C during an in-thread search, a
// training run saved as safetensors, and the property suite.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { data, nn } from "../src/nn/index.js";
import { Generator } from "../src/tensor/index.js";
import { load } from "../src/nn/weights-node.js";
import { repositoryRoot, runTunegrad } from "./helpers/cli.js";

const work = mkdtempSync(path.join(tmpdir(), "tunegrad-cli-tune-"));
after(() => rmSync(work, { recursive: true, force: true }));

function tunegrad(...args: string[]) {
  return runTunegrad(args, { cwd: work, timeoutMs: 60_000 });
}

const experiment = {
  name: "iris-small",
  seed: 7,
  concurrency: 2,
  space: {
    act: { $type: "choice", values: ["relu", "tanh", "mish"] },
    lr: { $type: "loguniform", low: 0.003, high: 0.05 },
  },
  model: { layers: [{ type: "linear", units: 8 }, { type: "activation", name: { $config: "act" } }, { type: "linear", units: 3 }] },
  dataset: "iris",
  training: { batchSize: 16, optimizer: { type: "adam", lr: { $config: "lr" } } },
  scheduler: { type: "hyperband", maxBudget: 3, eta: 3 },
};

describe("tunegrad tune, resume and report", () => {
  const file = path.join(work, "iris-small.json");
  writeFileSync(file, JSON.stringify(experiment));
  const dir = path.join(work, "runs", "iris-small");

  it("runs a Hyperband search in worker threads and prints the best config", () => {
    const { status, stdout, stderr } = tunegrad("tune", file);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /Running iris-small into runs\/iris-small \(2 at a time, worker executor, cpu backend\)/);
    // Not a terminal: plain progress lines, no escape codes; the budget ends complete.
    assert.doesNotMatch(stdout, /\x1b\[/);
    assert.match(stdout, /trials 5 done, 0 running, 0 pending .*budget 11\/11/);
    assert.match(stdout, /Best trial t\d{4}: validation accuracy \d\.\d+ after \d epochs?/);
    const best = JSON.parse(stdout.match(/Best config: (.*)/)![1]!);
    assert.ok(["relu", "tanh", "mish"].includes(best.act));
    assert.ok(existsSync(path.join(dir, "experiment.json")));
  });

  it("refuses to start over an existing experiment and points to resume", () => {
    const { status, stderr } = tunegrad("tune", file);
    assert.equal(status, 1);
    assert.match(stderr, /already holds an experiment: "tunegrad resume .*iris-small" continues it/);
  });

  it("resumes a finished experiment without running anything again", () => {
    const before = readFileSync(path.join(dir, "journal.jsonl"), "utf8").split("\n").filter((l) => l.includes('"type":"result"')).length;
    const { status, stdout, stderr } = tunegrad("resume", dir);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /Resuming iris-small/);
    const afterResume = readFileSync(path.join(dir, "journal.jsonl"), "utf8").split("\n").filter((l) => l.includes('"type":"result"')).length;
    assert.equal(afterResume, before);
  });

  it("reports the experiment with a chart per string-valued key", () => {
    const html = path.join(work, "iris.html");
    const { status, stdout, stderr } = tunegrad("report", dir, "--html", html);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /Leaderboard: 5 trials/);
    const page = readFileSync(html, "utf8");
    assert.equal(page.match(/<polyline /g)?.length, 5);
    assert.match(page, /<h3>act<\/h3>/);
  });
});

describe("a CSV dataset", () => {
  // The experiment and its CSV sit in their own directory; the command runs from another one.
  const specs = path.join(work, "specs");
  mkdirSync(specs, { recursive: true });
  copyFileSync(path.join(repositoryRoot, "test", "tune-fixtures", "shapes.csv"), path.join(specs, "shapes.csv"));
  const dataset = { name: "csv", path: "shapes.csv", labelColumn: "kind", header: true, validationFraction: 0.25 };

  it("tunes on a CSV named relative to the experiment file, in worker threads", () => {
    const file = path.join(specs, "shapes-search.json");
    writeFileSync(file, JSON.stringify({ ...experiment, name: "shapes-search", dataset, scheduler: { type: "hyperband", maxBudget: 1 } }));
    const { status, stdout, stderr } = tunegrad("tune", file);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /Best trial t\d{4}: validation accuracy \d(\.\d+)? after 1 epoch/);
  });

  it("trains on a CSV named relative to the spec file", () => {
    const spec = path.join(specs, "shapes-train.json");
    writeFileSync(spec, JSON.stringify({ model: experiment.model, dataset, training: { optimizer: { type: "adam", lr: 0.05 } }, epochs: 2, config: { act: "relu" } }));
    const { status, stdout, stderr } = tunegrad("train", spec, "--out", "shapes.safetensors");
    assert.equal(status, 0, stderr);
    assert.match(stdout, /Training on csv for 2 epochs/);
    assert.ok(existsSync(path.join(work, "shapes.safetensors")));
  });
});

describe("Ctrl-C during an in-thread search", () => {
  it("stops the run at once, says how to resume it, and leaves the journal unfinished", async () => {
    const file = path.join(work, "inline-digits.json");
    const example = JSON.parse(readFileSync(path.join(repositoryRoot, "examples", "activation-search", "experiment.json"), "utf8"));
    // Long enough (about 30 s on 2 cores) that it cannot end before the interrupt arrives.
    writeFileSync(file, JSON.stringify({ ...example, name: "inline-digits", backend: "cpu", executor: "inline" }));
    const dir = path.join(work, "runs", "inline-digits");
    const child = spawn(process.execPath, [path.join(repositoryRoot, "bin", "tunegrad.js"), "tune", file], {
      cwd: work,
      env: { ...process.env, TUNEGRAD_FROM_SOURCE: "1" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const journal = path.join(dir, "journal.jsonl");
    const hasResult = () => existsSync(journal) && readFileSync(journal, "utf8").includes('"type":"result"');
    for (const started = Date.now(); !hasResult(); ) {
      assert.ok(Date.now() - started < 60_000 && child.exitCode === null, `no result in the journal; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /Interrupted\. Every result so far is in the journal: "tunegrad resume .*inline-digits" continues the experiment\./);
    assert.doesNotMatch(readFileSync(journal, "utf8"), /experiment_ended/);
    const { stdout } = tunegrad("report", dir);
    assert.match(stdout, /The experiment has not finished: "tunegrad resume .*inline-digits" continues it\./);
  });
});

describe("tunegrad train", () => {
  it("trains a model from a spec with config references and saves it as safetensors", async () => {
    const spec = path.join(work, "iris-train.json");
    writeFileSync(spec, JSON.stringify({ ...experiment, name: undefined, seed: 1, space: undefined, scheduler: undefined, concurrency: undefined, epochs: 3, config: { act: "gelu", lr: 0.02 } }));
    const { status, stdout, stderr } = tunegrad("train", spec, "--out", "model.safetensors");
    assert.equal(status, 0, stderr);
    assert.equal(stdout.split("\n").filter((l) => /^\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}$/.test(l)).length, 3);
    const model = await load(path.join(work, "model.safetensors"));
    assert.deepEqual(model.toSpec().layers.map((l) => (l as { name?: string }).name).filter(Boolean), ["gelu"]);
    // The file alone is the model: it standardises the features itself (its first layer holds
    // the training part's statistics), so on the raw validation part it scores what train printed.
    assert.equal((model.toSpec().layers[0] as { type: string }).type, "standardize");
    const lastEpoch = stdout.split("\n").filter((l) => /^\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}$/.test(l)).at(-1)!;
    const printed = Number(lastEpoch.trim().split(/\s+/).at(-1));
    const { validation } = (await data.load("iris")).split({ validation: 0.2, generator: new Generator(0) });
    assert.equal((await nn.evaluateAccuracy(model, validation)).toFixed(4), printed.toFixed(4));
    model.dispose();
  });

  it("names a missing config reference by its JSON path", () => {
    const spec = path.join(work, "bad-train.json");
    writeFileSync(spec, JSON.stringify({ model: experiment.model, dataset: "iris", training: { optimizer: { type: "adam" } } }));
    const { status, stderr } = tunegrad("train", spec);
    assert.equal(status, 1);
    assert.match(stderr, /\$\.model\.layers\[1\]\.name refers to "act", which \$\.config does not give/);
  });
});

describe("tunegrad lab", () => {
  it("prints what holds for an activation", () => {
    const { status, stdout } = tunegrad("lab", "mish");
    assert.equal(status, 0);
    assert.match(stdout, /holds {2}autograd gradient matches finite differences/);
    assert.match(stdout, /fails {2}monotonic \(non-decreasing\) .*minimum is -0\.3088/);
    assert.match(stdout, /Every required property holds\./);
  });

  it("says what its properties measure: f' has a jump for relu, none for elu (whose f'' jumps)", () => {
    const relu = tunegrad("lab", "relu").stdout;
    assert.match(relu, /fails {2}continuously differentiable \(no jump in f'\) +f' jumps by 1 near x = -?0\.00\d+/);
    assert.match(relu, /f\(0\) = 0, f'\(0\.000731\) = 1/, "the slope is reported where it was measured");
    assert.match(tunegrad("lab", "elu").stdout, /holds {2}continuously differentiable \(no jump in f'\)/);
  });

  it("lists the activations for an unknown one", () => {
    const { status, stderr } = tunegrad("lab", "mishh");
    assert.equal(status, 1);
    assert.match(stderr, /unknown activation "mishh"; the activations are: relu, tanh, sigmoid, mish/);
  });
});
