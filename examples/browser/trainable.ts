// The demo's trainable as a module of its own, for trials in Web Workers (bundled as
// dist/browser/trainable.js). A worker gets only JSON: the trial's config, and the settings it
// needs (device, data URL, sizes) in this module's URL query, so every worker rebuilds the same
// trial. Each worker picks its device and loads the digits once, for all the trials it runs.

import { init, type tune } from "../../src/browser/index.js";
import type { DemoSettings } from "./settings.js";
import { digitsTrainable, loadDigits, type Digits } from "./training.js";

/** What a worker needs to train a trial, carried in the module URL. */
interface TrialPlan {
  /** The page's backend: the workers train where the page does. */
  backend: "webgpu" | "cpu";
  dataUrl: string;
  limits: DemoSettings["limits"];
  batchSize: number;
}

const PLAN_PARAMETER = "plan";

/** This module's URL (served next to demo.js) with the demo's plan in its query. */
export function trainablePlanUrl(settings: DemoSettings, backend: TrialPlan["backend"]): string {
  const plan: TrialPlan = { backend, dataUrl: new URL(settings.dataUrl, location.href).href, limits: settings.limits, batchSize: settings.batchSize };
  const url = new URL("trainable.js", location.href);
  url.searchParams.set(PLAN_PARAMETER, JSON.stringify(plan));
  return url.href;
}

function planFromModuleUrl(): TrialPlan {
  const text = new URL(import.meta.url).searchParams.get(PLAN_PARAMETER);
  if (text === null) throw new Error(`trainable.js needs its plan in its URL's query (?${PLAN_PARAMETER}=...); name it with trainablePlanUrl(settings)`);
  try {
    return JSON.parse(text) as TrialPlan;
  } catch (e) {
    throw new Error(`trainable.js: the ${PLAN_PARAMETER} in its URL's query is not JSON (${(e as Error).message}); name it with trainablePlanUrl(settings)`, { cause: e });
  }
}

let ready: Promise<tune.Trainable> | undefined;

/** Once per worker: the device, the data, and the trainable over them. */
function prepare(): Promise<tune.Trainable> {
  ready ??= (async () => {
    const plan = planFromModuleUrl();
    await init({ backend: plan.backend });
    const digits: Digits = await loadDigits(plan.dataUrl, plan.limits);
    return digitsTrainable(digits, plan.batchSize);
  })();
  return ready;
}

/** The export the worker loads: one trial of the search. */
export async function trainDigits(config: tune.Config, ctx: tune.TrialContext): Promise<void> {
  const trainable = await prepare();
  return trainable(config, ctx);
}
