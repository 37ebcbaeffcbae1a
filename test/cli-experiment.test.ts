// The experiment file of `tunegrad tune`: defaults, config references, and errors that name the
// JSON path and say what would be right. Also the shipped example, which must stay valid.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseExperiment, readExperiment } from "../src/cli/experiment.js";
import { InputError } from "../src/cli/json-checks.js";
import { preflight } from "../src/cli/preflight.js";
import { TrainingSession } from "../src/cli/training-session.js";
import { findReferences, resolveTemplate, spaceHasKey } from "../src/cli/experiment-template.js";
import { hyperbandBrackets } from "../src/tune/schedulers/brackets.js";
import { formatRunSummary } from "../src/cli/run-experiment.js";
import { makeRunResult } from "../src/tune/result.js";
import type { JsonValue, TrialError, TrialRecord, TrialStatus } from "../src/tune/types.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const examplePath = path.join(root, "examples", "activation-search", "experiment.json");

function minimal(): Record<string, unknown> {
  return {
    space: { act: { $type: "choice", values: ["relu", "mish"] }, lr: { $type: "loguniform", low: 0.001, high: 0.1 } },
    model: { layers: [{ type: "linear", units: 8 }, { type: "activation", name: { $config: "act" } }, { type: "linear", units: 3 }] },
    dataset: "iris",
    training: { optimizer: { type: "sgd", lr: { $config: "lr" } } },
    scheduler: { type: "hyperband", maxBudget: 9 },
  };
}

