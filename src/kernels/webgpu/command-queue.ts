// Recording and submitting work. Every kernel call becomes one dispatch in a single open compute
// pass of one command encoder; the encoder is submitted lazily (on read(), sync(), an upload that
// must not overtake queued work, or when a batch grows past its limits), so a training step is
// usually one submit (DESIGN principle 3).
//
// Uniforms: each dispatch gets a slice of one CPU-side arena; at submit the arena is written into
// one GPU uniform buffer with a single writeBuffer, ordered before the submit on the queue. The
// same GPU buffer serves every batch because queue operations run in order: batch 2's
// writeBuffer runs after batch 1's commands.
//
// Pipelines are compiled once per kernel key (shapes live in uniforms, so a new size compiles
// nothing) and counted, so tests and benchmarks can assert that no pipeline is compiled late.

import { BufferPool, type PooledBuffer } from "./buffer-pool.js";
import { BufferUsage, MapMode, ShaderStage } from "./constants.js";
import { recordCopyToTexture, type OperandFormat } from "./operand-textures.js";

export interface KernelDef {
  /** Unique per distinct WGSL source: the pipeline cache key. */
  readonly key: string;
  /** The WGSL module, generated on the first use of `key`. Binding 0 is the uniform block. */
  readonly source: () => string;
  /** One entry per storage binding 1..N: true when the kernel writes it. */
  readonly writes: readonly boolean[];
  /** u32 words of uniform data the kernel reads (its `u` array holds ceil(words/4) vec4s). */
  readonly uniformWords: number;
  /** Sampled float textures bound after the storage buffers (bindings N+1, ...). */
  readonly textures?: number;
}

/** Writes one dispatch's uniform words; indices are relative to the dispatch's slice. */
export class UniformWriter {
  base = 0;
  constructor(
    private readonly u32: Uint32Array,
    private readonly i32: Int32Array,
    private readonly f32: Float32Array,
  ) {}
  u(i: number, v: number): this {
    this.u32[this.base + i] = v;
    return this;
  }
  i(i: number, v: number): this {
    this.i32[this.base + i] = v;
    return this;
  }
  f(i: number, v: number): this {
    this.f32[this.base + i] = v;
    return this;
  }
}

interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly uniformBytes: number;
  /** Why the kernel did not compile, once the device has said so: it is never dispatched again. */
  error?: string;
}

export interface QueueOptions {
  /** Submit once this many dispatches are recorded (default 1024). */
  readonly maxDispatchesPerSubmit?: number;
  /** Bytes of uniform arena per submit (default 256 KiB). */
  readonly uniformArenaBytes?: number;
}

export class DeviceLostError extends Error {}

export class CommandQueue {
  readonly pool: BufferPool;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  /** Increments at every submit; PooledBuffer.lastBatch compares against it. */
  private batch = 0;
  private readonly kernels = new Map<string, CompiledKernel>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly arena: ArrayBuffer;
  private readonly writer: UniformWriter;
  private arenaUsed = 0;
  private readonly uniformBuffer: GPUBuffer;
  private readonly align: number;
  private readonly maxDispatches: number;
  private readonly errors: string[] = [];
  /** Validation results still to come: every compile and every submit runs in an error scope. */
  private readonly pendingChecks = new Set<Promise<void>>();
  private lostMessage: string | null = null;
  private readonly lostPromise: Promise<never>;
  pipelinesCompiled = 0;
  submits = 0;
  /** Dispatches, buffer clears, buffer-to-buffer copies and buffer-to-texture copies recorded so far. */
  dispatchesRecorded = 0;
  clears = 0;
  bufferCopies = 0;
  textureCopies = 0;

