// The JSON messages between the runner's thread and a trial worker.

import type { Decision, JsonValue, Metrics } from "../types.js";
import type { TrialJob } from "./executor.js";

export type ToWorker =
  | { type: "start"; module: string; export: string; job: TrialJob }
  | { type: "decision"; seq: number; decision: Decision };

export type FromWorker =
  | { type: "ready" }
  | { type: "report"; seq: number; metrics: Metrics }
  | { type: "checkpoint"; state: JsonValue }
  | { type: "done" }
  | { type: "error"; error: { message: string; stack?: string | undefined } };
