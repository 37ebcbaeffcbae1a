import { test } from "node:test";
import assert from "node:assert/strict";
import * as tune from "../src/tune/index.js";

const N = 20000;
function draws(space: tune.Space, key: string, n = N): unknown[] {
  const rng = new tune.Random("draws");
  return Array.from({ length: n }, (_, i) => tune.sample(space, rng.fork(i))[key]);
}

test("uniform stays in [low, high) with mean near the middle", () => {
  const xs = draws({ x: tune.uniform(-2, 6) }, "x") as number[];
  assert.ok(xs.every((x) => x >= -2 && x < 6));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean - 2) < 0.06, `mean ${mean}`); // sd of the mean: 8/sqrt(12 N) ≈ 0.016
});

test("loguniform puts equal mass in each decade", () => {
  const xs = draws({ lr: tune.loguniform(1e-4, 1e-1) }, "lr") as number[];
  assert.ok(xs.every((x) => x >= 1e-4 && x < 1e-1));
  const decades = [0, 0, 0];
  for (const x of xs) decades[Math.min(2, Math.floor(Math.log10(x) + 4))]!++;
  for (const d of decades) assert.ok(Math.abs(d / N - 1 / 3) < 0.015, `decade share ${d / N}`);
});

test("choice frequencies are uniform (chi-square, 3 dof)", () => {
  const values = ["relu", "tanh", "sigmoid", "mish"];
  const xs = draws({ a: tune.choice(values) }, "a");
  const counts = values.map((v) => xs.filter((x) => x === v).length);
  const expected = N / values.length;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 16.27, `chi2 ${chi2} (p < 0.001 at 3 dof is 16.27), counts ${counts}`);
});

test("randint's upper bound is exclusive, like numpy and Ray", () => {
  const xs = draws({ n: tune.randint(0, 3) }, "n", 3000) as number[];
  assert.deepEqual([...new Set(xs)].sort(), [0, 1, 2]);
  assert.throws(() => tune.randint(3, 3), /low < high/);
  assert.throws(() => tune.randint(0.5, 3), /integers/);
});

