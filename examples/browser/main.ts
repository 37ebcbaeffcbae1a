// The demo page: picks the device, checks the WebGPU kernels against the CPU backend, trains one
// MLP on the digits while plotting its loss, then runs a Hyperband search over activations with
// a live leaderboard and learning curves. The search is journaled to IndexedDB, so a reload
// resumes it; the best model's weights can be downloaded as safetensors and loaded back.
//
// Its state is also published as `window.tunegradDemo`, which the browser test reads.

import { IndexedDBStorage, checkKernelParity, findBackend, getBackend, init, learningCurvesSvg, nn, tune, type ParityReport } from "../../src/browser/index.js";
import { settingsFromUrl, type DemoSettings } from "./settings.js";
import { trainablePlanUrl } from "./trainable.js";
import { Trainer, digitsTrainable, evaluate, loadDigits, type Digits, type MlpConfig } from "./training.js";
import { byId, download, lineChart, renderLeaderboard, type Series } from "./view.js";

const METRIC = "accuracy";
const MODE: tune.Mode = "max";

type Phase = "loading" | "device" | "parity" | "training" | "searching" | "done" | "error";

interface DemoState {
  phase: Phase;
  settings?: DemoSettings;
  backend?: { name: "webgpu" | "cpu"; reason: string };
  parity?: { passed: boolean; checks: number; failures: string[]; milliseconds: number };
  /** Section 1: validation loss before training and after each epoch, and each epoch's training loss. */
  training: { validationLoss: number[]; trainLoss: number[]; accuracy?: number };
  search: {
    /** What the journal held when the page opened it (a reload mid-search). */
    before?: { trials: number; results: number; events: number; finished: boolean };
    resumed: boolean;
    trials: tune.TrialRecord[];
    best?: tune.BestTrial;
    plannedTrials: number;
    /** Where the trials ran. */
    executor?: "worker" | "inline";
  };
  bestModel?: { trialId: string; iteration: number; accuracy: number; bytes: number };
  loadedModel?: { accuracy: number; layers: number };
  error?: string;
  storage?: IndexedDBStorage;
  /** Result events committed to IndexedDB so far. */
  savedResults(): number;
}

const state: DemoState = {
  phase: "loading",
  training: { validationLoss: [], trainLoss: [] },
  search: { resumed: false, trials: [], plannedTrials: 0 },
  savedResults() {
    const storage = state.storage;
    if (!storage) return 0;
    return storage.readJournal().events.slice(0, storage.savedEvents).filter((e) => e.type === "result").length;
  },
};

declare global {
  interface Window {
    tunegradDemo: DemoState;
  }
}
window.tunegradDemo = state;

function setPhase(phase: Phase): void {
  state.phase = phase;
  document.body.dataset.phase = phase;
}

function setStatus(id: string, text: string, warn = false): void {
  const element = byId(id);
  element.textContent = text;
  element.classList.toggle("warn", warn);
}

// ---------------------------------------------------------------------------------------------
// Device and kernel check

async function chooseDevice(settings: DemoSettings): Promise<void> {
  setPhase("device");
  const chosen = await init({ backend: settings.backend });
  state.backend = { name: chosen.backend, reason: chosen.reason };
  if (chosen.backend === "webgpu") {
    setStatus("backend", `Training on WebGPU. ${chosen.reason}`);
  } else {
    setStatus("backend", `WebGPU is not available here, so this page trains on the CPU backend instead (slower). Why: ${chosen.reason}`, true);
  }
}

async function checkKernels(): Promise<void> {
  const cpu = findBackend("cpu");
  if (state.backend?.name !== "webgpu" || !cpu) {
    setStatus("parity", "Skipped: there is no WebGPU device to compare with the CPU backend.", true);
    return;
  }
  setPhase("parity");
  let done = 0;
  const report: ParityReport = await checkKernelParity(getBackend(), cpu, () => setStatus("parity", `Comparing kernels… ${++done} results checked`));
  const failures = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  state.parity = { passed: report.passed, checks: report.checks.length, failures, milliseconds: report.milliseconds };
  const seconds = (report.milliseconds / 1000).toFixed(1);
  setStatus(
    "parity",
    report.passed
      ? `Passed: ${report.checks.length} kernel results (every activation and its derivative, binary ops, reductions, matmul with fused epilogues) match the CPU backend, in ${seconds} s.`
      : `FAILED: ${failures.length} of ${report.checks.length} kernel results differ from the CPU backend.`,
    !report.passed,
  );
  byId("parity-failures").replaceChildren(...failures.map((f) => Object.assign(document.createElement("li"), { textContent: f })));
}

// ---------------------------------------------------------------------------------------------
// Section 1: one model

