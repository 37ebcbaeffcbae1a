// Synthetic trainables for the tuner's tests: cheap, deterministic in their config and seed.
import type { TrialContext } from "../../src/tune/types.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A learning curve that rises toward config.x: score(t) = x · (1 − 1/(t+1)). Checkpoints its step. */
export async function curve(config: { x: number; jitter?: number }, ctx: TrialContext): Promise<void> {
  const saved = ctx.restore() as { step: number } | undefined;
  let step = saved?.step ?? 0;
  if (step !== ctx.iteration) throw new Error(`restored step ${step} but ctx.iteration is ${ctx.iteration}`);
  for (;;) {
    step++;
    if (config.jitter) await sleep(Math.floor(((ctx.seed + step * 7919) % 1000) / 1000 * config.jitter));
    const decision = await ctx.report({ score: config.x * (1 - 1 / (step + 1)), step });
    if (decision !== "continue") {
      await ctx.checkpoint({ step });
      return;
    }
  }
}

export async function throws(): Promise<void> {
  throw new Error("boom from the trainable");
}

export async function exits(): Promise<void> {
  process.exit(3);
}

export async function hangs(_config: unknown, ctx: TrialContext): Promise<void> {
  await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
}

/** CPU-bound by work, not time: `units` million square roots per report, for config.reports reports. */
export async function crunch(config: { units: number; reports: number }, ctx: TrialContext): Promise<void> {
  for (let i = 0; i < config.reports; i++) {
    let x = 0;
    for (let j = 0; j < config.units * 1e6; j++) x += Math.sqrt(x + j);
    if ((await ctx.report({ x: x % 1 })) !== "continue") return;
  }
}

/** CPU-bound: spins for config.ms milliseconds per report, for config.reports reports. */
export async function spin(config: { ms: number; reports: number }, ctx: TrialContext): Promise<void> {
  for (let i = 0; i < config.reports; i++) {
    const end = performance.now() + config.ms;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    if ((await ctx.report({ x: x % 1 })) !== "continue") return;
  }
}
