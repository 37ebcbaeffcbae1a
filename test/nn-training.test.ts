import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { data, losses, nn, optim } from "../src/nn/index.js";
import { Generator, type Tensor, tensor, tidy } from "../src/tensor/index.js";

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

async function lossAndGrad(name: string, prediction: number[][] | number[], target: number[]): Promise<{ loss: number; grad: number[] }> {
  const p = tensor(prediction, undefined, { requiresGrad: true });
  const t = tensor(target);
  const loss = losses.create(name)(p, t);
  loss.backward();
  return { loss: await loss.item(), grad: [...(await p.grad!.data())] };
}

describe("losses", () => {
  it("mse is the mean of squared differences, with gradient 2(p - t)/n", async () => {
    const { loss, grad } = await lossAndGrad("mse", [1, 2, 4], [1, 0, 1]);
    assert.ok(close(loss, (0 + 4 + 9) / 3));
    assert.deepEqual(grad.map((g) => +g.toFixed(6)), [0, 1.333333, 2]);
  });

  it("crossEntropy on logits with integer labels matches the float64 formula", async () => {
    const logits = [[2, -1, 0.5], [0.1, 0.2, 0.3]];
    const labels = [2, 0];
    const { loss, grad } = await lossAndGrad("crossEntropy", logits, labels);
    let expected = 0;
    const expectedGrad: number[] = [];
    logits.forEach((row, i) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      expected += (lse - row[labels[i]!]!) / logits.length;
      row.forEach((v, j) => expectedGrad.push((Math.exp(v - lse) - (j === labels[i] ? 1 : 0)) / logits.length));
    });
    assert.ok(close(loss, expected), `${loss} vs ${expected}`);
    grad.forEach((g, i) => assert.ok(close(g, expectedGrad[i]!), `${g} vs ${expectedGrad[i]}`));
  });

  it("crossEntropy stays finite and exact at logits of ±100 and ±1e4", async () => {
    const right = await lossAndGrad("crossEntropy", [[1e4, -1e4, 0], [-100, 100, 0]], [0, 1]);
    assert.equal(right.loss, 0);
    const wrong = await lossAndGrad("crossEntropy", [[1e4, -1e4, 0], [-100, 100, 0]], [1, 0]);
    assert.equal(wrong.loss, (2e4 + 200) / 2);
    // softmax - one-hot, halved by the mean; exp(-100) survives as a float32 denormal.
    wrong.grad.forEach((g, i) => assert.ok(Math.abs(g - [0.5, -0.5, 0, -0.5, 0.5, 0.5 * Math.exp(-100)][i]!) < 1e-30, `${g}`));
  });

  it("bce on logits is stable at ±100 and ±1e4 with gradient sigmoid(z) - y", async () => {
    const z = [100, -100, 1e4, -1e4, 0];
    const y = [1, 0, 0, 1, 0.5];
    const { loss, grad } = await lossAndGrad("bce", z, y);
    assert.ok(close(loss, (1e4 + 1e4 + Math.LN2) / 5), String(loss));
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    grad.forEach((g, i) => assert.ok(close(g, (sigmoid(z[i]!) - y[i]!) / 5), `${g}`));
  });

  it("supports reduction: sum and rejects bad shapes and options", async () => {
    const sum = losses.create("mse", { reduction: "sum" })(tensor([1, 2]), tensor([0, 0]));
    assert.equal(await sum.item(), 5);
    assert.throws(() => losses.create("mse", { reduction: "max" as "sum" }), /loss "mse": reduction must be "mean" or "sum", got "max"/);
    assert.throws(() => losses.create("bce", { weight: 2 } as object), /loss "bce" has no option "weight"; its options are: reduction/);
    assert.throws(() => losses.create("mse")(tensor([1, 2]), tensor([1, 2, 3])), /mse: prediction \[2\] and target \[3\] must have the same shape/);
    assert.throws(() => losses.create("crossEntropy")(tensor([[1, 2]]), tensor([0, 1])), /crossEntropy: labels must be \[1\] or \[1, 1\] class indices/);
    assert.throws(() => losses.create("crossEntropy")(tensor([[1, 2, 3]]), tensor([3])), /crossEntropy: each label must be a class index, an integer in \[0, 2\] for 3 classes \(gather: index 3 is out of range/);
  });
});

