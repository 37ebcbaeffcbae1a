// Runner overhead and throughput: `node --import tsx bench/tune-runner.ts`.
//  1. reports/s with an inline no-op trainable (target >= 5,000), in memory and with a journal
//     on disk (flushed per event, and fsync'd per event);
//  2. trial throughput with CPU-bound worker trainables at concurrency 1 vs 2 (target >= 1.8x on 2 cores);
//  3. worker start-up: time from run() to the first report of a worker trial.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tune from "../src/tune/index.js";

const noop: tune.Trainable = async (_config, ctx) => {
  while ((await ctx.report({ m: ctx.iteration })) === "continue");
};

async function reportsPerSecond(label: string, storage?: tune.Storage, concurrency = 1): Promise<void> {
  const trials = 10;
  const budget = 2000;
  const t0 = performance.now();
  await tune.run(noop, { space: {}, metric: "m", mode: "max", seed: 1, numSamples: trials, scheduler: new tune.FIFO({ maxBudget: budget }), concurrency, ...(storage ? { storage } : {}) });
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(44)} ${Math.round((trials * budget) / s).toLocaleString("en").padStart(8)} reports/s`);
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tune-bench-"));
}

await reportsPerSecond("inline no-op, memory, concurrency 1");
await reportsPerSecond("inline no-op, memory, concurrency 4", undefined, 4);
const d1 = tmp();
await reportsPerSecond("inline no-op, journal on disk (flush/event)", new tune.FileStorage(d1));
const d2 = tmp();
const fsyncTrials = 2;
{
  const t0 = performance.now();
  await tune.run(noop, { space: {}, metric: "m", mode: "max", seed: 1, numSamples: fsyncTrials, scheduler: new tune.FIFO({ maxBudget: 500 }), storage: new tune.FileStorage(d2, { durability: "fsync" }) });
  const s = (performance.now() - t0) / 1000;
  console.log(`${"inline no-op, journal on disk (fsync/event)".padEnd(44)} ${Math.round((fsyncTrials * 500) / s).toLocaleString("en").padStart(8)} reports/s`);
}
for (const d of [d1, d2]) fs.rmSync(d, { recursive: true, force: true });

const spin = { module: new URL("../test/tune-fixtures/trainables.ts", import.meta.url).href, export: "spin" };
{
  let first = 0;
  const t0 = performance.now();
  await tune.run(spin, {
    space: { ms: 1, reports: 1 }, metric: "x", mode: "max", seed: 1, numSamples: 1,
    onEvent: ({ event }) => { if (event.type === "result" && !first) first = performance.now() - t0; },
  });
  console.log(`${"worker start-up (run() to first report)".padEnd(44)} ${first.toFixed(0).padStart(8)} ms`);
}
// 12 trials of a fixed amount of arithmetic each (about 0.5 s on one idle core): long enough
// that each worker's start-up (registering tsx for a .ts trainable, ~0.5 s) does not dominate.
const crunch = { module: spin.module, export: "crunch" };
const times: number[] = [];
const workTrials = 12;
for (const concurrency of [1, 2]) {
  const t0 = performance.now();
  await tune.run(crunch, { space: { units: 5, reports: 10 }, metric: "x", mode: "max", seed: 1, numSamples: workTrials, concurrency });
  times.push(performance.now() - t0);
  console.log(`${`${workTrials} CPU-bound worker trials (fixed work), conc ${concurrency}`.padEnd(44)} ${times.at(-1)!.toFixed(0).padStart(8)} ms`);
}
console.log(`${"speed-up concurrency 2 vs 1".padEnd(44)} ${(times[0]! / times[1]!).toFixed(2).padStart(8)}x`);
