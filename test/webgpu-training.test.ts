// Training on the WebGPU backend against the CPU backend, through the Tensor and nn APIs:
// the gradients of a small MLP, the loss curve of a short training run, memory that stays flat
// over 200 steps, no pipeline compiled after the first epoch when layer widths vary; and
// property tests (fast-check, random shapes) of the composed ops the kernel tests do not reach:
// every unary op with its gradient, softmax, logSoftmax, logSumExp, reductions over arbitrary
// axes, broadcasting binary ops with their gradients.
//
// Runs through whatever adapter is found (on GPU-less Linux: Dawn's OpenGL backend over llvmpipe).
// Where an adapter is expected (Linux x64 in CI) a missing one fails the suite instead of skipping.
//
// Tolerances (the CPU backend computes in float64 and rounds once; the GPU in float32):
// - elementwise and softmax-like results: |gpu - cpu| <= 1e-5 + 1e-4·|cpu|;
// - sums and gradients, whose float32 rounding grows with the number of terms:
//   |gpu - cpu| <= 1e-5·scale + 1e-4·|cpu|, with scale the largest |cpu| of the tensor;
// - loss curves: |gpu - cpu| <= 2e-3·(1 + |cpu|) at each of 30 Adam steps.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { listUnaryOps } from "../src/kernels/ops.js";
import type { WebGPUBackend } from "../src/kernels/webgpu/backend.js";
import { probeWebGPU, webgpuAdapterExpected } from "../src/kernels/webgpu/device.js";
import { data, losses, nn, optim } from "../src/nn/index.js";
import { getBackend, memory, registerBackend, setBackend, type Tensor, tensor, tidy } from "../src/tensor/index.js";
import { domainOf } from "./helpers/reference-ops.js";

const probe = await probeWebGPU();
const skip = probe.ok ? false : probe.reason;

describe("WebGPU adapter for the training tests", () => {
  it("is present where one is expected (Linux x64 in CI)", () => {
    if (!probe.ok && webgpuAdapterExpected()) assert.fail(`the GPU training suite would be skipped: ${probe.reason}`);
  });
});

let gpu: WebGPUBackend;

/** Runs `fn` (awaited) with `name` as the backend new tensors are created on. */
async function on<T>(name: "cpu" | "webgpu", fn: () => T | Promise<T>): Promise<T> {
  const previous = getBackend().name;
  setBackend(name);
  try {
    return await fn();
  } finally {
    setBackend(previous);
  }
}

function assertClose(label: string, gpuValues: Float32Array, cpuValues: Float32Array, tol: (expected: number) => number): void {
  assert.equal(gpuValues.length, cpuValues.length, `${label}: length`);
  for (let i = 0; i < cpuValues.length; i++) {
    const a = gpuValues[i]!;
    const e = cpuValues[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= tol(e))) assert.fail(`${label}: at ${i} the GPU gives ${a}, the CPU ${e} (tolerance ${tol(e)})`);
  }
}

const elementwiseTol = (e: number) => 1e-5 + 1e-4 * Math.abs(e);
const sumTol = (values: Float32Array) => {
  const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return (e: number) => 1e-5 * scale + 1e-4 * Math.abs(e) + 1e-7;
};

/** Deterministic pseudo-random values in [lo, hi) (the same on both backends). */
function values(n: number, seed: number, lo = -2, hi = 2): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const u = Math.sin(seed * 7.31 + i * 12.9898) * 43758.5453;
    return lo + (hi - lo) * (u - Math.floor(u));
  });
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

interface MlpSpec {
  readonly input: number;
  readonly hidden: readonly number[];
  readonly activations: readonly string[];
  readonly classes: number;
}

function mlp(spec: MlpSpec): nn.Sequential {
  const layers: object[] = [];
  spec.hidden.forEach((units, i) => layers.push({ type: "linear", units }, { type: "activation", name: spec.activations[i % spec.activations.length]! }));
  layers.push({ type: "linear", units: spec.classes });
  return nn.fromSpec({ input: spec.input, layers }, { seed: 11 });
}