/** The optimizer's effect on one parameter over steps with fixed gradients. */
async function stepsOf(make: (p: Tensor) => optim.Optimizer, grads: number[][]): Promise<number[]> {
  const p = tensor([0.5, -1, 2], [3], { requiresGrad: true });
  const opt = make(p);
  for (const g of grads) {
    p.grad = tensor(g);
    opt.step();
    opt.zeroGrad();
  }
  return [...(await p.data())];
}

const f32 = Math.fround;
const gradients = [[0.1, -0.2, 0.3], [0.05, 0.1, -0.4], [-0.3, 0.2, 0.1]];

describe("optimizers", () => {
  it("SGD with momentum, Nesterov and weight decay follows PyTorch's update", async () => {
    const got = await stepsOf((p) => new optim.SGD({ params: [p], lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), gradients);
    const p = [0.5, -1, 2].map(f32);
    const v = [0, 0, 0];
    gradients.forEach((g, step) => {
      for (let i = 0; i < 3; i++) {
        const gi = g[i]! + 0.01 * p[i]!;
        v[i] = f32(step === 0 ? gi : 0.9 * v[i]! + gi);
        p[i] = f32(p[i]! - 0.1 * (gi + 0.9 * v[i]!));
      }
    });
    got.forEach((x, i) => assert.ok(close(x, p[i]!), `${x} vs ${p[i]}`));
  });

  it("Adam and AdamW follow their published updates", async () => {
    for (const [make, decoupled] of [
      [(p: Tensor) => new optim.Adam({ params: [p], lr: 0.01, weightDecay: 0.1 }), false],
      [(p: Tensor) => new optim.AdamW({ params: [p], lr: 0.01, weightDecay: 0.1 }), true],
    ] as const) {
      const got = await stepsOf(make, gradients);
      const p = [0.5, -1, 2].map(f32);
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      gradients.forEach((g, step) => {
        const t = step + 1;
        for (let i = 0; i < 3; i++) {
          let gi = g[i]!;
          let pi = p[i]!;
          if (decoupled) pi *= 1 - 0.01 * 0.1;
          else gi += 0.1 * pi;
          m[i] = f32(0.9 * m[i]! + 0.1 * gi);
          v[i] = f32(0.999 * v[i]! + 0.001 * gi * gi);
          p[i] = f32(pi - (0.01 * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8));
        }
      });
      got.forEach((x, i) => assert.ok(close(x, p[i]!), `${decoupled ? "AdamW" : "Adam"}: ${x} vs ${p[i]}`));
    }
  });

  it("reject bad options with the option named, and are found by key", () => {
    const p = tensor([1], [1], { requiresGrad: true });
    assert.throws(() => new optim.SGD({ params: [p], lr: -1 }), /optimizer "sgd": lr must be a finite number > 0, got -1/);
    assert.throws(() => new optim.SGD({ params: [p], lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 and dampening 0/);
    assert.throws(() => new optim.Adam({ params: [p], beta1: 1 }), /optimizer "adam": beta1 must be a number in \[0, 1\), got 1/);
    assert.throws(() => optim.optimizers.create("adam", { params: [p], learningRate: 0.1 }), /optimizer "adam" has no option "learningRate"; its options are: params, lr, beta1, beta2, eps, weightDecay/);
    assert.throws(() => new optim.Adam({ params: [tensor([1])] }), /parameter "0" must be a tensor created with \{ requiresGrad: true \}/);
    assert.ok(optim.optimizers.create("adamw", { params: [p], lr: 0.1 }) instanceof optim.AdamW);
  });
});

describe("pause and resume", () => {
  // With dropout, whose masks depend on how many it has drawn: a resumed run must go on from there.
  const spec = {
    input: 64,
    layers: [{ type: "linear", units: 16 }, { type: "activation", name: "mish" }, { type: "dropout", rate: 0.2 }, { type: "linear", units: 10 }],
  };

  /** Trains epochs [from, to) of a seeded run; the loader's order depends only on the seed and the epoch. */
  function trainEpochs(model: nn.Module, opt: optim.Optimizer, train: data.Dataset, from: number, to: number): void {
    const loss = losses.create("crossEntropy");
    const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 9 });
    for (let epoch = from; epoch < to; epoch++) {
      for (const { x, y } of loader.epoch(epoch)) {
        tidy(() => {
          loss(model.forward(x), y).backward();
          opt.step();
          opt.zeroGrad();
        });
      }
    }
  }

  for (const [name, options] of [
    ["sgd", { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }],
    ["adam", { lr: 3e-3 }],
    ["adamw", { lr: 3e-3, weightDecay: 0.05 }],
  ] as const) {
    it(`${name}: resuming from stateDict gives bit-identical parameters to an uninterrupted run`, async () => {
      const digits = await data.load("digits");
      const train = digits.split({ validation: 0.8, generator: new Generator(1) }).train; // a small part keeps this fast

      const straight = nn.fromSpec(spec, { seed: 4 });
      const straightOpt = optim.optimizers.create(name, { params: straight, ...options });
      trainEpochs(straight, straightOpt, train, 0, 4);

      const first = nn.fromSpec(spec, { seed: 4 });
      const firstOpt = optim.optimizers.create(name, { params: first, ...options });
      trainEpochs(first, firstOpt, train, 0, 2);
      // Pause: the state as a checkpoint holds it (nn.trainingState), round-tripped through JSON.
      const checkpoint: unknown = JSON.parse(JSON.stringify(await nn.trainingState(first, firstOpt)));

      // Resume into fresh objects, as a trial does: the model rebuilt from its spec and seed (the
      // seed picks dropout's masks), at its initial weights; the optimizer with another lr.
      const resumed = nn.fromSpec(spec, { seed: 4 });
      const resumedOpt = optim.optimizers.create(name, { params: resumed, lr: 1 });
      nn.loadTrainingState(checkpoint, resumed, resumedOpt);
      assert.equal(resumedOpt.stepCount, firstOpt.stepCount);
      trainEpochs(resumed, resumedOpt, train, 2, 4);

      const [a, b] = [await nn.readState(straight.stateDict()), await nn.readState(resumed.stateDict())];
      for (const key of Object.keys(a)) assert.deepEqual(b[key]!.data, a[key]!.data, `${name}: ${key} differs`);
    });
  }

  it("nn.trainEpoch takes the same steps as a hand-written loop and returns the epoch's mean loss", async () => {
    const digits = await data.load("digits");
    const train = digits.split({ validation: 0.9, generator: new Generator(2) }).train; // 180 examples: 2 full batches and a partial one
    const loss = losses.create("crossEntropy");
    const byHand = nn.fromSpec(spec, { seed: 5 });
    const byHandOpt = new optim.Adam({ params: byHand, lr: 3e-3 });
    const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 9 });
    let weightedLoss = 0;
    for (const { x, y } of loader.epoch(3)) {
      byHandOpt.zeroGrad();
      const value = loss(byHand.forward(x), y);
      value.backward();
      byHandOpt.step();
      weightedLoss += (await value.item()) * x.shape[0]!;
    }
    const looped = nn.fromSpec(spec, { seed: 5 });
    const loopedOpt = new optim.Adam({ params: looped, lr: 3e-3 });
    const meanLoss = await nn.trainEpoch(looped, loopedOpt, loss, new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 9 }), 3);
    assert.ok(close(meanLoss, weightedLoss / train.length, 1e-5), `mean loss ${meanLoss} against ${weightedLoss / train.length}`);
    const [a, b] = [await nn.readState(byHand.stateDict()), await nn.readState(looped.stateDict())];
    for (const key of Object.keys(a)) assert.deepEqual(b[key]!.data, a[key]!.data, `${key} differs`);
    assert.ok(looped.training, "the model is left in training mode");
  });

  it("nn.evaluate gives evaluateAccuracy's accuracy and the dataset's mean loss in one batch, and restores the mode", async () => {
    const iris = await data.load("iris");
    const model = nn.fromSpec({ input: 4, layers: [{ type: "linear", units: 8 }, { type: "activation", name: "tanh" }, { type: "linear", units: 3 }] }, { seed: 2 });
    const loss = losses.create("crossEntropy");
    model.train();
    const measured = await nn.evaluate(model, loss, iris, 32); // 150 examples in batches of 32
    assert.ok(model.training, "back in training mode");
    assert.equal(measured.accuracy, await nn.evaluateAccuracy(model, iris));
    model.eval();
    let expected = NaN;
    for (const whole of new data.DataLoader(iris, { batchSize: iris.length }).epoch(0)) expected = await loss(model.forward(whole.x), whole.y).item();
    assert.ok(close(measured.loss, expected, 1e-5), `loss ${measured.loss} against ${expected}`);
    await assert.rejects(nn.evaluate(model, loss, iris.subset([]), 32), /the dataset is empty/);
    await assert.rejects(nn.evaluateAccuracy(model, iris.subset([])), /evaluateAccuracy: the dataset is empty/);
  });

  it("loadTrainingState says what is wrong with a damaged state and loads nothing it cannot check", async () => {
    const model = nn.fromSpec(spec, { seed: 1 });
    const opt = new optim.Adam({ params: model });
    const good = await nn.trainingState(model, opt);
    const fresh = () => nn.fromSpec(spec, { seed: 2 });
    assert.throws(() => nn.loadTrainingState(undefined, fresh()), /expected what trainingState\(\) returned/);
    const [firstKey, firstValue] = Object.entries(good.model)[0]!;
    const truncated = { ...good, model: { ...good.model, [firstKey]: { ...firstValue, base64: firstValue.base64.slice(0, 8) } } };
    assert.throws(() => nn.loadTrainingState(truncated, fresh()), new RegExp(`model\\["${firstKey.replace(".", "\\.")}"\\] holds 6 bytes, but shape`));
    const notBase64 = { ...good, model: { ...good.model, [firstKey]: { ...firstValue, base64: "%%%" } } };
    assert.throws(() => nn.loadTrainingState(notBase64, fresh()), /is not valid base64/);
    const modelOnly = await nn.trainingState(model);
    assert.equal(modelOnly.optimizer, null);
    assert.throws(() => nn.loadTrainingState(modelOnly, fresh(), new optim.Adam({ params: fresh() })), /the state holds none/);
    const other = nn.fromSpec({ ...spec, layers: [{ type: "linear", units: 3 }] }, { seed: 1 });
    assert.throws(() => nn.loadTrainingState(good, other), /unexpected keys: 3\.weight, 3\.bias/);
    assert.deepEqual(good.counters, { "2": { calls: 0 } });
    const badCounters = { ...good, counters: { "2": { calls: -1 } } };
    assert.throws(() => nn.loadTrainingState(badCounters, fresh()), /loadCounters: the module at "2" needs \{ calls \} as non-negative integers, got \{"calls":-1\}/);
    const strayCounters = { ...good, counters: { "0": { calls: 1 } } };
    assert.throws(() => nn.loadTrainingState(strayCounters, fresh()), /loadCounters: no module at "0" keeps counters; expected counters for the modules at "2"/);
    // A state saved before counters existed still loads (its dropout starts from its first mask).
    const { counters: _dropped, ...older } = good;
    nn.loadTrainingState(older, fresh());
  });

  it("loadTrainingState changes nothing when any part of the state is wrong", async () => {
    const model = nn.fromSpec(spec, { seed: 1 });
    const good = await nn.trainingState(model, new optim.Adam({ params: model }));
    const target = nn.fromSpec(spec, { seed: 2 });
    const before = await nn.readState(target.stateDict());
    // The model's part is right; the optimizer's is another kind's.
    assert.throws(() => nn.loadTrainingState(good, target, new optim.SGD({ params: target, lr: 0.1 })), /the state is of a "adam" optimizer, this one is "sgd"/);
    const after = await nn.readState(target.stateDict());
    for (const key of Object.keys(before)) assert.deepEqual(after[key]!.data, before[key]!.data, `${key} was written`);
  });

  it("loadStateDict rejects a state of another optimizer or with a mismatched slot", () => {
    const model = nn.fromSpec(spec, { seed: 1 });
    const adam = new optim.Adam({ params: model });
    const sgd = new optim.SGD({ params: model, lr: 0.1 });
    assert.throws(() => sgd.loadStateDict(adam.stateDict()), /the state is of a "adam" optimizer, this one is "sgd"/);
    const bad = { type: "adam", step: 1, options: { lr: 0.1 }, slots: { "0.weight.m": { shape: [3], data: new Float32Array(3) } } };
    assert.throws(() => adam.loadStateDict(bad), /slot "0\.weight\.m" has shape \[3\] but its parameter is \[64, 16\]/);
    assert.throws(() => adam.loadStateDict({ ...bad, slots: { "9.weight.m": bad.slots["0.weight.m"] } }), /slot "9\.weight\.m" belongs to no parameter of this optimizer/);
    // Checked before anything changes: lr and the step count stay as they were.
    assert.throws(() => adam.loadStateDict({ ...bad, step: 7, options: { lr: 0.5, beta1: 2 }, slots: {} }), /optimizer "adam": beta1 must be a number in \[0, 1\), got 2/);
    assert.equal(adam.lr, 1e-3);
    assert.equal(adam.stepCount, 0);
  });

  it("an optimizer rejects a parameter listed twice, which it would update twice per step", () => {
    const w = tensor([1], [1], { requiresGrad: true });
    assert.throws(() => new optim.SGD({ params: [w, w], lr: 0.1 }), /parameters "0" and "1" are the same tensor; list each parameter once/);
  });
});
