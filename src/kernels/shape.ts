// Shapes, strides and NumPy broadcasting. Both backends and the tensor layer use these; every
// tensor's storage is contiguous and row-major, so strides are always derived from the shape.

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The broadcast shape of two shapes (NumPy rules), or an error naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${shapeToString(a)} and ${shapeToString(b)} cannot be broadcast together ` +
          `(dimension ${i} of the result: ${da} vs ${db}; each pair of trailing dimensions must be equal or 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read an operand of shape `from` as if it had the broadcast shape `to`:
 * a broadcast dimension gets stride 0. `from` must be broadcastable to `to`.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const own = stridesOf(from);
  const offset = to.length - from.length;
  return to.map((d, i) => {
    const j = i - offset;
    if (j < 0) return 0;
    return from[j] === 1 && d !== 1 ? 0 : own[j]!;
  });
}

/** The axes of `to` along which an operand of shape `from` was broadcast (to sum a gradient back). */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const offset = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    const j = i - offset;
    if (j < 0 || (from[j] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Normalise possibly negative axes against a rank, with an error that names the op. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : [...axes];
  const seen = new Set<number>();
  for (const a of list) {
    // A rank-0 tensor takes axis 0 or -1, as in PyTorch; there is nothing to reduce along it.
    const span = Math.max(rank, 1);
    if (!Number.isInteger(a) || a < -span || a >= span) {
      throw new Error(`${op}: axis ${a} is out of range for a tensor of rank ${rank} (valid: ${-span}..${span - 1})`);
    }
    const n = a < 0 ? a + span : a;
    if (seen.has(n)) throw new Error(`${op}: axis ${a} is given twice`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

export function checkShape(op: string, shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new Error(`${op}: a shape must be an array of non-negative integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: shape ${JSON.stringify(shape)} has ${d}; every dimension must be a non-negative integer`);
    }
  }
  return [...shape];
}