  constructor(
    readonly device: GPUDevice,
    options: QueueOptions = {},
  ) {
    this.pool = new BufferPool(device, 256 * 1024 * 1024);
    this.maxDispatches = options.maxDispatchesPerSubmit ?? 1024;
    const arenaBytes = options.uniformArenaBytes ?? 256 * 1024;
    this.arena = new ArrayBuffer(arenaBytes);
    this.writer = new UniformWriter(new Uint32Array(this.arena), new Int32Array(this.arena), new Float32Array(this.arena));
    this.uniformBuffer = device.createBuffer({ size: arenaBytes, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.align = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    device.addEventListener("uncapturederror", (event) => {
      this.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
    this.lostPromise = device.lost.then((info) => {
      this.lostMessage = `the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ""}); pending work is gone, call init() again for a new device`;
      throw new DeviceLostError(this.lostMessage);
    });
    // Nobody may await lostPromise; keep its rejection from counting as unhandled.
    this.lostPromise.catch(() => {});
  }

  get lost(): boolean {
    return this.lostMessage !== null;
  }

  /**
   * Closes the validation error scope opened before some device calls (with nothing in between
   * that can throw). An error they raised reaches `errors`, reported by the next read or sync,
   * which wait for it, as "`what`: message", and `onError`.
   */
  private popValidation(what: string, onError?: (message: string) => void): void {
    const check: Promise<void> = this.device.popErrorScope().then((error) => {
      this.pendingChecks.delete(check);
      if (!error) return;
      const message = `${what}: ${error.message}`;
      onError?.(message);
      this.errors.push(message);
    });
    this.pendingChecks.add(check);
  }

  /**
   * Waits for the validation results of the compiles and submits so far, then throws what failed:
   * so that an error is reported by the read that follows the work that caused it, never by a
   * later, unrelated one.
   */
  private async settle(): Promise<void> {
    await Promise.race([Promise.all(this.pendingChecks), this.lostPromise]);
    this.checkHealthy();
  }

  /** Throws when the device is lost or an earlier command failed validation. */
  checkHealthy(): void {
    if (this.lostMessage) throw new DeviceLostError(this.lostMessage);
    if (this.errors.length > 0) {
      const all = this.errors.splice(0);
      throw new Error(`WebGPU reported ${all.length} error(s) for earlier commands: ${all.join(" | ")}`);
    }
  }

  /** The uniform writer positioned on a fresh slice of `words` u32s for the next dispatch. */
  uniforms(words: number): UniformWriter {
    const bytes = Math.ceil(Math.max(words, 4) / 4) * 16;
    if (this.arenaUsed + bytes > this.arena.byteLength || this.dispatches >= this.maxDispatches) this.flush();
    this.writer.base = this.arenaUsed / 4;
    new Uint32Array(this.arena, this.arenaUsed, bytes / 4).fill(0);
    return this.writer;
  }

  /**
   * Records one dispatch of `def` whose uniforms were just written through `uniforms()`.
   * A written binding that is also bound elsewhere in the same dispatch (WebGPU forbids that)
   * is computed into a temporary copy and copied back.
   */
  dispatch(
    def: KernelDef,
    buffers: readonly PooledBuffer[],
    groups: readonly [number, number, number],
    textures: readonly GPUTextureView[] = [],
  ): void {
    if (this.lostMessage) throw new DeviceLostError(this.lostMessage);
    if (buffers.length !== def.writes.length) {
      throw new Error(`internal: kernel ${def.key} takes ${def.writes.length} buffers, got ${buffers.length}`);
    }
    const kernel = this.compile(def);
    if (kernel.error) throw new Error(kernel.error);
    const uniformOffset = this.writer.base * 4;
    this.arenaUsed = uniformOffset + Math.ceil(kernel.uniformBytes / this.align) * this.align;

    let bound = buffers;
    const copies: { from: PooledBuffer; to: PooledBuffer }[] = [];
    for (let w = 0; w < buffers.length; w++) {
      if (!def.writes[w]) continue;
      const target = buffers[w]!;
      const aliased = buffers.some((b, j) => j !== w && b.buffer === target.buffer);
      if (!aliased) continue;
      const temp = this.pool.acquire(target.bytes).pooled;
      this.copy(target, temp, target.bytes);
      copies.push({ from: temp, to: target });
      bound = bound.map((b, j) => (j === w ? temp : b));
    }

    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniformBuffer, offset: uniformOffset, size: kernel.uniformBytes } }];
    for (let j = 0; j < bound.length; j++) {
      const b = bound[j]!;
      b.lastBatch = this.batch;
      entries.push({ binding: j + 1, resource: { buffer: b.buffer, offset: 0, size: b.bytes } });
    }
    textures.forEach((view, t) => entries.push({ binding: bound.length + 1 + t, resource: view }));
    const bindGroup = this.device.createBindGroup({ layout: kernel.layout, entries });
    const pass = this.openPass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.dispatches++;
    this.dispatchesRecorded++;
    for (const { from, to } of copies) {
      this.copy(from, to, to.bytes);
      this.pool.release(from);
    }
  }

  /** Records a buffer-to-buffer copy in order with the dispatches. */
  copy(from: PooledBuffer, to: PooledBuffer, bytes: number): void {
    this.closePass();
    from.lastBatch = this.batch;
    to.lastBatch = this.batch;
    this.bufferCopies++;
    this.encoderNow().copyBufferToBuffer(from.buffer, 0, to.buffer, 0, bytes);
  }

  /** Records zeroing the buffer's first `bytes`, in order with the dispatches. */
  clear(target: PooledBuffer, bytes: number): void {
    this.closePass();
    target.lastBatch = this.batch;
    this.clears++;
    this.encoderNow().clearBuffer(target.buffer, 0, bytes);
  }

  /** Records the copy of a buffer's first `floats` values into an operand texture. */
  copyToTexture(from: PooledBuffer, floats: number, texture: GPUTexture, format: OperandFormat): void {
    this.closePass();
    from.lastBatch = this.batch;
    this.textureCopies++;
    recordCopyToTexture(this.encoderNow(), from.buffer, floats, texture, format);
  }

  /** Writes `data` into the buffer, after every command recorded so far that uses it. */
  write(target: PooledBuffer, data: Float32Array): void {
    if (this.lostMessage) throw new DeviceLostError(this.lostMessage);
    // queue.writeBuffer runs at once on the queue timeline, ahead of the unsubmitted encoder.
    if (target.lastBatch === this.batch && this.encoder) this.flush();
    this.device.queue.writeBuffer(target.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Submits everything recorded so far (no-op when nothing is). */
  flush(): void {
    if (!this.encoder) return;
    this.closePass();
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.arena, 0, this.arenaUsed);
    this.device.pushErrorScope("validation");
    this.device.queue.submit([this.encoder.finish()]);
    this.popValidation("a submitted command buffer");
    this.submits++;
    this.encoder = null;
    this.dispatches = 0;
    this.arenaUsed = 0;
    this.batch++;
  }

  /** Copies `bytes` of the buffer back to the CPU after all queued work. */
  async read(source: PooledBuffer, bytes: number): Promise<ArrayBuffer> {
    this.checkHealthy();
    const staging = this.device.createBuffer({ size: Math.max(4, bytes), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    try {
      this.copy(source, { buffer: staging, bytes, lastBatch: -1 }, bytes);
      this.flush();
      await Promise.race([staging.mapAsync(MapMode.READ), this.lostPromise]);
      await this.settle();
      const data = staging.getMappedRange().slice(0);
      staging.unmap();
      return data;
    } finally {
      staging.destroy();
    }
  }

  async sync(): Promise<void> {
    this.checkHealthy();
    this.flush();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lostPromise]);
    await this.settle();
  }

  private encoderNow(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.encoderNow().beginComputePass();
    return this.pass;
  }

  private closePass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private compile(def: KernelDef): CompiledKernel {
    const cached = this.kernels.get(def.key);
    if (cached) return cached;
    const textures = def.textures ?? 0;
    const layoutKey = def.writes.map((w) => (w ? "w" : "r")).join("") + "t".repeat(textures);
    let layout = this.layouts.get(layoutKey);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: "uniform" } }];
      def.writes.forEach((w, j) =>
        entries.push({ binding: j + 1, visibility: ShaderStage.COMPUTE, buffer: { type: w ? "storage" : "read-only-storage" } }),
      );
      for (let t = 0; t < textures; t++) {
        entries.push({ binding: def.writes.length + 1 + t, visibility: ShaderStage.COMPUTE, texture: { sampleType: "unfilterable-float" } });
      }
      layout = this.device.createBindGroupLayout({ entries });
      this.layouts.set(layoutKey, layout);
    }
    const code = def.source();
    this.device.pushErrorScope("validation");
    const module = this.device.createShaderModule({ code, label: def.key });
    const pipeline = this.device.createComputePipeline({
      label: def.key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    const kernel: CompiledKernel = { pipeline, layout, uniformBytes: Math.ceil(Math.max(def.uniformWords, 4) / 4) * 16 };
    this.popValidation(`kernel ${def.key} did not compile`, (message) => (kernel.error = message));
    this.kernels.set(def.key, kernel);
    this.pipelinesCompiled++;
    return kernel;
  }

  destroy(): void {
    this.pool.trim();
    this.uniformBuffer.destroy();
  }
}