test("quniform and qloguniform give multiples of q within the bounds", () => {
  const qs = draws({ x: tune.quniform(0, 1, 0.1) }, "x", 2000) as number[];
  const allowed = new Set([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.ok(qs.every((x) => allowed.has(x)), `unexpected ${qs.find((x) => !allowed.has(x))}`);
  assert.equal(new Set(qs).size, 11);
  const ql = draws({ x: tune.qloguniform(8, 512, 8) }, "x", 2000) as number[];
  assert.ok(ql.every((x) => x >= 8 && x <= 512 && x % 8 === 0));
  assert.throws(() => tune.quniform(0.1, 0.2, 1), /no multiple/);
});

test("nested objects, arrays and constants; the same seed gives the same config", () => {
  const space = {
    layers: [
      { units: tune.choice([32, 64]), activation: tune.choice(["relu", "mish"]) },
      { units: 10, activation: "softmax" },
    ],
    optimizer: { name: "adam", lr: tune.loguniform(1e-4, 1e-1) },
    tag: null,
  };
  const a = tune.sample(space, { seed: 7 });
  assert.deepEqual(a, tune.sample(space, { seed: 7 }));
  assert.notDeepEqual(a, tune.sample(space, { seed: 8 }));
  const layers = a["layers"] as { units: number; activation: string }[];
  assert.ok([32, 64].includes(layers[0]!.units));
  assert.deepEqual(layers[1], { units: 10, activation: "softmax" });
  assert.equal((a["optimizer"] as { name: string }).name, "adam");
  assert.equal(a["tag"], null);
});

test("adding a key does not change the values drawn for the others", () => {
  const base = { a: tune.uniform(0, 1), b: tune.choice([1, 2, 3, 4, 5]) };
  const more = { ...base, c: tune.loguniform(1, 10) };
  const x = tune.sample(base, { seed: "s" });
  const y = tune.sample(more, { seed: "s" });
  assert.equal(x["a"], y["a"]);
  assert.equal(x["b"], y["b"]);
});

test("spaces and configs round-trip through JSON", () => {
  const space = {
    act: [tune.choice(["relu", "tanh"]), tune.choice(["gelu", "silu"])],
    lr: tune.loguniform(1e-4, 1e-1),
    w: tune.qloguniform(16, 256, 16),
    n: tune.randint(1, 4),
    g: tune.grid([1, 2]),
    q: tune.quniform(0, 1, 0.25),
  };
  const text = JSON.stringify(space);
  const back = JSON.parse(text) as tune.Space;
  assert.deepEqual(back, space);
  const config = tune.sample(back, { seed: 3 });
  assert.deepEqual(config, tune.sample(space, { seed: 3 }));
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
});

test("a function, class, NaN or undefined in a space or config is an error naming its key path", () => {
  const relu = (x: number) => Math.max(0, x);
  assert.throws(() => tune.sample({ layers: [{}, {}, { activation: relu }] } as never, { seed: 1 }), {
    message: /^space\.layers\[2\]\.activation is a function \(relu\); configs hold registry keys/,
  });
  class Mish {}
  assert.throws(() => tune.sample({ act: tune.choice(["relu"]), m: Mish } as never, { seed: 1 }), /space\.m is a class \(Mish\)/);
  assert.throws(() => tune.choice([1, relu] as never), /choice values\[1\] is a function/);
  assert.throws(() => tune.validateConfig({ lr: NaN }), /config\.lr is NaN/);
  assert.throws(() => tune.validateConfig({ a: { b: undefined } }), /config\.a\.b is undefined/);
  assert.throws(() => tune.validateConfig({ d: new Date() }), /config\.d is a Date instance/);
  assert.throws(() => tune.sample({ x: { $type: "lognormal" } } as never, { seed: 1 }), /space\.x\.\$type is "lognormal"; known domain types: choice/);
  assert.throws(() => tune.sample({ x: { $type: "uniform", low: 2, high: 1 } } as never, { seed: 1 }), /space\.x: uniform\(low, high\) needs low < high/);
});

test("a misspelled key in a domain is an error naming its key path and the domain's keys", () => {
  assert.throws(() => tune.validateSpace({ lr: { $type: "uniform", low: 0, high: 1, hihg: 2 } } as never), {
    message: "space.lr.hihg is not a key of a uniform domain; its keys are $type, low, high",
  });
  assert.throws(() => tune.sample({ a: { $type: "choice", values: [{ $type: "quniform", low: 0, high: 1, q: 0.5, step: 1 }] } } as never, { seed: 1 }), {
    message: "space.a.values[0].step is not a key of a quniform domain; its keys are $type, low, high, q",
  });
  assert.throws(() => tune.validateSpace({ g: { $type: "grid", value: [1, 2] } } as never), { message: "space.g.value is not a key of a grid domain; its keys are $type, values" });
  for (const domain of [tune.choice([1]), tune.grid([1]), tune.uniform(0, 1), tune.quniform(0, 1, 0.5), tune.loguniform(1, 2), tune.qloguniform(1, 4, 1), tune.randint(0, 3)]) {
    tune.validateSpace({ domain });
  }
});

test("Random: fork does not consume state; getState/setState round-trip; int is unbiased in range", () => {
  const a = new tune.Random(42);
  const b = new tune.Random(42);
  a.fork("x", 1).next();
  assert.equal(a.next(), b.next());
  assert.equal(new tune.Random(42).fork("t", 3).nextUint32(), new tune.Random(42).fork("t", 3).nextUint32());
  assert.notEqual(new tune.Random(42).fork("t", 3).nextUint32(), new tune.Random(42).fork("t", 4).nextUint32());
  const state = JSON.parse(JSON.stringify(a.getState()));
  const first = [a.next(), a.next()];
  const c = tune.Random.fromState(state);
  assert.deepEqual([c.next(), c.next()], first);
  const r = new tune.Random("int");
  for (let i = 0; i < 1000; i++) {
    const x = r.int(-3, 4);
    assert.ok(Number.isInteger(x) && x >= -3 && x < 4);
  }
});

test("GridSearcher enumerates the cartesian product, first grid slowest, then cycles", () => {
  const g = new tune.GridSearcher();
  g.setup({ space: { a: tune.grid([1, 2]), b: tune.grid(["x", "y", "z"]), c: tune.uniform(0, 1) }, metric: "m", mode: "max", seed: 1 });
  assert.equal(g.size(), 6);
  const pts = Array.from({ length: 7 }, (_, i) => g.suggest(`t${i}`, i)).map((c) => `${c["a"]}${c["b"]}`);
  assert.deepEqual(pts, ["1x", "1y", "1z", "2x", "2y", "2z", "1x"]);
});
