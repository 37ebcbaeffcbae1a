// The WebGPU backend: the Backend interface over a GPUDevice.
//
// Every kernel call records one dispatch (see command-queue.ts); nothing runs until read(),
// sync() or a full batch submits it. Kernels are generated from the op table and cached by kind,
// with shapes in uniforms. Sizes are checked here, on the host, since the GPU cannot throw.
//
// Numerics: kernels compute in float32 (the CPU backend in float64, rounded when stored), and
// WGSL implementations may assume NaN and infinity do not occur in arithmetic (only max/min
// reductions test for NaN bit patterns explicitly), so NaN propagation through other ops may
// differ from the CPU backend. Out-of-range gather indices give NaN and scatterAdd skips them,
// where the CPU backend throws.

import { type AdamArgs, type Backend, checkEpilogue, type MatmulArgs, type MatmulEpilogue, type ReduceOp, type SgdArgs, type Storage } from "../backend.js";
import { binaryOp, resolveParams, unaryOp, type UnaryOpDef } from "../ops.js";
import type { Shape } from "../shape.js";
import type { PooledBuffer } from "./buffer-pool.js";
import { collapseDims, isFlat } from "./collapse.js";
import { CommandQueue, type KernelDef, type QueueOptions } from "./command-queue.js";
import { chooseMatmulConfig, matmulCandidates, measurementProblem, type MatmulVariant } from "./matmul-variants.js";
import { MAX_RANK, STRIDED_LAYOUT, STRIDED_WORDS } from "./wgsl/common.js";
import { binaryKernel, fillKernel, stridedKernel, unaryKernel, type UnaryMode, UNARY_PARAM_BASE, whereKernel } from "./wgsl/elementwise.js";
import { GATHER_WORDS, gatherKernel, scatterAddKernel } from "./wgsl/gather.js";
import { OperandTextures, textureRows, type OperandFormat } from "./operand-textures.js";
import {
  blockedMatmulKernel,
  chooseLayout,
  MATMUL_PARAM_BASE,
  tiledMatmulKernel,
  tileOf,
  type MatmulConfig,
  type MatmulEpilogueShape,
} from "./wgsl/matmul.js";
import { ADAM_WORDS, adamKernel, SGD_WORDS, sgdKernel } from "./wgsl/optimizers.js";
import { reduceRowPerInvocation, reduceRowPerWorkgroup } from "./wgsl/reduce.js";

class WebGPUStorage implements Storage {
  constructor(
    readonly size: number,
    public pooled: PooledBuffer | null,
    /**
     * True while the buffer is logically zero but still holds a pool's stale values: it is
     * cleared only if something reads it first (see `buf`), since most buffers are allocated
     * as a kernel's output and overwritten whole (see `written`).
     */
    public stale = false,
  ) {}
}

export interface WebGPUBackendOptions extends QueueOptions {
  /**
   * Matmul kernel family: "auto" (default) starts from the adapter's usual best and, through
   * createWebGPUBackend, times the candidates at device start and keeps the fastest.
   */
  readonly matmul?: MatmulVariant;
}

export interface WebGPUStats {
  readonly pipelinesCompiled: number;
  readonly submits: number;
  readonly dispatches: number;
  readonly clears: number;
  readonly bufferCopies: number;
  readonly textureCopies: number;
  readonly buffersCreated: number;
  readonly pooledBytes: number;
}

/** Rows at most this long are reduced by one invocation each, longer ones by a workgroup. */
const SHORT_ROW = 64;
/** The workgroup size of one-row-per-invocation reductions on CPU adapters. */
const CPU_REDUCE_WG = 16;

export class WebGPUBackend implements Backend {
  readonly name = "webgpu";
  #matmulConfig: MatmulConfig;
  /** Per candidate, ms per product at device start (empty when the variant was given). */
  matmulTimings: { config: MatmulConfig; ms: number }[] = [];
  private readonly q: CommandQueue;
  private readonly textures: OperandTextures;
  private live = 0;
  /** Workgroup size of the one-invocation-per-element kernels. */
  private readonly wg: number;
  private readonly reduceWg: number;
  private readonly maxGroups: number;
  private readonly maxBindingBytes: number;
  private readonly maxStorageBuffers: number;
  private readonly opIds = new WeakMap<UnaryOpDef, number>();
  private nextOpId = 0;