async function trainOne(settings: DemoSettings, digits: Digits): Promise<void> {
  setPhase("training");
  const { config, epochs, seed } = settings.single;
  const trainer = new Trainer(config, seed, digits, settings.batchSize);
  const draw = () => {
    const series: Series[] = [
      { name: "validation loss", colour: "#1f77b4", points: state.training.validationLoss.map((v, i) => [i, v]) },
      { name: "training loss", colour: "#d62728", points: state.training.trainLoss.map((v, i) => [i + 1, v]) },
    ];
    byId("loss-chart").replaceChildren(lineChart(series, { x: "epoch", y: "cross-entropy loss" }));
  };
  try {
    state.training.validationLoss.push((await trainer.evaluate()).loss);
    for (let epoch = 0; epoch < epochs; epoch++) {
      setStatus("training", `Training ${config.hidden} hidden units with ${config.activation}, Adam lr ${config.lr}: epoch ${epoch + 1} of ${epochs}…`);
      state.training.trainLoss.push(await trainer.trainEpoch(epoch));
      const validation = await trainer.evaluate();
      state.training.validationLoss.push(validation.loss);
      state.training.accuracy = validation.accuracy;
      draw();
    }
  } finally {
    trainer.dispose();
  }
  const losses = state.training.validationLoss;
  setStatus(
    "training",
    `Trained ${epochs} epochs on ${digits.train.length} digits: validation loss ${losses[0]!.toFixed(3)} → ${losses.at(-1)!.toFixed(3)}, ` +
      `accuracy ${((state.training.accuracy ?? 0) * 100).toFixed(1)}% on ${digits.validation.length} held-out digits.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Section 2: the search

function where(settings: DemoSettings): string {
  return settings.executor === "worker"
    ? `with ${settings.search.concurrency} trials at a time in Web Workers (each with its own device)`
    : `with ${settings.search.concurrency} trials at a time on this page's device`;
}

function drawSearch(storage: IndexedDBStorage, budget?: { spent: number; planned?: number }): void {
  const trials = state.search.trials;
  renderLeaderboard(byId<HTMLTableElement>("leaderboard"), trials, METRIC, MODE);
  const svg = learningCurvesSvg(trials, { metric: METRIC, mode: MODE });
  if (svg !== undefined) byId("curves").innerHTML = svg;
  if (state.phase === "searching") {
    const planned = budget?.planned === undefined ? "" : ` of ${budget.planned}`;
    const resumed = state.search.resumed ? ` Resumed after a reload, with ${state.search.before!.trials} trials and ${state.search.before!.results} results from before it.` : "";
    setStatus(
      "search",
      `Searching ${where(state.settings!)}: ${trials.length} of ${state.search.plannedTrials} trials created, ${budget?.spent ?? 0}${planned} epochs trained. ` +
        `Journal: ${storage.events} events, ${storage.savedEvents} saved in IndexedDB.${resumed}`,
    );
  }
}

async function search(settings: DemoSettings, digits: Digits): Promise<void> {
  setPhase("searching");
  const storage = await IndexedDBStorage.open(settings.experiment);
  state.storage = storage;
  const { maxBudget, eta, space, concurrency, seed } = settings.search;
  const scheduler = new tune.Hyperband({ maxBudget, eta });
  state.search.plannedTrials = scheduler.trialCount();
  byId<HTMLButtonElement>("download-journal").disabled = false;

  let trials: tune.TrialRecord[];
  const previous = storage.readInfo() === undefined ? undefined : await tune.loadExperiment(storage);
  if (previous) {
    const results = previous.events.filter((e) => e.type === "result").length;
    state.search.before = { trials: previous.trials.length, results, events: previous.events.length, finished: previous.finished };
  }
  if (previous?.finished) {
    trials = previous.trials;
    state.search.trials = trials;
    storage.close();
  } else {
    state.search.resumed = previous !== undefined;
    let pending: ReturnType<typeof setTimeout> | undefined;
    let lastBudget: { spent: number; planned?: number } | undefined;
    // In Web Workers the trainable is named by URL (its settings in the query: only JSON
    // crosses); on the page it is a function sharing the page's device.
    state.search.executor = settings.executor;
    const trainable: tune.Trainable | tune.TrainableRef =
      settings.executor === "worker" ? { module: trainablePlanUrl(settings, state.backend!.name), export: "trainDigits" } : digitsTrainable(digits, settings.batchSize);
    const result = await tune.run(trainable, {
      space,
      metric: METRIC,
      mode: MODE,
      seed,
      scheduler,
      concurrency,
      storage,
      resume: previous !== undefined,
      executor: settings.executor,
      onEvent: ({ trials: records, budget }) => {
        state.search.trials = [...records.values()].sort((a, b) => a.index - b.index);
        lastBudget = budget;
        // Redrawn at most every 100 ms: a burst of events costs one redraw.
        pending ??= setTimeout(() => {
          pending = undefined;
          drawSearch(storage, lastBudget);
        }, 100);
      },
    });
    clearTimeout(pending);
    await storage.flush();
    trials = result.trials;
    state.search.trials = trials;
  }
  const best = tune.makeRunResult(trials, METRIC, MODE).best;
  if (best) state.search.best = best;
  drawSearch(storage);
  const budget = trials.reduce((sum, t) => sum + t.history.length, 0);
  setStatus(
    "search",
    `${previous?.finished ? "This experiment finished earlier (loaded from IndexedDB)" : state.search.resumed ? "Finished, resumed after a reload" : "Finished"}: ` +
      `${trials.length} trials, ${budget} epochs in all, every event saved in IndexedDB (${storage.location}).`,
  );
  byId("best").textContent = best
    ? `Best: ${best.trialId} with ${Object.entries(best.config).map(([k, v]) => `${k} = ${typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(3) : v}`).join(", ")}: ` +
      `accuracy ${(best.metrics[METRIC]! * 100).toFixed(1)}% at epoch ${best.iteration}`
    : "No trial reported a result.";
}

// ---------------------------------------------------------------------------------------------
// Section 3: weights

async function offerBestWeights(settings: DemoSettings, digits: Digits): Promise<void> {
  const best = state.search.best;
  const storage = state.storage;
  if (!best || !storage) return;
  const checkpoint = storage.loadCheckpoint(best.trialId);
  if (!checkpoint) throw new Error(`the best trial ${best.trialId} has no checkpoint in ${storage.location}, so its weights are lost`);
  const trainer = new Trainer(best.config as unknown as MlpConfig, 0, digits, settings.batchSize);
  let bytes: Uint8Array;
  try {
    trainer.restore(checkpoint.state);
    const { accuracy } = await trainer.evaluate();
    bytes = await nn.toBytes(trainer.model);
    state.bestModel = { trialId: best.trialId, iteration: checkpoint.iteration, accuracy, bytes: bytes.length };
  } finally {
    trainer.dispose();
  }
  setStatus(
    "weights",
    `The best trial ${best.trialId} after ${checkpoint.iteration} epochs (its last checkpoint): validation accuracy ${(state.bestModel.accuracy * 100).toFixed(1)}%, ` +
      `${bytes.length} bytes of safetensors with the model's spec in its metadata.`,
  );
  const button = byId<HTMLButtonElement>("download-weights");
  button.disabled = false;
  button.onclick = () => download(bytes, "best-model.safetensors", "application/octet-stream");
}

async function loadWeights(file: File, digits: Digits): Promise<void> {
  const model = nn.fromBytes(new Uint8Array(await file.arrayBuffer()));
  try {
    const { accuracy } = await evaluate(model, digits.validation);
    state.loadedModel = { accuracy, layers: model.toSpec().layers.length };
    const same = state.bestModel ? (state.bestModel.accuracy === accuracy ? ", the same as the model it was saved from" : `; the best model had ${(state.bestModel.accuracy * 100).toFixed(1)}%`) : "";
    setStatus("loaded", `Loaded ${file.name}: rebuilt the model from its spec (${state.loadedModel.layers} layers); validation accuracy ${(accuracy * 100).toFixed(1)}%${same}.`);
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

function showError(error: unknown): void {
  const message = error instanceof Error ? `${error.message}${error.stack ? `\n${error.stack}` : ""}` : String(error);
  state.error = message;
  setPhase("error");
  const element = byId("error");
  element.textContent = `Error: ${message}`;
  element.hidden = false;
  console.error(error);
}

async function main(): Promise<void> {
  const settings = settingsFromUrl(location.search);
  state.settings = settings;
  byId("reset").onclick = () => {
    // The open connection closes itself when asked to (see IndexedDBStorage), so this does not block.
    IndexedDBStorage.delete(settings.experiment).then(() => location.reload(), showError);
  };
  byId("download-journal").onclick = () => {
    if (state.storage) download(state.storage.journalText(), "journal.jsonl", "application/x-ndjson");
  };
  await chooseDevice(settings);
  await checkKernels();
  setStatus("training", "Loading the digits…");
  const digits = await loadDigits(settings.dataUrl, settings.limits);
  byId<HTMLInputElement>("load-weights").onchange = (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) loadWeights(file, digits).catch(showError);
  };
  await trainOne(settings, digits);
  await search(settings, digits);
  await offerBestWeights(settings, digits);
  setPhase("done");
}

main().catch(showError);
