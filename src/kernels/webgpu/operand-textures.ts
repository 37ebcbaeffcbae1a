// Matmul operands staged in textures, for adapters that run WGSL on the CPU.
//
// On Mesa's llvmpipe a storage-buffer load is a per-lane loop with branches (about 15 cycles per
// lane and component), while a texture fetch is a vector gather: measured at 512, the same
// register-blocked matmul runs ~8x faster reading textures than reading storage buffers. So the
// blocked kernel there reads A and B through textureLoad, after one copyBufferToTexture each
// (O(mk + kn) work against the O(mnk) product).
//
// Layout: the flat buffer is cut into rows of ROW_BYTES (copyBufferToTexture wants bytesPerRow a
// multiple of 256): rgba32float holds 4 floats per texel (vec4 loads), r32float one.

import { TextureUsage } from "./constants.js";

export const ROW_BYTES = 16384;

export type OperandFormat = "rgba32float" | "r32float";

export function texelsPerRow(format: OperandFormat): number {
  return format === "rgba32float" ? ROW_BYTES / 16 : ROW_BYTES / 4;
}

/** Texture rows needed for `floats` values, or null if they exceed the device's texture size. */
export function textureRows(format: OperandFormat, floats: number, limits: GPUSupportedLimits): number | null {
  const perTexel = format === "rgba32float" ? 4 : 1;
  const rows = Math.max(1, Math.ceil(floats / perTexel / texelsPerRow(format)));
  const ok = rows <= limits.maxTextureDimension2D && texelsPerRow(format) <= limits.maxTextureDimension2D;
  return ok ? rows : null;
}

interface PooledTexture {
  readonly texture: GPUTexture;
  readonly view: GPUTextureView;
}

/** Textures pooled by format and row count (rounded up to a power of two). */
export class OperandTextures {
  private readonly free = new Map<string, PooledTexture[]>();

  constructor(private readonly device: GPUDevice) {}

  acquire(format: OperandFormat, rows: number): PooledTexture {
    const height = 2 ** Math.ceil(Math.log2(rows));
    const key = `${format}:${height}`;
    const pooled = this.free.get(key)?.pop();
    if (pooled) return pooled;
    const texture = this.device.createTexture({
      size: [texelsPerRow(format), height],
      format,
      usage: TextureUsage.COPY_DST | TextureUsage.TEXTURE_BINDING,
    });
    return { texture, view: texture.createView() };
  }

  /** Back to the pool; commands recorded later run after those that used it, so reuse is safe. */
  release(t: PooledTexture): void {
    const key = `${t.texture.format}:${t.texture.height}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(t);
  }

  destroy(): void {
    for (const list of this.free.values()) for (const t of list) t.texture.destroy();
    this.free.clear();
  }
}

/** Records the copy of a buffer's first `floats` values into the texture. */
export function recordCopyToTexture(
  encoder: GPUCommandEncoder,
  buffer: GPUBuffer,
  floats: number,
  texture: GPUTexture,
  format: OperandFormat,
): void {
  const perTexel = format === "rgba32float" ? 4 : 1;
  const texels = Math.ceil(floats / perTexel);
  const width = texelsPerRow(format);
  const fullRows = Math.floor(texels / width);
  const rest = texels - fullRows * width;
  if (fullRows > 0) {
    encoder.copyBufferToTexture({ buffer, offset: 0, bytesPerRow: ROW_BYTES, rowsPerImage: fullRows }, { texture }, [width, fullRows, 1]);
  }
  if (rest > 0) {
    encoder.copyBufferToTexture({ buffer, offset: fullRows * ROW_BYTES, bytesPerRow: ROW_BYTES }, { texture, origin: [0, fullRows, 0] }, [rest, 1, 1]);
  }
}
