// The tuner's public surface: `import { tune } from "tunegrad"` gives this module as a namespace.

export { choice, grid, uniform, quniform, loguniform, qloguniform, randint, sample, validateSpace, validateConfig, isDomain, DOMAIN_TYPES } from "./space.js";
export type { Domain, DomainType, Space, SampleOptions } from "./space.js";
export { Random, deriveSeed } from "./random.js";
export type { RandomState, SeedKey } from "./random.js";
export { assertJson } from "./json.js";
export { hyperbandBrackets } from "./schedulers/brackets.js";
export type { Bracket, Rung, BracketOptions } from "./schedulers/brackets.js";
export { FIFO } from "./schedulers/fifo.js";
export type { FIFOOptions } from "./schedulers/fifo.js";
export { Hyperband } from "./schedulers/hyperband.js";
export type { HyperbandOptions } from "./schedulers/hyperband.js";
export { ASHA } from "./schedulers/asha.js";
export type { ASHAOptions } from "./schedulers/asha.js";
export { MedianStopping } from "./schedulers/median.js";
export type { MedianStoppingOptions } from "./schedulers/median.js";
export { RandomSearcher } from "./searchers/random.js";
export { GridSearcher } from "./searchers/grid.js";
export { run } from "./runner.js";
export type { RunOptions } from "./runner.js";
export { InlineExecutor } from "./executors/inline.js";
export { WorkerExecutor } from "./executors/worker.js";
export type { Executor, TrialJob, TrialHost, TrialHandle } from "./executors/executor.js";
export { FileStorage, MemoryStorage } from "./storage.js";
export type { Storage, StoredCheckpoint, FileStorageOptions } from "./storage.js";
export { loadExperiment, replay } from "./journal.js";
export { makeRunResult, leaderboard, bestReport } from "./result.js";
export type * from "./types.js";