describe("WebGPU training against the CPU backend", { skip }, () => {
  before(() => {
    if (!probe.ok) return;
    gpu = probe.backend;
    registerBackend(gpu);
  });
  after(() => {
    setBackend("cpu");
    gpu?.destroy();
  });

  it("the gradients of a small MLP (mish, tanh, gelu; cross-entropy) are equal on both backends", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 24 }),
          input: fc.integer({ min: 1, max: 40 }),
          hidden: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
          classes: fc.integer({ min: 2, max: 12 }),
          second: fc.constantFrom("tanh", "gelu", "relu", "silu"),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        async ({ batch, input, hidden, classes, second, seed }) => {
          const spec: MlpSpec = { input, hidden, activations: ["mish", second], classes };
          const x = values(batch * input, seed);
          const y = Float32Array.from({ length: batch }, (_, i) => (i * 7 + seed) % classes);
          const run = (name: "cpu" | "webgpu") =>
            on(name, () => {
              const model = mlp(spec);
              const loss = tidy(() => {
                const l = losses.create("crossEntropy")(model.forward(tensor(x, [batch, input])), tensor(y, [batch]));
                l.backward();
                return l;
              });
              return { model, loss };
            });
          const c = await run("cpu");
          const g = await run("webgpu");
          const label = JSON.stringify(spec);
          assertClose(`${label} loss`, await g.loss.data(), await c.loss.data(), elementwiseTol);
          const cpuParams = c.model.namedParameters();
          for (const [i, [name, p]] of g.model.namedParameters().entries()) {
            const expected = await cpuParams[i]![1].grad!.data();
            assertClose(`${label} d${name}`, await p.grad!.data(), expected, sumTol(expected));
          }
          for (const t of [c.loss, g.loss, ...c.model.parameters(), ...g.model.parameters()]) {
            t.zeroGrad();
            t.dispose();
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  /** Trains `spec` for `steps` Adam steps on digits batches; the loss of each step. */
  async function lossCurve(name: "cpu" | "webgpu", spec: MlpSpec, steps: number): Promise<number[]> {
    const digits = await data.load("digits");
    return on(name, async () => {
      const model = mlp(spec);
      const opt = new optim.Adam({ params: model, lr: 1e-2 });
      const loss = losses.create("crossEntropy");
      const loader = new data.DataLoader(digits, { batchSize: 32, shuffle: true, seed: 5 });
      const curve: Tensor[] = [];
      for (const batch of loader) {
        if (curve.length === steps) break;
        curve.push(
          tidy(() => {
            const l = loss(model.forward(batch.x), batch.y);
            l.backward();
            opt.step();
            opt.zeroGrad();
            return l;
          }),
        );
      }
      const result = await Promise.all(curve.map((l) => l.item()));
      // Nothing is left to the garbage collector, whose timing would disturb the memory test.
      for (const t of [...curve, ...model.parameters()]) t.dispose();
      opt.dispose();
      return result;
    });
  }

  it("an MLP trained on the GPU follows the CPU loss curve (30 Adam steps on digits)", async () => {
    const spec: MlpSpec = { input: 64, hidden: [48, 32], activations: ["mish", "tanh"], classes: 10 };
    const cpuCurve = await lossCurve("cpu", spec, 30);
    const gpuCurve = await lossCurve("webgpu", spec, 30);
    assert.equal(gpuCurve.length, 30);
    gpuCurve.forEach((l, step) => {
      const e = cpuCurve[step]!;
      assert.ok(Math.abs(l - e) <= 2e-3 * (1 + Math.abs(e)), `step ${step}: GPU loss ${l}, CPU loss ${e}`);
    });
    // The run learns: the last losses are well below the first.
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    assert.ok(mean(gpuCurve.slice(-5)) < 0.5 * gpuCurve[0]!, `loss went from ${gpuCurve[0]} to ${gpuCurve.slice(-5)}`);
  });

  it("live tensors, GPU bytes and GPU buffers do not grow over 200 training steps", async () => {
    const digits = await data.load("digits");
    await on("webgpu", async () => {
      const model = mlp({ input: 64, hidden: [32], activations: ["mish"], classes: 10 });
      const opt = new optim.Adam({ params: model, lr: 1e-3 });
      const loss = losses.create("crossEntropy");
      // dropLast: every step sees the same shapes, so the buffer pool can serve them all.
      const loader = new data.DataLoader(digits, { batchSize: 64, shuffle: true, seed: 1, dropLast: true });
      let steps = 0;
      let baseline: { tensors: number; bytes: number; created: number } | null = null;
      while (steps < 200) {
        for (const batch of loader) {
          const l = tidy(() => {
            const v = loss(model.forward(batch.x), batch.y);
            v.backward();
            opt.step();
            opt.zeroGrad();
            return v;
          });
          // The one readback a trial makes: its metric.
          assert.ok(Number.isFinite(await l.item()));
          l.dispose();
          steps++;
          // Both snapshots are taken while a batch is alive, after its step's metric was read.
          const snapshot = { tensors: memory().tensors, bytes: gpu.liveBytes(), created: gpu.stats().buffersCreated };
          if (steps === 10) baseline = snapshot;
          if (steps === 200) {
            assert.deepEqual(snapshot, baseline, "after step 10 and after step 200");
            break;
          }
        }
      }
      assert.equal(memory().bytes.webgpu, gpu.liveBytes());
      for (const p of model.parameters()) p.dispose();
      opt.dispose();
    });
  });

  it("no pipeline is compiled after the first epoch when the layer widths vary (32, 48, 64)", async () => {
    const digits = await data.load("digits");
    const small = digits.subset(Array.from({ length: 256 }, (_, i) => i));
    const compiledAfter: number[] = [];
    await on("webgpu", async () => {
      for (const width of [32, 48, 64]) {
        const model = mlp({ input: 64, hidden: [width, width], activations: ["mish", "relu"], classes: 10 });
        const opt = new optim.Adam({ params: model, lr: 1e-3 });
        const loss = losses.create("crossEntropy");
        for (const batch of new data.DataLoader(small, { batchSize: 64 })) {
          tidy(() => {
            const l = loss(model.forward(batch.x), batch.y);
            l.backward();
            opt.step();
            opt.zeroGrad();
          });
        }
        await gpu.sync();
        compiledAfter.push(gpu.stats().pipelinesCompiled);
        for (const p of model.parameters()) p.dispose();
        opt.dispose();
      }
    });
    assert.deepEqual(compiledAfter.slice(1), [compiledAfter[0], compiledAfter[0]], `pipelines compiled after each width's epoch: ${compiledAfter}`);
  });

  // --- property tests of composed ops, through the Tensor API ------------------------------------

  const shapeArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 });

  /** Builds the same input on both backends, runs `fn` on each, returns the values. */
  async function onBoth(inputs: { values: Float32Array; shape: number[] }[], fn: (ts: Tensor[]) => Tensor[]): Promise<{ gpu: Float32Array[]; cpu: Float32Array[] }> {
    const run = async (name: "cpu" | "webgpu") => {
      const outs = tidy(() => fn(inputs.map((i) => tensor(i.values, i.shape, { backend: name, requiresGrad: true }))));
      const result = await Promise.all(outs.map((t) => t.data()));
      for (const t of outs) t.dispose();
      return result;
    };
    return { gpu: await run("webgpu"), cpu: await run("cpu") };
  }

  it("backward(grad) and ops refuse a tensor from the other backend, saying how to move it", () => {
    const a = tensor([1, 2, 3], [3], { backend: "webgpu", requiresGrad: true });
    const cpuGrad = tensor([1, 1, 1], [3], { backend: "cpu" });
    assert.throws(() => a.mul(2).backward(cpuGrad), /^Error: backward\(grad\): grad lives on the cpu backend but the tensor on webgpu; create grad on webgpu$/);
    assert.equal(a.grad, null);
    assert.throws(() => gpu.unary("neg", [], cpuGrad.storage, a.storage), /a buffer from another backend was passed to the WebGPU backend; tensors of one op must live on one backend \(copy one over with tensor\(await t\.data\(\), t\.shape, \{ backend \}\)\)/);
    a.dispose();
    cpuGrad.dispose();
  });

  it("every unary op of the table with its gradient, whichever way its backward gets f′", async () => {
    // derivativeFrom "forward" (f′ written beside f), "input" (recomputed from x) and "output"
    // (exp: f′ is the result) are three autograd paths; the kernel tests check the kernels alone.
    for (const { name: op, derivativeFrom = "forward" } of listUnaryOps()) {
      const { min, max } = domainOf(op);
      await fc.assert(
        fc.asyncProperty(shapeArb, fc.integer({ min: 0, max: 1000 }), async (shape, seed) => {
          const x = values(size(shape), seed, min, max);
          const weights = values(size(shape), seed + 1);
          const r = await onBoth([{ values: x, shape }], ([t]) => {
            const y = t!.unary(op);
            // A weighted sum, so that each gradient entry is dy·f′ with a dy of its own.
            y.mul(tensor(weights, shape, { backend: t!.backend.name })).sum().backward();
            return [y, t!.grad!];
          });
          const label = `${op} (derivativeFrom ${derivativeFrom}) ${JSON.stringify(shape)}`;
          assertClose(label, r.gpu[0]!, r.cpu[0]!, elementwiseTol);
          assertClose(`d ${label}`, r.gpu[1]!, r.cpu[1]!, elementwiseTol);
        }),
        { numRuns: 4 },
      );
    }
  });

  it("softmax, logSoftmax and logSumExp over any axis, with gradients", async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.nat(), fc.integer({ min: 0, max: 1000 }), async (shape, axisPick, seed) => {
        const axis = (axisPick % shape.length) - (axisPick % 2 === 0 ? 0 : shape.length);
        const x = values(size(shape), seed, -6, 6);
        const weights = values(size(shape), seed + 1);
        const r = await onBoth([{ values: x, shape }], ([t]) => {
          const outs: Tensor[] = [];
          for (const op of ["softmax", "logSoftmax"] as const) {
            const y = t![op](axis);
            // A weighted sum, so the gradient is not trivially 0 (softmax's rows sum to 1).
            y.mul(tensor(weights, shape, { backend: t!.backend.name })).sum().backward();
            // detach(): a view that outlives zeroGrad()'s dispose of the gradient itself.
            outs.push(y, t!.grad!.detach());
            t!.zeroGrad();
          }
          const lse = t!.logSumExp(axis, axisPick % 3 === 0);
          lse.sum().backward();
          outs.push(lse, t!.grad!);
          return outs;
        });
        const label = `${JSON.stringify(shape)} axis ${axis}`;
        ["softmax", "d softmax", "logSoftmax", "d logSoftmax", "logSumExp", "d logSumExp"].forEach((what, j) =>
          assertClose(`${what} ${label}`, r.gpu[j]!, r.cpu[j]!, what.startsWith("d ") ? sumTol(r.cpu[j]!) : elementwiseTol),
        );
      }),
      { numRuns: 25 },
    );
  });

  it("sum, mean, max, min over arbitrary sets of axes, with keepDims and gradients", async () => {
    const axesArb = shapeArb.chain((shape) =>
      fc.tuple(fc.constant(shape), fc.subarray(shape.map((_, i) => i)), fc.boolean(), fc.integer({ min: 0, max: 1000 })),
    );
    await fc.assert(
      fc.asyncProperty(axesArb, async ([shape, axes, keepDims, seed]) => {
        // Distinct values, so that max and min have no ties (their gradient is shared among ties).
        const x = values(size(shape), seed).map((v, i) => v + i * 1e-3);
        const r = await onBoth([{ values: x, shape }], ([t]) => {
          const outs: Tensor[] = [];
          for (const op of ["sum", "mean", "max", "min"] as const) {
            const y = t![op](axes, keepDims);
            y.mul(y).sum().backward();
            outs.push(y, t!.grad!.detach());
            t!.zeroGrad();
          }
          return outs;
        });
        const label = `${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepDims ${keepDims}`;
        ["sum", "mean", "max", "min"].forEach((op, j) => {
          assertClose(`${op} ${label}`, r.gpu[2 * j]!, r.cpu[2 * j]!, sumTol(r.cpu[2 * j]!));
          assertClose(`d ${op} ${label}`, r.gpu[2 * j + 1]!, r.cpu[2 * j + 1]!, sumTol(r.cpu[2 * j + 1]!));
        });
      }),
      { numRuns: 25 },
    );
  });

  it("broadcasting binary ops with the gradients of both operands", async () => {
    /** A shape that broadcasts to `out`: leading axes dropped, some axes set to 1. */
    const broadcastable = (out: number[]) =>
      fc
        .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
        .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
    const pair = shapeArb.chain((out) =>
      fc.tuple(
        broadcastable(out),
        broadcastable(out),
        fc.constantFrom("add", "sub", "mul", "div", "pow", "maximum", "minimum" as const),
        fc.integer({ min: 0, max: 1000 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(pair, async ([aShape, bShape, op, seed]) => {
        // pow needs a > 0; div a divisor away from 0; maximum/minimum no ties.
        const a = values(size(aShape), seed, op === "pow" ? 0.5 : -2, 2);
        const b = values(size(bShape), seed + 1, 0.5, 2).map((v, i) => (op === "div" || op === "pow" || i % 2 === 0 ? v : -v));
        const r = await onBoth(
          [
            { values: a, shape: aShape },
            { values: b, shape: bShape },
          ],
          ([ta, tb]) => {
            const y = ta![op](tb!);
            y.mul(y).sum().backward();
            return [y, ta!.grad!, tb!.grad!];
          },
        );
        const label = `${op} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`;
        assertClose(`${label}`, r.gpu[0]!, r.cpu[0]!, elementwiseTol);
        assertClose(`d/da ${label}`, r.gpu[1]!, r.cpu[1]!, sumTol(r.cpu[1]!));
        assertClose(`d/db ${label}`, r.gpu[2]!, r.cpu[2]!, sumTol(r.cpu[2]!));
      }),
      { numRuns: 40 },
    );
  });
});
