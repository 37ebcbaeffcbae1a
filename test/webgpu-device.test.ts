// The WebGPU backend's machinery: device acquisition, pipeline caching, buffer pooling, lazy
// submission, large dispatches, input checks and device loss.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CpuBackend } from "../src/kernels/cpu/backend.js";
import type { MatmulArgs } from "../src/kernels/backend.js";
import { createWebGPUBackend, probeWebGPU, webgpuAdapterExpected } from "../src/kernels/webgpu/device.js";

const probe = await probeWebGPU();
const skip = probe.ok ? false : probe.reason;

describe("WebGPU adapter", () => {
  it("is present where one is expected (Linux x64 in CI)", () => {
    if (!probe.ok && webgpuAdapterExpected()) assert.fail(`the GPU suite would be skipped: ${probe.reason}`);
  });

  it("an unavailable adapter kind is reported in the error's list of attempts", async () => {
    // The default adapter alone: on GPU-less machines there is none, elsewhere we get one.
    try {
      const r = await createWebGPUBackend({ adapters: ["default"] });
      assert.match(r.tried.at(-1)!, /device acquired/);
      r.backend.destroy();
    } catch (error) {
      assert.match((error as Error).message, /no WebGPU adapter: default adapter/);
    }
  });
});

describe("WebGPU backend machinery", { skip }, () => {
  const gpu = probe.ok ? probe.backend : (undefined as never);

  it("reports the adapter it got and what it tried", () => {
    assert.ok(probe.ok);
    assert.ok(probe.adapterInfo.length > 0);
    assert.match(probe.tried.at(-1)!, /device acquired/);
  });

  it("compiles no pipeline for a new size or shape of a kernel it has compiled", async () => {
    const run = (n: number, rows: number) => {
      const x = gpu.upload(Float32Array.from({ length: n }, (_, i) => i - n / 2));
      const y = gpu.alloc(n);
      const d = gpu.alloc(n);
      gpu.unary("mish", [], x, y);
      gpu.unary("mish", [], x, y, d);
      gpu.binary("add", x, x, y, [rows, n / rows], [n / rows, 1], [0, 1]);
      const o = gpu.alloc(rows);
      gpu.reduce("sum", x, o, rows, n / rows);
      const mm = gpu.alloc(rows * rows);
      const args: MatmulArgs = { batch: 1, m: rows, n: rows, k: n / rows, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
      gpu.matmul(x, x, mm, args, { activation: { op: "relu", params: [] } });
      for (const s of [x, y, d, o, mm]) gpu.free(s);
    };
    // Warm-up: short and long rows (two reduce kernels) and a recycled buffer (zero fill).
    for (const [n, rows] of [[64, 4], [4096, 16], [64, 4]] as const) run(n, rows);
    await gpu.sync();
    const compiled = gpu.stats().pipelinesCompiled;
    for (const [n, rows] of [[128, 8], [8192, 32], [48, 12], [2048, 8]] as const) run(n, rows);
    await gpu.sync();
    assert.equal(gpu.stats().pipelinesCompiled, compiled);
  });

  it("reuses pooled buffers and returns live bytes to the baseline", async () => {
    const baseline = gpu.liveBytes();
    const step = () => {
      const a = gpu.alloc(1000);
      const b = gpu.upload(new Float32Array(1000).fill(2));
      gpu.binary("mul", a, b, a, [1000], [1], [1]);
      gpu.free(a);
      gpu.free(b);
    };
    step();
    await gpu.sync();
    const created = gpu.stats().buffersCreated;
    for (let i = 0; i < 200; i++) step();
    await gpu.sync();
    assert.equal(gpu.stats().buffersCreated, created);
    assert.equal(gpu.liveBytes(), baseline);
  });

  it("submits lazily: many kernels, then one submit at read()", async () => {
    const x = gpu.upload(new Float32Array(256).fill(1));
    await gpu.sync();
    const submits = gpu.stats().submits;
    for (let i = 0; i < 100; i++) gpu.unary("exp", [], x, x);
    assert.equal(gpu.stats().submits, submits);
    const v = await gpu.read(x);
    assert.equal(gpu.stats().submits, submits + 1);
    assert.ok(!Number.isFinite(v[0]!));
    gpu.free(x);
  });

  it("an upload into a recycled buffer does not overtake queued work that read it", async () => {
    const x = gpu.upload(new Float32Array([1, 2, 3, 4]));
    const y = gpu.alloc(4);
    gpu.unary("neg", [], x, y);
    gpu.free(x);
    const z = gpu.upload(new Float32Array([10, 20, 30, 40]));
    assert.deepEqual([...(await gpu.read(y))], [-1, -2, -3, -4]);
    assert.deepEqual([...(await gpu.read(z))], [10, 20, 30, 40]);
    gpu.free(y);
    gpu.free(z);
  });

  it("handles more elements than 65535 workgroups cover in one dimension", async () => {
    const n = 256 * 65535 + 333;
    const x = gpu.alloc(n);
    gpu.fill(x, 3);
    const v = await gpu.read(x);
    assert.equal(v[n - 1], 3);
    assert.equal(v[0], 3);
    gpu.free(x);
  });

  it("rejects bad input with errors that say what is wrong", () => {
    const a = gpu.alloc(6);
    const b = gpu.alloc(5);
    assert.throws(() => gpu.unary("relu", [], a, b), /same size, got 6, 5/);
    assert.throws(() => gpu.unary("nope", [], a, a), /unknown elementwise op "nope"/);
    assert.throws(() => gpu.reduce("sum", a, b, 2, 3), /out 2; got 6 and 5/);
    assert.throws(() => gpu.alloc(-1), /non-negative integer/);
    assert.throws(
      () => gpu.matmul(a, a, b, { batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }),
      /out must hold batch·m·n = 4 values, got 5/,
    );
    assert.throws(() => gpu.unary("relu", [], new CpuBackend().alloc(6), a), /another backend/);
    gpu.free(b);
    assert.throws(() => gpu.free(b), /already freed/);
    assert.throws(() => gpu.fill(b, 1), /was freed/);
    gpu.free(a);
  });

  it("a lost device rejects pending reads with a clear error, and a new device works", async () => {
    const { backend } = await createWebGPUBackend();
    const x = backend.upload(new Float32Array([1, 2, 3]));
    backend.unary("exp", [], x, x);
    backend.device.destroy();
    await assert.rejects(backend.read(x), /device was lost/);
    assert.throws(() => backend.unary("exp", [], x, x), /device was lost/);
    const again = await createWebGPUBackend();
    const y = again.backend.upload(new Float32Array([4]));
    assert.deepEqual([...(await again.backend.read(y))], [4]);
    again.backend.destroy();
  });
});
