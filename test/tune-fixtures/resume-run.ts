// Runs the kill-and-resume experiment: `node --import tsx resume-run.ts DIR [resume]`.
import * as tune from "../../src/tune/index.js";
import { curve } from "./trainables.js";

export const experiment = {
  space: { x: tune.uniform(0, 1), jitter: 6 },
  metric: "score",
  mode: "max" as const,
  seed: "resume-test",
  concurrency: 2,
};

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const dir = process.argv[2]!;
  await tune.run(curve as tune.Trainable, { ...experiment, scheduler: new tune.Hyperband({ maxBudget: 9, eta: 3 }), storage: dir, resume: process.argv[3] === "resume" });
}
