// The README's walk-through, runnable: `node --import tsx examples/quickstart.ts`.
// Tensors and autograd, a model from JSON, and a small Hyperband search over activations on
// the iris data where the config holds only registry keys.

import { activations, data, Generator, init, losses, nn, optim, randn, tune } from "../src/index.js";

export async function quickstart(log: (line: string) => void = console.log): Promise<tune.RunResult> {
  const device = await init({ backend: "auto" }); // WebGPU if an adapter exists, else the CPU
  log(`backend: ${device.backend} (${device.reason})`);

  // Tensors and autograd.
  const x = randn([32, 64], { seed: 1 });
  const w = randn([64, 10], { seed: 2, requiresGrad: true });
  x.matmul(w).relu().mean().backward();
  log(`|dy/dw| summed: ${(await w.grad!.abs().sum().item()).toFixed(4)}`);

  // A custom activation composed from tensor ops; autograd gives its backward.
  if (!activations.has("swish")) activations.define({ name: "swish", forward: (t) => t.mul(t.sigmoid()) });

  // A search over activations: the config holds keys; the trial looks them up.
  const iris = await data.load("iris");
  const { mean, inverseStd } = iris.statistics();
  const { train, validation } = iris.normalized(mean, inverseStd).split({ validation: 0.2, generator: new Generator(3) });

  const trainable: tune.Trainable = async (config, ctx) => {
    const model = nn.fromSpec(
      { input: 4, layers: [{ type: "linear", units: 16 }, { type: "activation", name: config.activation as string }, { type: "linear", units: 3 }] },
      { seed: ctx.seed },
    );
    const opt = new optim.Adam({ params: model, lr: config.lr as number });
    const loss = losses.create("crossEntropy");
    const loader = new data.DataLoader(train, { batchSize: 16, shuffle: true, seed: ctx.seed });
    // A trial Hyperband promotes goes on from its checkpoint rather than from scratch.
    const saved = ctx.restore();
    if (saved !== undefined) nn.loadTrainingState(saved, model, opt);
    try {
      for (let epoch = ctx.iteration; ; epoch++) {
        await nn.trainEpoch(model, opt, loss, loader, epoch); // zeroGrad, loss, backward, step per batch
        const accuracy = await nn.evaluateAccuracy(model, validation);
        const decision = await ctx.report({ accuracy });
        await ctx.checkpoint(await nn.trainingState(model, opt));
        if (decision !== "continue") return;
      }
    } finally {
      opt.dispose();
      model.dispose();
    }
  };

  const result = await tune.run(trainable, {
    space: { activation: tune.choice(["relu", "tanh", "mish", "swish"]), lr: tune.loguniform(1e-3, 1e-1) },
    metric: "accuracy",
    mode: "max",
    seed: 42,
    scheduler: new tune.Hyperband({ maxBudget: 9, eta: 3 }),
    concurrency: 2,
  });
  log(`best config: ${JSON.stringify(result.best?.config)} with accuracy ${result.best?.metrics.accuracy}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await quickstart();