function rejects(change: (e: Record<string, unknown>) => void, message: RegExp): void {
  const experiment = minimal();
  change(experiment);
  assert.throws(() => parseExperiment(experiment, "x.json"), (error: Error) => {
    assert.ok(error instanceof InputError, `an InputError, got ${error.name}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

describe("experiment file", () => {
  it("fills in defaults: name from the file, mode from the metric, runs/NAME storage", () => {
    const experiment = parseExperiment(minimal(), "/somewhere/iris-search.json");
    assert.equal(experiment.name, "iris-search");
    assert.equal(experiment.metric, "accuracy");
    assert.equal(experiment.mode, "max");
    assert.equal(experiment.storage, path.join("runs", "iris-search"));
    assert.equal(experiment.concurrency, 1);
    assert.equal(experiment.executor, "worker");
    assert.deepEqual(experiment.plan.dataset, { name: "iris", options: {}, validationFraction: 0.2, splitSeed: 0 });
    assert.deepEqual(experiment.plan.training, { batchSize: 32, loss: "crossEntropy", optimizer: { type: "sgd", lr: { $config: "lr" } } });
    assert.equal(experiment.plan.maxEpochs, 9);
    assert.equal(parseExperiment({ ...minimal(), metric: "loss" }).mode, "min");
  });

  it("names the JSON path of each mistake and what is allowed", () => {
    rejects((e) => (e.model = { layers: [{ type: "activation", name: { $config: "act2" } }] }), /^\$\.model\.layers\[0\]\.name refers to "act2", which is not a key of \$\.space; its keys are act, lr$/);
    rejects((e) => (e.scheduler = { type: "hyperbnad", maxBudget: 9 }), /^\$\.scheduler\.type must be one of "hyperband", "asha", "fifo", "median", got "hyperbnad"$/);
    rejects((e) => (e.scheduler = { type: "hyperband", maxBudget: 9, eta: 1 }), /^\$\.scheduler\.eta must be an integer >= 2, got 1$/);
    rejects((e) => (e.scheduler = { type: "fifo", maxBudget: 9 }), /^\$\.numSamples is needed with the fifo scheduler/);
    rejects((e) => (e.numSamples = 5), /^\$\.numSamples must be left out with Hyperband/);
    rejects((e) => (e.metric = "acc"), /^\$\.metric must be one of "accuracy", "loss", "trainLoss", got "acc"$/);
    rejects((e) => (e.concurency = 2), /^\$\.concurency is not a known setting; the settings here are name, metric, /);
    rejects((e) => (e.dataset = { name: "iris", validationFraction: 1.5 }), /^\$\.dataset\.validationFraction must be a number between 0 and 1/);
    rejects((e) => (e.training = { optimizer: { lr: 0.1 } }), /^\$\.training\.optimizer\.type must be a non-empty string, got nothing$/);
    rejects((e) => (e.model = { layers: [] }), /^\$\.model\.layers must be a non-empty array/);
    rejects((e) => (e.space = { lr: { $type: "loguniform", low: 0, high: 1 } }), /\$\.space\.lr: loguniform\(low, high\) needs 0 < low/);
    rejects((e) => (e.model = { layers: [{ type: "linear", units: { $config: "lr", extra: 1 } }] }), /^\$\.model\.layers\[0\]\.units: a config reference is \{"\$config": "KEY"\} with nothing else in it/);
    rejects((e) => (e.space = { lr: { $type: "uniform", low: 0, high: 1, hihg: 2 } }), /^\$\.space\.lr\.hihg is not a key of a uniform domain; its keys are \$type, low, high$/);
    rejects((e) => (e.training = { optimizer: { type: "adam", params: [] } }), /^\$\.training\.optimizer\.params is set by tunegrad \(the model's parameters\); leave it out$/);
  });

  it("takes the csv dataset's options, its path relative to the experiment file's directory", () => {
    const csv = path.join(root, "test", "tune-fixtures", "shapes.csv");
    const dataset = { name: "csv", path: "../tune-fixtures/shapes.csv", labelColumn: "kind", header: true, validationFraction: 0.25 };
    const experiment = parseExperiment({ ...minimal(), dataset }, path.join(root, "test", "elsewhere", "shapes-search.json"));
    assert.deepEqual(experiment.plan.dataset, { name: "csv", options: { path: csv, labelColumn: "kind", header: true }, validationFraction: 0.25, splitSeed: 0 });
    assert.equal(experiment.directory, path.join(root, "test", "elsewhere"));
    // Resume gives the directory the experiment started from.
    assert.equal(parseExperiment({ ...minimal(), dataset }, "shapes.json", path.join(root, "test", "elsewhere")).plan.dataset.options.path, csv);
    assert.deepEqual(parseExperiment({ ...minimal(), dataset: { name: "digits", scale: false } }).plan.dataset.options, { scale: false });

    const file = path.join(root, "test", "tune-fixtures", "x.json");
    const rejectsDataset = (value: unknown, message: RegExp) =>
      assert.throws(() => parseExperiment({ ...minimal(), dataset: value }, file), (error: Error) => error instanceof InputError && message.test(error.message));
    rejectsDataset("csv", /^\$\.dataset needs "path" for dataset "csv", e\.g\. \{"name": "csv", "path": "data\.csv"\}; its options are path, labelColumn, header$/);
    rejectsDataset({ name: "csv", path: "nope.csv" }, /^\$\.dataset\.path names no file: .*nope\.csv does not exist \(a relative path is resolved against .*tune-fixtures\)$/);
    rejectsDataset({ name: "csv", path: "shapes.csv", labelColumn: 1.5 }, /^\$\.dataset\.labelColumn must be a column index \(negative counts from the end\) or a header name, got 1\.5$/);
    rejectsDataset({ name: "csv", path: "shapes.csv", header: "yes" }, /^\$\.dataset\.header must be true, false or "auto", got "yes"$/);
    rejectsDataset({ name: "csv", pth: "shapes.csv" }, /^\$\.dataset\.pth is not a known setting; the settings here are name, validationFraction, splitSeed, path, labelColumn, header$/);
    rejectsDataset({ name: "iris", path: "shapes.csv" }, /^\$\.dataset\.path is not a known setting; the settings here are name, validationFraction, splitSeed$/);
  });

  it("reads the file and names it when it is missing or not JSON", () => {
    assert.throws(() => readExperiment(path.join(root, "no-such-experiment.json")), /cannot read the experiment file .*no-such-experiment\.json/);
    const dir = mkdtempSync(path.join(tmpdir(), "tunegrad-experiment-"));
    try {
      const broken = path.join(dir, "broken.json");
      writeFileSync(broken, '{ "space": { ');
      assert.throws(() => readExperiment(broken), /broken\.json is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ships a valid activation-search example: digits, Hyperband R=27 eta=3, concurrency 2, seed 42, backend auto", () => {
    const experiment = readExperiment(examplePath);
    assert.equal(experiment.plan.dataset.name, "digits");
    assert.deepEqual(experiment.scheduler, { type: "hyperband", options: { maxBudget: 27, eta: 3 } });
    assert.equal(experiment.concurrency, 2);
    assert.equal(experiment.seed, 42);
    assert.equal(experiment.plan.backend, "auto", "WebGPU when an adapter exists, the CPU otherwise");
    const activations = JSON.parse(readFileSync(examplePath, "utf8")).space.activation1.values as string[];
    for (const key of ["relu", "tanh", "sigmoid", "mish", "gelu", "silu"]) assert.ok(activations.includes(key), key);
    assert.equal(hyperbandBrackets({ maxBudget: 27, eta: 3 }).length, 4);
  });
});

describe("config references", () => {
  it("finds references with their paths and resolves them from a config", () => {
    const template: JsonValue = { layers: [{ units: { $config: "width.0" } }, { name: { $config: "act" } }], keep: { $other: 1 } };
    assert.deepEqual(findReferences(template, "$.model"), [
      { at: "$.model.layers[0].units", key: "width.0" },
      { at: "$.model.layers[1].name", key: "act" },
    ]);
    assert.deepEqual(resolveTemplate(template, { width: [64, 32], act: "gelu" }, "$.model"), {
      layers: [{ units: 64 }, { name: "gelu" }],
      keep: { $other: 1 },
    });
    assert.throws(() => resolveTemplate(template, { act: "gelu" }, "$.model"), /\$\.model\.layers\[0\]\.units: the config has no key "width\.0"; its keys are act/);
  });

  it("accepts dotted keys into nested spaces and into sampled values of a domain", () => {
    const space = { layer: { act: { $type: "choice", values: ["relu"] } }, block: { $type: "choice", values: [{ units: 8 }] } };
    assert.ok(spaceHasKey(space, "layer.act"));
    assert.ok(spaceHasKey(space, "block.units"));
    assert.ok(!spaceHasKey(space, "layer.width"));
    assert.ok(!spaceHasKey(space, "other"));
  });
});

describe("preflight", () => {
  async function preflightRejects(change: (e: Record<string, unknown>) => void, message: RegExp): Promise<void> {
    const experiment = minimal();
    change(experiment);
    await assert.rejects(preflight(parseExperiment(experiment)), (error: Error) => {
      assert.ok(error instanceof InputError, `an InputError, got ${error.name}: ${error.message}`);
      assert.match(error.message, message);
      return true;
    });
  }

  it("passes the shipped example and a minimal experiment", async () => {
    await preflight(readExperiment(examplePath));
    await preflight(parseExperiment(minimal()));
  });

  it("finds a misspelled activation in a choice list before any trial runs", async () => {
    await preflightRejects(
      (e) => (e.space = { act: { $type: "choice", values: ["relu", "mishh"] }, lr: { $type: "uniform", low: 0.01, high: 0.1 } }),
      /^\$\.space\.act\.values\[1\] \("mishh"\): spec\.layers\[1\]\.name: unknown activation "mishh"; .*did you mean "mish"\?/,
    );
  });

  it("names unknown dataset, loss and optimizer keys with the known ones", async () => {
    await preflightRejects((e) => (e.dataset = "mnist"), /^\$\.dataset: unknown dataset "mnist"; the known dataset keys are .*digits/);
    await preflightRejects((e) => (e.training = { loss: "hinge" }), /^\$\.training\.loss: unknown loss "hinge"; the known loss keys are .*crossEntropy/);
    await preflightRejects((e) => (e.training = { optimizer: { type: "adagrad" } }), /\$\.training\.optimizer\.type: unknown optimizer "adagrad"; the known optimizer keys are sgd, adam, adamw/);
  });

  it("names a misspelled or out-of-range optimizer option before any trial runs", async () => {
    await preflightRejects(
      (e) => (e.training = { optimizer: { type: "adam", lr: { $config: "lr" }, lrr: 3 } }),
      /^\$\.training\.optimizer\.lrr is not an option of optimizer "adam"; its options are type, lr, beta1, beta2, eps, weightDecay$/,
    );
    await preflightRejects(
      (e) => (e.training = { optimizer: { type: "sgd", lr: { $config: "lr" }, momentum: 1.5 } }),
      /^\$\.training\.optimizer: optimizer "sgd": momentum must be a number in \[0, 1\), got 1\.5$/,
    );
    // A value drawn from a choice is tried too, and named by where it is in the space.
    await preflightRejects(
      (e) => {
        e.space = { act: { $type: "choice", values: ["relu"] }, lr: { $type: "choice", values: [0.1, -1] } };
      },
      /^\$\.space\.lr\.values\[1\] \(-1\): \$\.training\.optimizer: optimizer "sgd": lr must be a finite number > 0, got -1$/,
    );
  });

  it("loads the csv dataset with its options, and says what is wrong with the file", async () => {
    const dataset = { name: "csv", path: path.join(root, "test", "tune-fixtures", "shapes.csv"), labelColumn: "kind" };
    await preflight(parseExperiment({ ...minimal(), dataset }));
    await preflightRejects((e) => (e.dataset = { ...dataset, labelColumn: "shape" }), /^\$\.dataset: .*shapes\.csv: no column named "shape"; the columns are kind, x, y$/);
  });

  it("says when the model's outputs do not match the dataset's classes, before any trial runs", async () => {
    await preflightRejects(
      (e) => (e.model = { layers: [{ type: "linear", units: 8 }, { type: "activation", name: "relu" }, { type: "linear", units: 10 }] }),
      /^\$\.model with a sampled config: \$\.model: the model outputs 10 values but dataset "iris" has 3 classes; make the last linear layer's units 3/,
    );
  });

  it("says when the model does not build, e.g. a layer type that does not exist", async () => {
    await preflightRejects((e) => (e.model = { layers: [{ type: "dense", units: 3 }] }), /^\$\.model with a sampled config: spec\.layers\[0\]\.type: unknown layer "dense"/);
  });
});

describe("a trial's training session", () => {
  it("puts the standardize layer first, and names a bad layer as the experiment file does", async () => {
    const experiment = parseExperiment({
      metric: "accuracy",
      space: { drop: { $type: "uniform", low: 0, high: 1.6 } },
      model: { layers: [{ type: "linear", units: 8 }, { type: "dropout", rate: { $config: "drop" } }, { type: "linear", units: 3 }] },
      dataset: "iris",
      scheduler: { type: "fifo", maxBudget: 1 },
      numSamples: 1,
    });
    const good = await TrainingSession.create(experiment.plan, { drop: 0.5 }, 1);
    assert.deepEqual(good.model.toSpec().layers.map((l) => (l as { type: string }).type), ["standardize", "linear", "dropout", "linear"]);
    good.model.dispose();
    // layers[1] in the file: the standardize layer in front does not shift the index.
    await assert.rejects(TrainingSession.create(experiment.plan, { drop: 1.2 }, 1), /spec\.layers\[1\]\.rate must be a number in \[0, 1\), got 1\.2/);
  });
});

describe("the summary tune prints at the end", () => {
  it("lists the errored trials' errors after the best trial", () => {
    const experiment = parseExperiment({ metric: "accuracy", space: {}, model: { layers: [{ type: "linear", units: 3 }] }, dataset: "iris", scheduler: { type: "fifo", maxBudget: 1 }, numSamples: 2 });
    const record = (id: string, index: number, status: TrialStatus, error?: TrialError): TrialRecord => ({
      id, index, config: {}, seed: index, status, attempts: 0, createdAt: 0,
      history: status === "completed" ? [{ iteration: 1, metrics: { accuracy: 0.9 }, time: 0 }] : [],
      ...(error ? { error } : {}),
    });
    const result = makeRunResult([record("t0000", 0, "completed"), record("t0001", 1, "errored", { kind: "error", message: "boom" })], "accuracy", "max");
    const text = formatRunSummary(experiment, result, "runs/x");
    assert.match(text, /Best trial t0000: validation accuracy 0\.9 after 1 epoch\n/);
    assert.match(text, /\nErrors: 1 trial errored\n {2}t0001 \(error\): boom\n/);
  });
});