  constructor(
    readonly device: GPUDevice,
    /** A human-readable description of the adapter. */
    readonly adapterInfo: string,
    /** Whether the adapter runs WGSL on the CPU (llvmpipe, SwiftShader). */
    readonly cpuAdapter: boolean,
    options: WebGPUBackendOptions = {},
  ) {
    this.q = new CommandQueue(device, options);
    this.textures = new OperandTextures(device);
    const lim = device.limits;
    this.wg = Math.min(256, lim.maxComputeInvocationsPerWorkgroup, lim.maxComputeWorkgroupSizeX);
    this.reduceWg = 2 ** Math.floor(Math.log2(this.wg));
    this.maxGroups = lim.maxComputeWorkgroupsPerDimension;
    this.maxBindingBytes = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize);
    this.maxStorageBuffers = lim.maxStorageBuffersPerShaderStage;
    this.#matmulConfig = chooseMatmulConfig(options.matmul ?? "auto", cpuAdapter, lim);
  }

  /** True once the device is lost; init() then creates a new one. */
  get lost(): boolean {
    return this.q.lost;
  }

  /** The kernel configuration `matmul` uses. */
  get matmulConfig(): MatmulConfig {
    return this.#matmulConfig;
  }

  /**
   * Times each candidate matmul kernel on a small square product and keeps the fastest
   * (DESIGN: "Pick kernel variants per adapter, by measurement"). Each candidate is run once
   * untimed (compiling its pipeline), then timed over a few runs; a run's best is kept.
   */
  async selectMatmulByMeasurement(candidates = matmulCandidates(this.cpuAdapter, this.device.limits)): Promise<MatmulConfig> {
    const { size, products, runs } = measurementProblem(this.cpuAdapter);
    const values = Float32Array.from({ length: size * size }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const a = this.upload(values);
    const b = this.upload(values);
    const out = this.alloc(size * size);
    const args: MatmulArgs = { batch: 1, m: size, n: size, k: size, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    this.matmulTimings = [];
    try {
      for (const config of candidates) {
        this.matmulWith(config, a, b, out, args);
        await this.sync();
        let best = Infinity;
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          for (let p = 0; p < products; p++) this.matmulWith(config, a, b, out, args);
          await this.sync();
          best = Math.min(best, (performance.now() - t0) / products);
        }
        this.matmulTimings.push({ config, ms: best });
      }
    } finally {
      for (const s of [a, b, out]) this.free(s);
    }
    this.#matmulConfig = this.matmulTimings.reduce((x, y) => (y.ms < x.ms ? y : x)).config;
    return this.#matmulConfig;
  }

  // --- memory ----------------------------------------------------------------------------------

  alloc(size: number): Storage {
    const { pooled, reused } = this.q.pool.acquire(this.checkSize("alloc", size));
    this.live += size * 4;
    return new WebGPUStorage(size, pooled, reused && size > 0);
  }

  upload(data: Float32Array): Storage {
    if (!(data instanceof Float32Array)) throw new Error(`upload takes a Float32Array, got ${Object.prototype.toString.call(data)}`);
    const { pooled } = this.q.pool.acquire(this.checkSize("upload", data.length));
    if (data.length > 0) this.q.write(pooled, data);
    this.live += data.length * 4;
    return new WebGPUStorage(data.length, pooled);
  }

  async read(s: Storage): Promise<Float32Array> {
    const b = this.buf(s);
    if (s.size === 0) {
      this.q.checkHealthy();
      return new Float32Array(0);
    }
    return new Float32Array(await this.q.read(b, s.size * 4));
  }

  free(s: Storage): void {
    const g = this.storage(s);
    if (!g.pooled) throw new Error("free: this buffer was already freed");
    this.q.pool.release(g.pooled);
    g.pooled = null;
    this.live -= g.size * 4;
  }

  liveBytes(): number {
    return this.live;
  }

  sync(): Promise<void> {
    return this.q.sync();
  }

  /**
   * Counters for tests and benchmarks: pipelines compiled, submits, dispatches, buffer clears
   * and copies recorded, GPU buffers created and bytes held free in the pool.
   */
  stats(): WebGPUStats {
    const q = this.q;
    return {
      pipelinesCompiled: q.pipelinesCompiled,
      submits: q.submits,
      dispatches: q.dispatchesRecorded,
      clears: q.clears,
      bufferCopies: q.bufferCopies,
      textureCopies: q.textureCopies,
      ...q.pool.stats(),
    };
  }

  /** Releases the device; the backend is unusable afterwards. */
  destroy(): void {
    this.q.flush();
    this.q.destroy();
    this.textures.destroy();
    this.device.destroy();
  }

  // --- elementwise -------------------------------------------------------------------------------

  fill(out: Storage, value: number): void {
    const n = out.size;
    if (n === 0) return;
    this.q.uniforms(2).u(0, n).f(1, value);
    this.q.dispatch(fillKernel(this.wg), [this.written(out)], this.linearGroups(n));
  }

  strided(x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void {
    this.stridedCopy(false, x, out, shape, strides, offset);
  }

  scatterStrided(x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void {
    this.stridedCopy(true, x, out, shape, strides, offset);
  }

  unary(op: string, params: readonly number[], x: Storage, out: Storage, derivative?: Storage): void {
    const def = unaryOp(op);
    this.sameSize(op, derivative ? [x, out, derivative] : [x, out]);
    if (derivative) this.dispatchUnary(def, resolveParams(def, params), "withDerivative", [this.buf(x), this.written(out), this.written(derivative)], out.size);
    else this.dispatchUnary(def, resolveParams(def, params), "f", [this.buf(x), this.written(out)], out.size);
  }

  unaryGrad(op: string, params: readonly number[], x: Storage, dy: Storage, dx: Storage): void {
    const def = unaryOp(op);
    this.sameSize(`${op} gradient`, [x, dy, dx]);
    this.dispatchUnary(def, resolveParams(def, params), "gradient", [this.buf(x), this.buf(dy), this.written(dx)], dx.size);
  }

  binary(op: string, a: Storage, b: Storage, out: Storage, outShape: Shape, aStrides: readonly number[], bStrides: readonly number[]): void {
    const def = binaryOp(op);
    const c = this.stridedPlan(op, out, outShape, [aStrides, bStrides]);
    if (!c) return;
    this.writeStridedUniforms(c, 0);
    const kernel = binaryKernel(def, { kind: "f" }, isFlat(c, 0) && isFlat(c, 1), this.wg);
    this.q.dispatch(kernel, [this.buf(a), this.buf(b), this.written(out)], this.linearGroups(out.size));
  }

  binaryGrad(
    op: string,
    which: 0 | 1,
    a: Storage,
    b: Storage,
    dy: Storage,
    out: Storage,
    outShape: Shape,
    aStrides: readonly number[],
    bStrides: readonly number[],
  ): void {
    const def = binaryOp(op);
    if (which !== 0 && which !== 1) throw new Error(`binaryGrad: which must be 0 (for a) or 1 (for b), got ${String(which)}`);
    this.sameSize(`${op} gradient`, [dy, out]);
    const c = this.stridedPlan(op, out, outShape, [aStrides, bStrides]);
    if (!c) return;
    this.writeStridedUniforms(c, 0);
    const kernel = binaryKernel(def, { kind: "grad", which }, isFlat(c, 0) && isFlat(c, 1), this.wg);
    this.q.dispatch(kernel, [this.buf(a), this.buf(b), this.buf(dy), this.written(out)], this.linearGroups(out.size));
  }

  where(
    cond: Storage,
    a: Storage,
    b: Storage,
    out: Storage,
    outShape: Shape,
    condStrides: readonly number[],
    aStrides: readonly number[],
    bStrides: readonly number[],
  ): void {
    const c = this.stridedPlan("where", out, outShape, [condStrides, aStrides, bStrides]);
    if (!c) return;
    this.writeStridedUniforms(c, 0);
    this.q.dispatch(whereKernel(this.wg), [this.buf(cond), this.buf(a), this.buf(b), this.written(out)], this.linearGroups(out.size));
  }

  // --- reductions, gather -----------------------------------------------------------------------

  reduce(op: ReduceOp, x: Storage, out: Storage, outer: number, inner: number): void {
    if (!["sum", "max", "min", "argmax", "argmin"].includes(op)) {
      throw new Error(`reduce: unknown reduction "${op}"; expected sum, max, min, argmax or argmin`);
    }
    this.checkCounts("reduce", { outer, inner });
    if (x.size !== outer * inner || out.size !== outer) {
      throw new Error(`reduce: x must hold outer·inner = ${outer * inner} values and out ${outer}; got ${x.size} and ${out.size}`);
    }
    if (outer === 0) return;
    this.q.uniforms(2).u(0, outer).u(1, inner);
    // Where WGSL runs on the CPU a workgroup barrier is costly (every invocation is suspended and
    // resumed) and the tree wastes most lanes, so there rows go one per invocation whenever there
    // are enough of them to fill a few small workgroups (workgroups are what spread over threads).
    if (inner <= SHORT_ROW || (this.cpuAdapter && outer >= 4 * CPU_REDUCE_WG)) {
      const wg = this.cpuAdapter ? CPU_REDUCE_WG : this.wg;
      this.q.dispatch(reduceRowPerInvocation(op, wg), [this.buf(x), this.written(out)], this.grid(Math.ceil(outer / wg)));
    } else {
      this.q.dispatch(reduceRowPerWorkgroup(op, this.reduceWg), [this.buf(x), this.written(out)], this.grid(outer));
    }
  }

  gather(x: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void {
    this.checkGather("gather", x, index, out, outer, axisLen, indexLen, inner);
    const n = out.size;
    if (n === 0) return;
    this.q.uniforms(GATHER_WORDS).u(0, n).u(1, outer).u(2, axisLen).u(3, indexLen).u(4, inner);
    this.q.dispatch(gatherKernel(this.wg), [this.buf(x), this.buf(index), this.written(out)], this.linearGroups(n));
  }

  scatterAdd(g: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void {
    this.checkGather("scatterAdd", out, index, g, outer, axisLen, indexLen, inner);
    const n = out.size;
    if (n === 0) return;
    this.q.uniforms(GATHER_WORDS).u(0, n).u(1, outer).u(2, axisLen).u(3, indexLen).u(4, inner);
    this.q.dispatch(scatterAddKernel(this.wg), [this.buf(g), this.buf(index), this.buf(out)], this.linearGroups(n));
  }

  // --- matmul ------------------------------------------------------------------------------------

  matmul(a: Storage, b: Storage, out: Storage, args: MatmulArgs, epilogue?: MatmulEpilogue): void {
    this.matmulWith(this.matmulConfig, a, b, out, args, epilogue);
  }

  /** matmul with an explicit kernel configuration (benchmarks and tests compare variants). */
  matmulWith(config: MatmulConfig, a: Storage, b: Storage, out: Storage, args: MatmulArgs, epilogue: MatmulEpilogue = {}): void {
    const { batch, m, n, k, aBatchStride, bBatchStride } = args;
    this.checkCounts("matmul", { batch, m, n, k, aBatchStride, bBatchStride });
    const need = (name: string, s: Storage, stride: number, size: number) => {
      const required = batch === 0 ? 0 : (batch - 1) * stride + size;
      if (s.size < required) throw new Error(`matmul: ${name} holds ${s.size} values but batch ${batch}, stride ${stride} and ${size} per product need ${required}`);
    };
    need("a", a, aBatchStride, m * k);
    need("b", b, bBatchStride, k * n);
    if (out.size !== batch * m * n) throw new Error(`matmul: out must hold batch·m·n = ${batch * m * n} values, got ${out.size}`);
    checkEpilogue(epilogue, out.size, n);
    const act = epilogue.activation;
    const actDef = act ? unaryOp(act.op) : null;
    const actParams = actDef && act ? resolveParams(actDef, act.params) : [];
    if (out.size === 0) return;

    // A device with few storage buffers per stage gets the epilogue's activation as its own pass.
    const fused = 3 + (epilogue.bias ? 1 : 0) + (epilogue.derivative ? 1 : 0) <= this.maxStorageBuffers;
    if (actDef && !fused) {
      const pre = this.alloc(out.size);
      this.matmulWith(config, a, b, pre, args, epilogue.bias ? { bias: epilogue.bias } : {});
      if (epilogue.derivative) this.dispatchUnary(actDef, actParams, "withDerivative", [this.buf(pre), this.written(out), this.written(epilogue.derivative)], out.size);
      else this.dispatchUnary(actDef, actParams, "f", [this.buf(pre), this.written(out)], out.size);
      this.free(pre);
      return;
    }

    const shape: MatmulEpilogueShape = {
      bias: !!epilogue.bias,
      derivative: !!epilogue.derivative,
      activation: actDef ? { op: actDef, id: this.opId(actDef) } : null,
    };
    const limits = this.device.limits;
    const layout = chooseLayout(config, args, a.size, b.size, (floats, vec) => textureRows(vec ? "rgba32float" : "r32float", floats, limits) !== null);
    const kernel: KernelDef =
      config.kind === "blocked" ? blockedMatmulKernel(config, layout, shape) : tiledMatmulKernel(config, layout, shape);
    // Inputs first: an input that is stale must be cleared before an output marks it written.
    const inputs = [this.buf(a), this.buf(b), ...(epilogue.bias ? [this.buf(epilogue.bias)] : [])];
    const buffers = [inputs[0]!, inputs[1]!, this.written(out)];
    if (epilogue.bias) buffers.push(inputs[2]!);
    if (epilogue.derivative) buffers.push(this.written(epilogue.derivative));
    // Operand textures go back to the pool right after this dispatch is recorded: later users
    // record later commands, which the queue runs in order.
    const views: GPUTextureView[] = [];
    const held: ReturnType<OperandTextures["acquire"]>[] = [];
    const staged: { s: Storage; vec: boolean }[] = [];
    if (layout.aTex) staged.push({ s: a, vec: layout.aVec });
    if (layout.bTex) staged.push({ s: b, vec: layout.bVec });
    for (const { s, vec } of staged) {
      const format: OperandFormat = vec ? "rgba32float" : "r32float";
      const t = this.textures.acquire(format, textureRows(format, s.size, limits)!);
      this.q.copyToTexture(this.buf(s), s.size, t.texture, format);
      views.push(t.view);
      held.push(t);
    }
    const tile = tileOf(config);
    const gx = Math.ceil(n / tile.cols);
    const gy = Math.ceil(m / tile.rows);
    if (gx > this.maxGroups || gy > this.maxGroups) {
      throw new Error(`matmul: ${m}x${n} needs ${gy}x${gx} workgroups, more than this device's ${this.maxGroups} per dimension`);
    }
    for (let base = 0; base < batch; base += this.maxGroups) {
      const count = Math.min(this.maxGroups, batch - base);
      const u = this.q.uniforms(MATMUL_PARAM_BASE + actParams.length);
      u.u(0, m).u(1, n).u(2, k).u(3, base).u(4, aBatchStride).u(5, bBatchStride);
      actParams.forEach((p, j) => u.f(MATMUL_PARAM_BASE + j, p));
      this.q.dispatch(kernel, buffers, [gx, gy, count], views);
    }
    for (const t of held) this.textures.release(t);
  }

  // --- optimizers ----------------------------------------------------------------------------------

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, args: AdamArgs): void {
    this.sameSize("adamStep", [param, grad, m, v]);
    const n = param.size;
    if (n === 0) return;
    const vec = n % 4 === 0;
    const invocations = vec ? n / 4 : n;
    this.q
      .uniforms(ADAM_WORDS)
      .u(0, invocations)
      .u(1, args.decoupled ? 1 : 0)
      .f(4, args.lr)
      .f(5, args.beta1)
      .f(6, args.beta2)
      .f(7, args.eps)
      .f(8, args.weightDecay)
      .f(9, args.biasCorrection1)
      .f(10, args.biasCorrection2);
    this.q.dispatch(adamKernel(this.wg, vec), [this.buf(param), this.buf(grad), this.buf(m), this.buf(v)], this.linearGroups(invocations));
  }

  sgdStep(param: Storage, grad: Storage, velocity: Storage | null, args: SgdArgs): void {
    this.sameSize("sgdStep", velocity ? [param, grad, velocity] : [param, grad]);
    const n = param.size;
    if (n === 0) return;
    const vec = n % 4 === 0;
    const invocations = vec ? n / 4 : n;
    this.q
      .uniforms(SGD_WORDS)
      .u(0, invocations)
      .u(1, args.nesterov ? 1 : 0)
      .u(2, args.firstStep ? 1 : 0)
      .f(4, args.lr)
      .f(5, args.momentum)
      .f(6, args.dampening)
      .f(7, args.weightDecay);
    const buffers = [this.buf(param), this.buf(grad)];
    if (velocity) buffers.push(this.buf(velocity));
    this.q.dispatch(sgdKernel(!!velocity, this.wg, vec), buffers, this.linearGroups(invocations));
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** A unary kernel over `buffers` in the order its mode declares (see unaryKernel). */
  private dispatchUnary(def: UnaryOpDef, params: readonly number[], mode: UnaryMode, buffers: PooledBuffer[], n: number): void {
    if (n === 0) return;
    const u = this.q.uniforms(UNARY_PARAM_BASE + params.length).u(0, n);
    params.forEach((p, j) => u.f(UNARY_PARAM_BASE + j, p));
    this.q.dispatch(unaryKernel(def, this.opId(def), mode, this.wg), buffers, this.linearGroups(n));
  }

  private stridedCopy(scatter: boolean, x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void {
    const op = scatter ? "scatterStrided" : "strided";
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`${op}: offset must be a non-negative integer, got ${offset}`);
    // The contiguous side is `x` when scattering, `out` when gathering.
    const c = this.stridedPlan(op, scatter ? x : out, shape, [strides]);
    if (!c) return;
    this.writeStridedUniforms(c, offset);
    // A gather writes every value of out; a scatter only some.
    const target = scatter ? this.buf(out) : this.written(out);
    this.q.dispatch(stridedKernel(scatter, this.wg), [this.buf(x), target], this.linearGroups(c.shape.reduce((p, d) => p * d, 1)));
  }

  /** Checks shapes and strides, merges dimensions; null when there is nothing to do. */
  private stridedPlan(op: string, contiguous: Storage, shape: Shape, strides: readonly (readonly number[])[]): ReturnType<typeof collapseDims> | null {
    let n = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: shape ${JSON.stringify(shape)} must hold non-negative integers`);
      n *= d;
    }
    strides.forEach((s, t) => {
      if (s.length !== shape.length || !s.every(Number.isInteger)) {
        throw new Error(`${op}: operand ${t}'s strides ${JSON.stringify(s)} must be ${shape.length} integers, one per dimension of ${JSON.stringify(shape)}`);
      }
    });
    if (contiguous.size !== n) throw new Error(`${op}: the buffer laid out as ${JSON.stringify(shape)} must hold ${n} values, got ${contiguous.size}`);
    if (n === 0) return null;
    const c = collapseDims(shape, strides);
    if (c.shape.length > MAX_RANK) {
      throw new Error(`${op}: after merging contiguous dimensions ${JSON.stringify(shape)} still has rank ${c.shape.length}; the WebGPU kernels take at most ${MAX_RANK}`);
    }
    return c;
  }

  private writeStridedUniforms(c: ReturnType<typeof collapseDims>, offset: number): void {
    const L = STRIDED_LAYOUT;
    const n = c.shape.reduce((p, d) => p * d, 1);
    const u = this.q.uniforms(STRIDED_WORDS).u(L.n, n).u(L.rank, c.shape.length).i(L.offset, offset);
    c.shape.forEach((d, i) => u.u(L.shape + i, d));
    c.strides.forEach((s, t) => s.forEach((v, i) => u.i(L.strides[t]! + i, v)));
  }

  /** Workgroups for one invocation per element, wrapped into a 2-D grid past the per-dimension limit. */
  private linearGroups(n: number): [number, number, number] {
    return this.grid(Math.ceil(n / this.wg));
  }

  private grid(groups: number): [number, number, number] {
    if (groups <= this.maxGroups) return [groups, 1, 1];
    const y = Math.ceil(groups / this.maxGroups);
    if (y > this.maxGroups) throw new Error(`${groups} workgroups exceed this device's ${this.maxGroups}² grid`);
    return [this.maxGroups, y, 1];
  }

  private opId(def: UnaryOpDef): number {
    let id = this.opIds.get(def);
    if (id === undefined) this.opIds.set(def, (id = this.nextOpId++));
    return id;
  }

  private storage(s: Storage): WebGPUStorage {
    if (!(s instanceof WebGPUStorage)) throw new Error("a buffer from another backend was passed to the WebGPU backend; tensors of one op must live on one backend (copy one over with tensor(await t.data(), t.shape, { backend }))");
    return s;
  }

  /** The buffer of a storage a kernel reads (or writes only in part): cleared first if stale. */
  private buf(s: Storage): PooledBuffer {
    const g = this.storage(s);
    if (!g.pooled) throw new Error("this WebGPU buffer was freed and cannot be used any more");
    if (g.stale) {
      this.q.clear(g.pooled, g.size * 4);
      g.stale = false;
    }
    return g.pooled;
  }

  /** The buffer of a storage the next kernel overwrites whole: its stale values need no clearing. */
  private written(s: Storage): PooledBuffer {
    const g = this.storage(s);
    if (!g.pooled) throw new Error("this WebGPU buffer was freed and cannot be used any more");
    g.stale = false;
    return g.pooled;
  }

  private checkSize(op: string, size: number): number {
    if (!Number.isInteger(size) || size < 0) throw new Error(`${op}: size must be a non-negative integer, got ${size}`);
    const bytes = size * 4;
    if (bytes > this.maxBindingBytes) {
      throw new Error(`${op}: ${size} float32 values (${bytes} bytes) exceed this device's largest storage buffer binding (${this.maxBindingBytes} bytes)`);
    }
    return bytes;
  }

  private sameSize(op: string, buffers: Storage[]): void {
    const n = buffers[0]!.size;
    if (buffers.some((b) => b.size !== n)) throw new Error(`${op}: the buffers must have the same size, got ${buffers.map((b) => b.size).join(", ")}`);
  }

  private checkCounts(op: string, counts: Record<string, number>): void {
    for (const [name, v] of Object.entries(counts)) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: ${name} must be a non-negative integer, got ${v}`);
    }
  }

  private checkGather(op: string, x: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void {
    this.checkCounts(op, { outer, axisLen, indexLen, inner });
    const source = op === "gather" ? "x" : "out";
    const target = op === "gather" ? "out" : "g";
    if (x.size !== outer * axisLen * inner) throw new Error(`${op}: ${source} must hold outer·axisLen·inner = ${outer * axisLen * inner} values, got ${x.size}`);
    if (index.size !== outer * indexLen * inner) throw new Error(`${op}: index must hold outer·indexLen·inner = ${outer * indexLen * inner} values, got ${index.size}`);
    if (out.size !== index.size) throw new Error(`${op}: ${target} must hold as many values as index (${index.size}), got ${out.size}`);
  }
}
