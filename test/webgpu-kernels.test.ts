// Parity of every WebGPU kernel with the CPU backend, over random shapes (fast-check).
// Runs through whatever adapter is found (on GPU-less Linux: Dawn's OpenGL backend over llvmpipe).
// Where an adapter is expected (Linux x64 in CI) a missing one fails the suite instead of skipping.
//
// Tolerances: elementwise |gpu - cpu| <= 1e-5 + 1e-4·|cpu| (float32 against float64 rounded once);
// matmul and sums 1e-5·Σ|terms| + 1e-6, the rounding a float32 sum of those terms may collect.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { Backend, MatmulArgs, MatmulEpilogue, ReduceOp, Storage } from "../src/kernels/backend.js";
import { checkKernelParity } from "../src/browser/kernel-parity.js";
import { CpuBackend } from "../src/kernels/cpu/backend.js";
import { defineUnaryOp, listBinaryOps, listUnaryOps, resolveParams, unaryOp } from "../src/kernels/ops.js";
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from "../src/kernels/shape.js";
import type { WebGPUBackend } from "../src/kernels/webgpu/backend.js";
import { probeWebGPU, webgpuAdapterExpected } from "../src/kernels/webgpu/device.js";
import type { MatmulConfig } from "../src/kernels/webgpu/wgsl/matmul.js";

const probe = await probeWebGPU();
const skip = probe.ok ? false : probe.reason;

describe("WebGPU adapter", () => {
  it("is present where one is expected (Linux x64 in CI)", () => {
    if (!probe.ok && webgpuAdapterExpected()) assert.fail(`the GPU suite would be skipped: ${probe.reason}`);
  });
});

const cpu = new CpuBackend();
let gpu: WebGPUBackend;

function close(label: string, actual: Float32Array, expected: Float32Array, tol: (i: number) => number): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= tol(i))) assert.fail(`${label}: at ${i} the GPU gives ${a}, the CPU ${e} (tolerance ${tol(i)})`);
  }
}

const elementwiseTol = (expected: Float32Array) => (i: number) => 1e-5 + 1e-4 * Math.abs(expected[i]!);

/** Runs `fn` on both backends with the same inputs; returns what each wrote into `outputs`. */
async function both(
  inputs: Float32Array[],
  outputSizes: number[],
  fn: (b: Backend, ins: Storage[], outs: Storage[]) => void,
): Promise<{ gpu: Float32Array[]; cpu: Float32Array[] }> {
  const run = async (b: Backend) => {
    const ins = inputs.map((d) => b.upload(d));
    const outs = outputSizes.map((n) => b.alloc(n));
    fn(b, ins, outs);
    const results = await Promise.all(outs.map((s) => b.read(s)));
    for (const s of [...ins, ...outs]) b.free(s);
    return results;
  };
  return { gpu: await run(gpu), cpu: await run(cpu) };
}

const values = (n: number, lo: number, hi: number) =>
  fc.float32Array({ minLength: n, maxLength: n, min: Math.fround(lo), max: Math.fround(hi), noNaN: true, noDefaultInfinity: true });

/** Inputs where an op is defined and smooth enough to compare (log and sqrt need x > 0). */
function domainOf(op: string): [number, number] {
  return op === "log" || op === "sqrt" ? [0.01, 6] : [-6, 6];
}

