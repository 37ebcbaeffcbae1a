// The browser build and demo, end to end in Debian's headless Chromium (/usr/bin/chromium, never
// a downloaded browser), driven by playwright-core. Chromium offers WebGPU here through its
// SwiftShader fallback adapter (--enable-unsafe-webgpu); the demo runs with ?test=1 (tiny sizes).
//
// Where /usr/bin/chromium is missing the suite is skipped, except in CI (CI set), where that is a
// failure: .ci/run installs it. A screenshot of the finished demo is saved to
// test-output/browser-demo.png.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { buildBrowser } from "../scripts/build-browser.js";
import { startDemoServer, type DemoServer } from "../scripts/serve-browser-demo.js";
import type { JournalEvent } from "../src/tune/types.js";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT_DIR = path.join(ROOT, "test-output");
const SCREENSHOT = path.join(OUTPUT_DIR, "browser-demo.png");
/** Without the networking flags Chromium's background connections are refused on this closed network. */
const CHROMIUM_FLAGS = [
  "--enable-unsafe-webgpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--no-sandbox",
];

const inCI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";
const haveChromium = existsSync(CHROMIUM);
const skip = haveChromium || inCI ? false : `${CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium); the browser tests need it`;

describe("browser build", () => {
  it("bundles the library and the demo with no Node-only module in them", async () => {
    const { inputs } = await buildBrowser();
    const library = inputs["tunegrad.js"]!;
    for (const nodeOnly of ["src/tune/file-storage.ts", "src/tune/executors/worker.ts", "src/tune/executors/worker-entry.ts", "src/nn/node-files.ts"]) {
      assert.ok(!library.includes(nodeOnly), `${nodeOnly} is in the browser bundle`);
    }
    for (const replacement of ["src/browser/replacements/file-storage.ts", "src/browser/web-worker-executor.ts", "src/browser/replacements/node-files.ts"]) {
      assert.ok(library.includes(replacement), `${replacement} should stand in for its Node-only module`);
    }
    assert.ok(library.includes("src/kernels/webgpu/backend.ts"), "the WebGPU backend is in the bundle");
    assert.deepEqual(inputs["demo.js"]!.filter((f) => f.startsWith("src/")), [], "the demo imports the library bundle, not a second copy");
    assert.ok(inputs["trial-worker.js"]!.includes("src/tune/executors/trial-worker-loop.ts"), "the Web Worker entry serves trials with the same loop as Node's worker threads");
  });
});

interface DemoSnapshot {
  phase: string;
  backend?: { name: string; reason: string };
  parity?: { passed: boolean; checks: number; failures: string[] };
  training: { validationLoss: number[]; trainLoss: number[] };
  search: { before?: { trials: number; results: number; events: number; finished: boolean }; resumed: boolean; plannedTrials: number; executor?: string; best?: { trialId: string; config: Record<string, unknown> }; trials: { id: string; history: unknown[] }[] };
  bestModel?: { trialId: string; accuracy: number; bytes: number };
  loadedModel?: { accuracy: number };
  error?: string;
}

/** The demo's published state, without its functions and the storage object. */
function snapshot(page: Page): Promise<DemoSnapshot> {
  return page.evaluate(() => {
    const { storage: _storage, savedResults: _saved, ...rest } = window.tunegradDemo;
    return JSON.parse(JSON.stringify(rest));
  });
}

/** Waits until `condition` holds in the page, failing at once if the demo shows an error. */
async function waitForDemo(page: Page, condition: string, timeout: number): Promise<void> {
  await page.waitForFunction(`window.tunegradDemo && (window.tunegradDemo.phase === "error" || (${condition}))`, undefined, { timeout, polling: 250 });
  const state = await snapshot(page);
  if (state.phase === "error") assert.fail(`the demo failed: ${state.error}`);
}

function journal(page: Page): Promise<string> {
  return page.evaluate(() => window.tunegradDemo.storage!.journalText());
}

const parseLines = (text: string): JournalEvent[] => text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as JournalEvent);

