// The built-in trainable of `tunegrad tune`: builds the model from the experiment's spec template
// and the trial's config (nn.fromSpec), trains it one epoch per `ctx.report`, and reports the
// validation accuracy and loss and the training loss. It checkpoints the model and optimizer
// state after each report, so a trial paused by Hyperband (or killed) goes on from where it was.
//
// It runs in worker threads, so it is loaded by module URL and export name and gets only JSON:
// the config, and the trial plan (model template, dataset, training settings) carried in the
// module URL's query (see trainableRef), so that every worker can rebuild the same trial.
import type { Config, TrainableRef, TrialContext } from "../tune/types.js";
import type { TrialPlan } from "./experiment.js";
import { TrainingSession } from "./training-session.js";

const PLAN_PARAMETER = "plan";

/** Names the trainable for the runner: this module's URL with the plan in its query. */
export function trainableRef(plan: TrialPlan): TrainableRef {
  const url = new URL(import.meta.url);
  url.search = new URLSearchParams({ [PLAN_PARAMETER]: JSON.stringify(plan) }).toString();
  return { module: url.href, export: "trainFromPlan" };
}

function planFromModuleUrl(): TrialPlan {
  const text = new URL(import.meta.url).searchParams.get(PLAN_PARAMETER);
  if (text === null) {
    throw new Error(`trainFromPlan needs its plan in the module URL's query (?${PLAN_PARAMETER}=...); name it with trainableRef(plan)`);
  }
  return JSON.parse(text) as TrialPlan;
}

/** Trains one trial of `plan` with `config`, one epoch per report, until told to pause or stop. */
export async function trainTrial(plan: TrialPlan, config: Config, ctx: TrialContext): Promise<void> {
  const session = await TrainingSession.create(plan, config, ctx.seed);
  try {
    const restored = ctx.restore();
    const firstEpoch = restored === undefined ? 0 : session.restore(restored);
    for (let epoch = firstEpoch; epoch < plan.maxEpochs; epoch++) {
      if (ctx.signal.aborted) return;
      const decision = await ctx.report({ ...(await session.runEpoch(epoch)) });
      if (decision === "stop") return;
      // After the report, so the checkpoint belongs to the iteration just recorded; every epoch,
      // so that a killed run loses at most the epoch in progress.
      await ctx.checkpoint(await session.checkpoint(epoch + 1));
      if (decision === "pause") return;
    }
  } finally {
    session.dispose();
  }
}

/** The export the runner loads (see trainableRef): the plan comes from this module's URL. */
export async function trainFromPlan(config: Config, ctx: TrialContext): Promise<void> {
  return trainTrial(planFromModuleUrl(), config, ctx);
}