describe("WebGPU kernels against the CPU backend", { skip }, () => {
  before(() => {
    if (probe.ok) gpu = probe.backend;
  });
  after(() => gpu?.destroy());

  it("the browser's in-page kernel check (checkKernelParity) passes here too", async () => {
    // The demo page runs this same check on the browser's adapter; here it runs on Dawn.
    const report = await checkKernelParity(gpu, cpu);
    const failures = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    assert.deepEqual(failures, []);
    const names = new Set(report.checks.map((c) => c.name));
    for (const op of listUnaryOps()) {
      for (const output of [`${op.name}(x)`, `${op.name}(x) beside its derivative`, `${op.name}'(x)`, `dy·${op.name}'(x)`]) assert.ok(names.has(`unary ${op.name}: ${output}`), `the in-page check covers ${output}`);
    }
  });

  it("unary: f(x) for every op in the table", async () => {
    for (const op of listUnaryOps()) {
      const params = resolveParams(op, []);
      const [lo, hi] = domainOf(op.name);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 300 }).chain((n) => values(n, lo, hi)), async (x) => {
          const r = await both([x], [x.length], (b, [xs], [o]) => b.unary(op.name, params, xs!, o!));
          close(`${op.name}`, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
        }),
        { numRuns: 4 },
      );
    }
  });

  it("unary with a derivative: f(x) and f'(x) from one kernel, for every op in the table", async () => {
    for (const op of listUnaryOps()) {
      const params = resolveParams(op, []);
      const [lo, hi] = domainOf(op.name);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 300 }).chain((n) => values(n, lo, hi)), async (x) => {
          const r = await both([x], [x.length, x.length], (b, [xs], [y, d]) => b.unary(op.name, params, xs!, y!, d!));
          close(op.name, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
          close(`${op.name}'`, r.gpu[1]!, r.cpu[1]!, elementwiseTol(r.cpu[1]!));
        }),
        { numRuns: 4 },
      );
    }
  });

  it("unaryGrad: dy·f'(x) recomputing f' from x, for every op in the table", async () => {
    for (const op of listUnaryOps()) {
      const params = resolveParams(op, []);
      const [lo, hi] = domainOf(op.name);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(values(n, lo, hi), values(n, -2, 2))),
          async ([x, dy]) => {
            const r = await both([x, dy], [x.length], (b, [xs, g], [o]) => b.unaryGrad(op.name, params, xs!, g!, o!));
            close(`${op.name}'`, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
          },
        ),
        { numRuns: 4 },
      );
    }
  });

  it("unary ops with parameters use the given values", async () => {
    const x = new Float32Array([-3, -1, -0.5, 0, 0.5, 2, 4]);
    for (const [op, params] of [["leakyRelu", [0.2]], ["elu", [0.5]], ["clamp", [-1, 0.25]], ["softplus", [2]], ["hardtanh", [-2, 3]]] as const) {
      const r = await both([x], [x.length], (b, [xs], [o]) => b.unary(op, params, xs!, o!));
      close(op, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
    }
  });

  it("ops defined at run time get their own kernel, and a replaced one a new kernel", async () => {
    const name = "webgpuTestCube";
    const def = (scale: number) => ({
      name,
      ts: { f: (x: number) => scale * x * x * x, df: (x: number) => 3 * scale * x * x },
      wgsl: { f: `${scale.toFixed(1)} * x * x * x`, df: `${(3 * scale).toFixed(1)} * x * x` },
    });
    defineUnaryOp(def(1), { replace: true });
    const x = new Float32Array([-2, -1, 0, 1.5, 3]);
    let r = await both([x], [x.length], (b, [xs], [o]) => b.unary(name, [], xs!, o!));
    close(name, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
    defineUnaryOp(def(2), { replace: true });
    r = await both([x], [x.length], (b, [xs], [o]) => b.unary(name, [], xs!, o!));
    close(`${name} replaced`, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
    assert.equal(r.gpu[0]![4], 54);
  });

  it("a kernel that does not compile is reported by the read after its use, names itself, and spoils no later read", async () => {
    const name = "webgpuTestBroken";
    defineUnaryOp({ name, ts: { f: (x) => x, df: () => 1 }, wgsl: { f: "x +* 1.0", df: "1.0" } }, { replace: true });
    const x = gpu.upload(new Float32Array([1, 2]));
    const out = gpu.alloc(2);
    gpu.unary(name, [], x, out);
    await assert.rejects(gpu.read(out), /kernel unary:f:webgpuTestBroken#\d+:wg\d+ did not compile: Error while parsing WGSL/);
    // Used again, it fails at once with the same reason, and records nothing.
    assert.throws(() => gpu.unary(name, [], x, out), /kernel unary:f:webgpuTestBroken#\d+:wg\d+ did not compile/);
    // Unrelated work afterwards reads back cleanly.
    gpu.unary("neg", [], x, out);
    assert.deepEqual([...(await gpu.read(out))], [-1, -2]);
    gpu.free(x);
    gpu.free(out);
  });

  /** An output shape and two shapes that broadcast to it (dims of 1, missing leading dims). */
  const broadcastPair = fc
    .array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 })
    .chain((out) =>
      fc.tuple(
        fc.constant(out),
        ...[0, 1].map(() =>
          fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(
            ([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
          ),
        ),
      ),
    );

  it("binary and binaryGrad: every op, through broadcast strides", async () => {
    for (const op of listBinaryOps()) {
      await fc.assert(
        fc.asyncProperty(broadcastPair, fc.integer({ min: 0, max: 1 << 30 }), async ([, aShape, bShape], seed) => {
          const outShape = broadcastShapes(op.name, aShape!, bShape!);
          const n = sizeOf(outShape);
          // pow needs a > 0 and div a divisor away from 0 to be well conditioned.
          const gen = (len: number, salt: number, positive: boolean) =>
            Float32Array.from({ length: len }, (_, i) => {
              const u = Math.sin(seed + salt * 97 + i * 12.9898) * 43758.5453;
              const f = u - Math.floor(u);
              return positive ? 0.5 + 2 * f : 4 * f - 2 + (f > 0.5 ? 0.25 : -0.25);
            });
          const positive = op.name === "pow" || op.name === "div";
          const a = gen(sizeOf(aShape!), 1, op.name === "pow");
          const b = gen(sizeOf(bShape!), 2, positive);
          // Some exact ties, for maximum/minimum/eq and friends.
          if (a.length > 0 && b.length > 0) a[0] = b[0]!;
          const dy = gen(n, 3, false);
          const as = broadcastStrides(aShape!, outShape);
          const bs = broadcastStrides(bShape!, outShape);
          const r = await both([a, b, dy], [n, n, n], (be, [A, B, G], [o, da, db]) => {
            be.binary(op.name, A!, B!, o!, outShape, as, bs);
            be.binaryGrad(op.name, 0, A!, B!, G!, da!, outShape, as, bs);
            be.binaryGrad(op.name, 1, A!, B!, G!, db!, outShape, as, bs);
          });
          for (const [j, what] of ["f", "da", "db"].entries()) {
            close(`${op.name} ${what} ${JSON.stringify([aShape, bShape])}`, r.gpu[j]!, r.cpu[j]!, elementwiseTol(r.cpu[j]!));
          }
        }),
        { numRuns: 6 },
      );
    }
  });

  it("where through broadcast strides", async () => {
    await fc.assert(
      fc.asyncProperty(broadcastPair, async ([out, cShape, aShape]) => {
        const outShape = broadcastShapes("where", broadcastShapes("where", cShape!, aShape!), out!);
        const n = sizeOf(outShape);
        const c = Float32Array.from({ length: sizeOf(cShape!) }, (_, i) => (i % 3 === 0 ? 0 : 1));
        const a = Float32Array.from({ length: sizeOf(aShape!) }, (_, i) => i + 1);
        const b = Float32Array.from({ length: sizeOf(out!) }, (_, i) => -i - 1);
        const r = await both([c, a, b], [n], (be, [C, A, B], [o]) =>
          be.where(C!, A!, B!, o!, outShape, broadcastStrides(cShape!, outShape), broadcastStrides(aShape!, outShape), broadcastStrides(out!, outShape)),
        );
        close("where", r.gpu[0]!, r.cpu[0]!, () => 0);
      }),
      { numRuns: 15 },
    );
  });

  /** A random view of a contiguous source: permuted axes, a slice per axis, maybe an expanded axis. */
  const view = fc
    .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 })
    .chain((src) =>
      fc.record({
        src: fc.constant(src),
        perm: fc.shuffledSubarray(src.map((_, i) => i), { minLength: src.length, maxLength: src.length }),
        starts: fc.tuple(...src.map((d) => fc.integer({ min: 0, max: d - 1 }))),
        expand: fc.integer({ min: 0, max: 3 }),
      }),
    )
    .map(({ src, perm, starts, expand }) => {
      const own = stridesOf(src);
      const shape = perm.map((p) => src[p]! - starts[p]!);
      const strides = perm.map((p) => own[p]!);
      const offset = starts.reduce((s, st, i) => s + st * own[i]!, 0);
      if (expand > 0) {
        shape.unshift(expand);
        strides.unshift(0);
      }
      return { src, shape, strides, offset };
    });

  it("strided: permute, slice and expand in one copy", async () => {
    await fc.assert(
      fc.asyncProperty(view, async ({ src, shape, strides, offset }) => {
        const x = Float32Array.from({ length: sizeOf(src) }, (_, i) => i * 0.5 - 3);
        const r = await both([x], [sizeOf(shape)], (b, [xs], [o]) => b.strided(xs!, o!, shape, strides, offset));
        close(`strided ${JSON.stringify({ shape, strides, offset })}`, r.gpu[0]!, r.cpu[0]!, () => 0);
      }),
      { numRuns: 30 },
    );
  });

  it("scatterStrided: writes a contiguous block through a (non-overlapping) view", async () => {
    await fc.assert(
      fc.asyncProperty(view.filter((v) => !v.strides.includes(0)), async ({ src, shape, strides, offset }) => {
        const x = Float32Array.from({ length: sizeOf(shape) }, (_, i) => i + 1);
        const r = await both([x], [sizeOf(src)], (b, [xs], [o]) => b.scatterStrided(xs!, o!, shape, strides, offset));
        close("scatterStrided", r.gpu[0]!, r.cpu[0]!, () => 0);
      }),
      { numRuns: 30 },
    );
  });

  it("fill, and alloc hands out zeros even when it reuses a pooled buffer", async () => {
    const a = gpu.alloc(1000);
    gpu.fill(a, 7.5);
    assert.deepEqual([...(await gpu.read(a))].slice(0, 3), [7.5, 7.5, 7.5]);
    gpu.free(a);
    const b = gpu.alloc(1000);
    assert.ok((await gpu.read(b)).every((v) => v === 0));
    gpu.free(b);
  });

  it("reduce: sum, max, min, argmax, argmin over rows short and long", async () => {
    const ops: ReduceOp[] = ["sum", "max", "min", "argmax", "argmin"];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 3000 })),
        fc.integer({ min: 0, max: 1 << 20 }),
        async (outer, inner, seed) => {
          // Few distinct values, so that ties (first index wins) happen.
          const x = Float32Array.from({ length: outer * inner }, (_, i) => ((i * 7919 + seed) % 23) - 11.5);
          for (const op of ops) {
            const r = await both([x], [outer], (b, [xs], [o]) => b.reduce(op, xs!, o!, outer, inner));
            const tol = op === "sum" ? () => 1e-5 * inner * 12 + 1e-6 : () => 0;
            close(`${op} ${outer}x${inner}`, r.gpu[0]!, r.cpu[0]!, tol);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("reduce: NaN wins max and min, argmax and argmin give the first NaN; empty rows give the identities", async () => {
    const x = new Float32Array([1, NaN, 3, 4, 5, 6]);
    for (const op of ["max", "min"] as const) {
      const r = await both([x], [2], (b, [xs], [o]) => b.reduce(op, xs!, o!, 2, 3));
      assert.ok(Number.isNaN(r.gpu[0]![0]!), `${op} of a row with NaN`);
      close(op, r.gpu[0]!, r.cpu[0]!, () => 0);
    }
    // Rows short (one invocation each) and long (a workgroup each), with NaNs at a few places.
    for (const inner of [5, 3000]) {
      const rows = Float32Array.from({ length: 4 * inner }, (_, i) => ((i * 7919) % 23) - 11.5);
      for (const [row, at] of [[0, 1], [0, inner - 1], [2, inner - 2], [3, 0], [3, Math.floor(inner / 2)]] as const) rows[row * inner + at] = NaN;
      for (const op of ["argmax", "argmin"] as const) {
        const r = await both([rows], [4], (b, [xs], [o]) => b.reduce(op, xs!, o!, 4, inner));
        assert.deepEqual([r.cpu[0]![0], r.cpu[0]![2], r.cpu[0]![3]], [1, inner - 2, 0], `${op} on the CPU, rows of ${inner}`);
        close(`${op} with NaNs, rows of ${inner}`, r.gpu[0]!, r.cpu[0]!, () => 0);
      }
    }
    for (const op of ["sum", "max", "min", "argmax", "argmin"] as const) {
      const r = await both([new Float32Array(0)], [3], (b, [xs], [o]) => b.reduce(op, xs!, o!, 3, 0));
      close(`${op} of empty rows`, r.gpu[0]!, r.cpu[0]!, () => 0);
    }
  });

  it("gather and scatterAdd along the middle axis", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          outer: fc.integer({ min: 1, max: 4 }),
          axisLen: fc.integer({ min: 1, max: 9 }),
          indexLen: fc.integer({ min: 1, max: 9 }),
          inner: fc.integer({ min: 1, max: 4 }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        async ({ outer, axisLen, indexLen, inner, seed }) => {
          const x = Float32Array.from({ length: outer * axisLen * inner }, (_, i) => i * 0.25 - 1);
          const index = Float32Array.from({ length: outer * indexLen * inner }, (_, i) => (i * 31 + seed) % axisLen);
          const g = Float32Array.from({ length: index.length }, (_, i) => (i % 5) - 2.5);
          const r = await both([x, index, g], [index.length, x.length], (b, [xs, ix, gs], [o, acc]) => {
            b.gather(xs!, ix!, o!, outer, axisLen, indexLen, inner);
            b.fill(acc!, 1);
            b.scatterAdd(gs!, ix!, acc!, outer, axisLen, indexLen, inner);
          });
          close("gather", r.gpu[0]!, r.cpu[0]!, () => 0);
          close("scatterAdd", r.gpu[1]!, r.cpu[1]!, () => 1e-5);
        },
      ),
      { numRuns: 15 },
    );
  });

  /** Checks one matmul on both backends, with the tolerance from the CPU's |A|·|B|. */
  async function checkMatmul(config: MatmulConfig | null, args: MatmulArgs, epi: { bias: boolean; act: string | null; derivative: boolean }): Promise<void> {
    const { batch, m, n, k, aBatchStride, bBatchStride } = args;
    const aLen = Math.max(aBatchStride * (batch - 1) + m * k, m * k);
    const bLen = Math.max(bBatchStride * (batch - 1) + k * n, k * n);
    const A = Float32Array.from({ length: aLen }, (_, i) => Math.sin(i * 1.7) * 1.5);
    const B = Float32Array.from({ length: bLen }, (_, i) => Math.cos(i * 0.9) * 1.5);
    const bias = Float32Array.from({ length: n }, (_, i) => (i % 3) - 1);
    const outLen = batch * m * n;
    const act = epi.act ? { op: epi.act, params: resolveParams(unaryOp(epi.act), []) } : undefined;
    const run = (b: Backend, [a, bb, bs]: Storage[], [o, d, absOut]: Storage[], absIn: Storage[]) => {
      const e: MatmulEpilogue = { ...(epi.bias ? { bias: bs! } : {}), ...(act ? { activation: act } : {}), ...(epi.derivative ? { derivative: d! } : {}) };
      if (b === gpu && config) gpu.matmulWith(config, a!, bb!, o!, args, e);
      else b.matmul(a!, bb!, o!, args, e);
      if (absIn.length) cpu.matmul(absIn[0]!, absIn[1]!, absOut!, args);
    };
    const g = await both([A, B, bias], [outLen, outLen], (b, ins, outs) => run(b, ins, outs, []));
    // The scale of each output: Σ|a||b| (+|bias|), from the CPU.
    const absA = cpu.upload(A.map(Math.abs));
    const absB = cpu.upload(B.map(Math.abs));
    const scale = cpu.alloc(outLen);
    cpu.matmul(absA, absB, scale, args);
    const s = cpu.readSync(scale);
    const tol = (i: number) => 1e-5 * (s[i]! + 1) + 1e-6;
    const label = `matmul ${JSON.stringify({ config: config?.kind ?? "default", ...args, ...epi })}`;
    close(label, g.gpu[0]!, g.cpu[0]!, (i) => 2 * tol(i));
    if (epi.derivative) {
      // f' moves by at most |f''| (< 1 for these activations) times the sum's rounding; relu's and
      // leakyRelu's f' step at 0, so a value within rounding of 0 may fall on either side.
      const pre = cpu.alloc(outLen);
      cpu.matmul(cpu.upload(A), cpu.upload(B), pre, args, epi.bias ? { bias: cpu.upload(bias) } : {});
      const z = cpu.readSync(pre);
      cpu.free(pre);
      close(`${label} derivative`, g.gpu[1]!, g.cpu[1]!, (i) => (Math.abs(z[i]!) <= 2 * tol(i) ? Infinity : 2 * tol(i) + 1e-5 + 1e-4 * Math.abs(g.cpu[1]![i]!)));
    }
  }

  const matmulCase = fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      m: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(32, 64)),
      n: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(16, 36, 68)),
      k: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(16, 40, 100)),
      transA: fc.boolean(),
      transB: fc.boolean(),
      shareA: fc.boolean(),
      shareB: fc.boolean(),
      bias: fc.boolean(),
      act: fc.constantFrom(null, "relu", "tanh", "gelu", "leakyRelu"),
      derivative: fc.boolean(),
    })
    .map((c) => ({
      args: {
        batch: c.batch,
        m: c.m,
        n: c.n,
        k: c.k,
        transA: c.transA,
        transB: c.transB,
        aBatchStride: c.shareA ? 0 : c.m * c.k,
        bBatchStride: c.shareB ? 0 : c.k * c.n,
      },
      epi: { bias: c.bias, act: c.act, derivative: c.derivative && c.act !== null },
    }));

  it("matmul (the adapter's default kernel): batched, transposed, with the fused epilogue", async () => {
    await fc.assert(
      fc.asyncProperty(matmulCase, async ({ args, epi }) => checkMatmul(null, args, epi)),
      { numRuns: 15 },
    );
  });

  it("matmul (the other kernel family) agrees too", async () => {
    const other: MatmulConfig =
      gpu.matmulConfig.kind === "blocked" ? { kind: "tiled", threads: 16, bk: 16 } : { kind: "blocked", tm: 8, tn: 8, wgx: 8, wgy: 8, textures: false };
    await fc.assert(
      fc.asyncProperty(matmulCase, async ({ args, epi }) => checkMatmul(other, args, epi)),
      { numRuns: 8 },
    );
  });

  it("matmul with large k stays within float32 rounding", async () => {
    const args: MatmulArgs = { batch: 1, m: 24, n: 20, k: 1500, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
    await checkMatmul(null, args, { bias: true, act: null, derivative: false });
  });

  it("adamStep (Adam and AdamW) and sgdStep (plain, momentum, Nesterov) in place", async () => {
    const n = 777;
    const p = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 3));
    for (const decoupled of [false, true]) {
      const r = await both([p, g], [n, n, n], (b, [P, G], [pOut, M, V]) => {
        b.strided(P!, pOut!, [n], [1], 0);
        for (let t = 1; t <= 3; t++) {
          b.adamStep(pOut!, G!, M!, V!, {
            lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled,
            biasCorrection1: 1 - 0.9 ** t, biasCorrection2: 1 - 0.999 ** t,
          });
        }
      });
      for (let j = 0; j < 3; j++) close(`adam decoupled=${decoupled} output ${j}`, r.gpu[j]!, r.cpu[j]!, elementwiseTol(r.cpu[j]!));
    }
    for (const [momentum, nesterov] of [[0, false], [0.9, false], [0.9, true]] as const) {
      const r = await both([p, g], [n, n], (b, [P, G], [pOut, vel]) => {
        b.strided(P!, pOut!, [n], [1], 0);
        for (let t = 0; t < 3; t++) {
          b.sgdStep(pOut!, G!, momentum ? vel! : null, { lr: 0.05, momentum, dampening: 0.1, weightDecay: 0.01, nesterov, firstStep: t === 0 });
        }
      });
      close(`sgd momentum=${momentum} nesterov=${nesterov}`, r.gpu[0]!, r.cpu[0]!, elementwiseTol(r.cpu[0]!));
    }
  });

  it("an output that is also an input (in place) works", async () => {
    const x = gpu.upload(new Float32Array([-1, 2, -3, 4]));
    gpu.unary("relu", [], x, x);
    assert.deepEqual([...(await gpu.read(x))], [0, 2, 0, 4]);
    gpu.free(x);
  });
});