describe("browser demo in headless Chromium", { skip }, () => {
  let server: DemoServer;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const pageErrors: string[] = [];
  const workerUrls: string[] = [];

  before(async () => {
    if (!haveChromium) assert.fail(`${CHROMIUM} is missing in CI; .ci/run installs Debian's chromium package`);
    await buildBrowser();
    server = await startDemoServer();
    userDataDir = mkdtempSync(path.join(tmpdir(), "tunegrad-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, acceptDownloads: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("worker", (worker) => workerUrls.push(worker.url()));
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it("runs on WebGPU and the in-page kernel parity check passes", { timeout: 60_000 }, async () => {
    await page.goto(`${server.url}?test=1`);
    await waitForDemo(page, `window.tunegradDemo.parity !== undefined || window.tunegradDemo.phase === "training"`, 50_000);
    const state = await snapshot(page);
    assert.equal(state.backend?.name, "webgpu", `the page fell back to the CPU: ${state.backend?.reason}`);
    assert.match(state.backend!.reason, /WebGPU adapter/);
    assert.ok(state.parity, "the kernel check ran");
    assert.deepEqual(state.parity.failures, [], "every kernel result matches the CPU backend");
    assert.ok(state.parity.passed && state.parity.checks >= 80, `expected every op of the table checked, got ${state.parity.checks} checks`);
    assert.match(await page.textContent("#backend") ?? "", /Training on WebGPU/);
  });

  it("training lowers the loss", { timeout: 60_000 }, async () => {
    await waitForDemo(page, `window.tunegradDemo.phase === "searching" || window.tunegradDemo.phase === "done"`, 50_000);
    const { validationLoss, trainLoss } = (await snapshot(page)).training;
    assert.ok(validationLoss.length >= 3, "a loss before training and after each epoch");
    assert.ok(validationLoss.at(-1)! < 0.6 * validationLoss[0]!, `validation loss ${validationLoss.join(" -> ")} did not fall`);
    assert.ok(trainLoss.at(-1)! < trainLoss[0]!, `training loss ${trainLoss.join(" -> ")} did not fall`);
    assert.equal(await page.locator("#loss-chart svg polyline").count(), 2);
  });

  it("a reload mid-search resumes the journaled experiment instead of restarting it", { timeout: 120_000 }, async () => {
    await waitForDemo(page, `window.tunegradDemo.savedResults() >= 3`, 60_000);
    // What IndexedDB holds now: the reload may also keep a few events written after this.
    const saved = await page.evaluate(() => {
      const storage = window.tunegradDemo.storage!;
      return { phase: window.tunegradDemo.phase, lines: storage.journalText().split("\n").slice(0, storage.savedEvents) };
    });
    assert.equal(saved.phase, "searching", "the search was still running when the page was reloaded");
    await page.reload();
    await waitForDemo(page, `window.tunegradDemo.phase === "done"`, 100_000);

    const state = await snapshot(page);
    assert.ok(state.search.resumed, "the page resumed the experiment it found in IndexedDB");
    assert.ok(state.search.before && state.search.before.results >= 3 && !state.search.before.finished, `found ${JSON.stringify(state.search.before)}`);
    const text = await journal(page);
    assert.deepEqual(text.split("\n").slice(0, saved.lines.length), saved.lines, "the journal saved before the reload is kept, not rewritten");
    const events = parseLines(text);
    const starts = events.filter((e) => e.type === "experiment_started");
    assert.deepEqual(
      starts.map((e) => e.type === "experiment_started" && e.resumed),
      [false, true],
      "one fresh start, then one resumed start",
    );
    const created = events.filter((e) => e.type === "trial_created").map((e) => (e.type === "trial_created" ? e.index : -1));
    assert.deepEqual(created, Array.from({ length: state.search.plannedTrials }, (_, i) => i), "each planned trial created once, none again after the reload");
    const resumedAt = events.findIndex((e) => e.type === "experiment_started" && e.resumed);
    assert.ok(events.slice(0, resumedAt).filter((e) => e.type === "result").length >= 3, "results from before the reload count");
    assert.equal(events.at(-1)?.type, "experiment_ended");
  });

  it("the search finishes with a best config, a leaderboard and learning curves", async () => {
    const state = await snapshot(page);
    assert.ok(state.search.best, "a best trial");
    assert.ok(typeof state.search.best.config.activation === "string");
    assert.equal(state.search.trials.length, state.search.plannedTrials);
    assert.equal(state.search.executor, "worker");
    const trialWorkers = workerUrls.filter((url) => new URL(url).pathname === "/trial-worker.js");
    assert.ok(trialWorkers.length >= 2, `the trials ran in Web Workers (workers started: ${workerUrls.join(", ") || "none"})`);
    assert.match(await page.textContent("#best") ?? "", new RegExp(`Best: ${state.search.best.trialId} with activation = ${state.search.best.config.activation}`));
    assert.equal(await page.locator("#leaderboard tbody tr").count(), state.search.plannedTrials);
    assert.ok((await page.locator("#curves svg polyline").count()) >= state.search.plannedTrials, "one learning curve per trial");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
  });

  it("the best model's weights download as safetensors and load back with the same accuracy", { timeout: 30_000 }, async () => {
    const { bestModel } = await snapshot(page);
    assert.ok(bestModel, "the best model's weights are offered");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-weights")]);
    assert.equal(download.suggestedFilename(), "best-model.safetensors");
    const file = path.join(OUTPUT_DIR, "best-model.safetensors");
    await download.saveAs(file);
    assert.equal(readFileSync(file).length, bestModel.bytes);
    await page.setInputFiles("#load-weights", file);
    await waitForDemo(page, `window.tunegradDemo.loadedModel !== undefined`, 20_000);
    const { loadedModel } = await snapshot(page);
    assert.equal(loadedModel!.accuracy, bestModel.accuracy, "the loaded weights give the saved model's accuracy");
    assert.deepEqual(pageErrors, [], "no uncaught error in the page");
  });

  it("without WebGPU the page trains on the CPU backend and says so", { timeout: 60_000 }, async () => {
    const cpuPage = await context.newPage();
    try {
      // As in a browser without WebGPU. A string, not a function: tsx would wrap the function's
      // inner arrow in its __name helper, which does not exist in the page.
      await cpuPage.addInitScript({ content: `Object.defineProperty(Navigator.prototype, "gpu", { get() { return undefined; } });` });
      await cpuPage.goto(`${server.url}?test=1&experiment=cpu-fallback`);
      await waitForDemo(cpuPage, `window.tunegradDemo.phase === "searching" || window.tunegradDemo.phase === "done"`, 50_000);
      const state = await snapshot(cpuPage);
      assert.equal(state.backend?.name, "cpu");
      assert.match(await cpuPage.textContent("#backend") ?? "", /WebGPU is not available here, so this page trains on the CPU backend/);
      assert.ok(state.training.validationLoss.at(-1)! < state.training.validationLoss[0]!, "training on the CPU lowers the loss too");
    } finally {
      await cpuPage.close();
    }
  });
});
