// Device buffers pooled by size class. A freed buffer goes back to its class's free list and is
// handed out again by a later allocation of the same class, so a training loop that allocates
// the same shapes every step creates no new GPU buffers after its first step.
//
// Classes: powers of two up to 4 KiB, then four classes per octave (at most 25% waste).

import { BufferUsage } from "./constants.js";

export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
  /** The command batch that last referenced this buffer (see CommandQueue). */
  lastBatch: number;
}

const MIN_BYTES = 16;

function sizeClass(bytes: number): number {
  if (bytes <= MIN_BYTES) return MIN_BYTES;
  if (bytes <= 4096) return 2 ** Math.ceil(Math.log2(bytes));
  const octave = 2 ** Math.floor(Math.log2(bytes));
  const step = octave / 4;
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  private readonly free = new Map<number, PooledBuffer[]>();
  private freeBytes = 0;
  private created = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Free bytes kept for reuse; a buffer freed beyond this is destroyed. */
    private readonly maxFreeBytes: number,
  ) {}

  /** A buffer of at least `bytes` bytes; `reused` is false for a new (zero-filled) one. */
  acquire(bytes: number): { pooled: PooledBuffer; reused: boolean } {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    const pooled = list?.pop();
    if (pooled) {
      this.freeBytes -= cls;
      return { pooled, reused: true };
    }
    const buffer = this.device.createBuffer({
      size: cls,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    this.created++;
    return { pooled: { buffer, bytes: cls, lastBatch: -1 }, reused: false };
  }

  release(pooled: PooledBuffer): void {
    if (this.freeBytes + pooled.bytes > this.maxFreeBytes) {
      pooled.buffer.destroy();
      return;
    }
    let list = this.free.get(pooled.bytes);
    if (!list) this.free.set(pooled.bytes, (list = []));
    list.push(pooled);
    this.freeBytes += pooled.bytes;
  }

  /** Destroys every pooled (free) buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const p of list) p.buffer.destroy();
    this.free.clear();
    this.freeBytes = 0;
  }

  stats(): { pooledBytes: number; buffersCreated: number } {
    return { pooledBytes: this.freeBytes, buffersCreated: this.created };
  }
}
