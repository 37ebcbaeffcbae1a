// The seeded, splittable generator: determinism, fork independence, saved and restored state,
// and the statistics of rand/randn at a fixed seed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Generator, globalGenerator, manualSeed, rand, randn } from "../src/index.js";

const draw = (g: Generator, n: number) => Array.from({ length: n }, () => g.next());

describe("Generator", () => {
  it("the same seed gives the same numbers; different seeds differ", () => {
    assert.deepEqual(draw(new Generator(42), 100), draw(new Generator(42), 100));
    assert.deepEqual(draw(new Generator("trial-7"), 10), draw(new Generator("trial-7"), 10));
    assert.notDeepEqual(draw(new Generator(42), 10), draw(new Generator(43), 10));
    assert.notDeepEqual(draw(new Generator(1), 10), draw(new Generator(1 + 2 ** 32), 10), "seeds above 2^32 stay distinct");
    assert.notDeepEqual(draw(new Generator(-1), 10), draw(new Generator(1 + 2 ** 32), 10), "negative seeds too");
    // Pinned: the first word of a few seeds' streams, so that a change to seeding is noticed
    // (it would change every experiment's draws).
    assert.deepEqual([0, 1, 42, 2 ** 32 - 1].map((seed) => new Generator(seed).nextUint32()), [3809008728, 2639375342, 2357303435, 313808890]);
    assert.notDeepEqual(draw(new Generator("a"), 10), draw(new Generator("b"), 10));
  });

  it("next() is uniform in [0, 1): range, mean and a coarse histogram at a fixed seed", () => {
    const values = draw(new Generator(7), 100_000);
    for (const v of values) assert.ok(v >= 0 && v < 1, `${v} outside [0, 1)`);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`); // σ of the mean ≈ 0.0009
    const bins = new Array<number>(10).fill(0);
    for (const v of values) bins[Math.floor(v * 10)]!++;
    for (const b of bins) assert.ok(Math.abs(b - 10_000) < 500, `bin count ${b}`); // σ ≈ 95
  });

  it("fork(keys) is determined by the seed and keys only, not by draws made before", () => {
    const a = new Generator(5);
    const b = new Generator(5);
    draw(b, 37);
    b.normal();
    assert.deepEqual(draw(a.fork("init", 3), 20), draw(b.fork("init", 3), 20));
    assert.deepEqual(draw(a, 5), draw(new Generator(5), 5), "forking consumes no state");
  });

  it("forks with different keys (or key types) are independent streams", () => {
    const g = new Generator(5);
    const streams = [g.fork("init", 3), g.fork("init", 4), g.fork("dropout", 3), g.fork("init", "3"), g.fork("init"), g.fork("init", 3, 0)];
    const draws = streams.map((s) => draw(s, 1000));
    for (let i = 0; i < draws.length; i++) {
      for (let j = i + 1; j < draws.length; j++) {
        assert.notDeepEqual(draws[i]!.slice(0, 10), draws[j]!.slice(0, 10), `fork ${i} and fork ${j} coincide`);
        // Independent uniform streams: sample correlation ~ N(0, 1/1000), so |r| < 0.15 is > 4.5σ.
        const r = correlation(draws[i]!, draws[j]!);
        assert.ok(Math.abs(r) < 0.15, `fork ${i} and fork ${j} correlate: r = ${r}`);
      }
    }
    assert.notDeepEqual(draw(g.fork("x"), 10), draw(g, 10), "a fork differs from its parent");
  });

  it("getState/setState resumes the stream exactly, including a pending Box–Muller spare", () => {
    const g = new Generator("resume");
    draw(g, 13);
    g.normal(); // leaves a spare normal behind
    const state = g.getState();
    const expected = [g.normal(), ...draw(g, 5), g.normal(), g.normal()];
    const restored = Generator.fromState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual([restored.normal(), ...draw(restored, 5), restored.normal(), restored.normal()], expected);
    const other = new Generator(0);
    other.setState(state);
    assert.deepEqual(other.normal(), expected[0]);
  });

  it("setState rejects something that is not a state, saying what it expects", () => {
    const g = new Generator(1);
    assert.throws(() => g.setState({ seed: 1, s: [1, 2, 3], spare: null } as never), /Generator.setState: expected \{ seed, s: \[four 32-bit unsigned integers\], spare \}/);
    assert.throws(() => g.setState({ seed: 1, s: [1, 2, 3, -4], spare: null }), /four 32-bit unsigned integers/);
    assert.throws(() => new Generator(Number.NaN), /a random seed must be an integer \(of magnitude below 2\^53\) or a string, got NaN/);
    // 1.5 would otherwise have drawn what 1 draws.
    assert.throws(() => new Generator(1.5), /a random seed must be an integer .* or a string, got 1\.5/);
  });

  it("int(n) and permutation(n) cover their ranges", () => {
    const g = new Generator(3);
    const seen = new Set(Array.from({ length: 200 }, () => g.int(6)));
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
    const p = g.permutation(50);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.throws(() => g.int(0), /int\(n\) needs a positive integer n, got 0/);
  });
});

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe("rand and randn", () => {
  it("randn at a fixed seed: mean ≈ 0, std ≈ 1, tails as a normal's", () => {
    const v = randn([100_000], { seed: 11 }).dataSync();
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
    assert.ok(Math.abs(mean) < 0.015, `mean ${mean}`); // σ of the mean ≈ 0.003
    assert.ok(Math.abs(std - 1) < 0.015, `std ${std}`); // σ of the std ≈ 0.0022
    const beyond2 = v.filter((x) => Math.abs(x) > 2).length / v.length;
    assert.ok(Math.abs(beyond2 - 0.0455) < 0.004, `P(|x| > 2) = ${beyond2}`);
  });

  it("randn honours mean and std; rand honours low and high", () => {
    const n = randn([20_000], { seed: 2, mean: 5, std: 0.1 }).dataSync();
    const m = n.reduce((s, x) => s + x, 0) / n.length;
    assert.ok(Math.abs(m - 5) < 0.005, `mean ${m}`);
    const u = rand([20_000], { seed: 2, low: -3, high: -1 }).dataSync();
    for (const x of u) assert.ok(x >= -3 && x <= -1, `${x} outside [-3, -1]`);
    const mu = u.reduce((s, x) => s + x, 0) / u.length;
    assert.ok(Math.abs(mu + 2) < 0.02, `mean ${mu}`);
  });

  it("the same seed gives the same tensor; a generator continues its stream", () => {
    assert.deepEqual(randn([3, 4], { seed: 9 }).dataSync(), randn([3, 4], { seed: 9 }).dataSync());
    assert.deepEqual(rand([5], { seed: "x" }).dataSync(), rand([5], { seed: "x" }).dataSync());
    const g1 = new Generator(4);
    const g2 = new Generator(4);
    const first = randn([6], { generator: g1 }).dataSync();
    const second = randn([6], { generator: g1 }).dataSync();
    assert.deepEqual(randn([12], { generator: g2 }).dataSync(), Float32Array.from([...first, ...second]));
    assert.throws(() => rand([1], { seed: 1, generator: g1 }), /give either seed or generator, not both/);
  });

  it("manualSeed makes unseeded draws reproducible", () => {
    manualSeed(123);
    const a = randn([4]).dataSync();
    manualSeed(123);
    assert.deepEqual(randn([4]).dataSync(), a);
    assert.deepEqual(a, randn([4], { seed: 123 }).dataSync(), "the global generator is a fresh Generator(seed)");
    manualSeed("s");
    assert.deepEqual(draw(globalGenerator(), 3), draw(new Generator("s"), 3));
  });
});
