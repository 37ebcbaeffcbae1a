// Float64 n-dimensional arrays and plain reference loops for every tensor op, written
// independently of the library (no import from src/), so tests can compare tunegrad's float32
// results and gradients against an obviously-correct float64 computation.
//
// Every array is contiguous and row-major. Loops favour clarity over speed: test shapes are tiny.

export interface NdArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

/** The multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

/** The flat position of a multi-index in `shape`. */
export function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + index[d]!;
  return flat;
}

export function nd(shape: readonly number[], data?: ArrayLike<number>): NdArray {
  const n = size(shape);
  const values = data === undefined ? new Float64Array(n) : Float64Array.from(data);
  if (values.length !== n) throw new Error(`nd: ${values.length} values for shape [${shape.join(", ")}] (${n} elements)`);
  return { shape: [...shape], data: values };
}

/** The same array with every value rounded to float32 (what the library actually receives). */
export function roundToFloat32(a: NdArray): NdArray {
  return nd(a.shape, Float32Array.from(a.data));
}

// --- elementwise ----------------------------------------------------------------------------------

export function map(a: NdArray, f: (x: number) => number): NdArray {
  return nd(a.shape, a.data.map(f));
}

/** The NumPy broadcast of two shapes; throws if they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`reference: [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The value of `a` at a multi-index of the broadcast shape `to`. */
function readBroadcast(a: NdArray, index: readonly number[]): number {
  const offset = index.length - a.shape.length;
  let flat = 0;
  for (let d = 0; d < a.shape.length; d++) {
    const i = a.shape[d] === 1 ? 0 : index[d + offset]!;
    flat = flat * a.shape[d]! + i;
  }
  return a.data[flat]!;
}

export function zipWith(arrays: readonly NdArray[], f: (...xs: number[]) => number): NdArray {
  const shape = arrays.reduce<number[]>((s, a) => broadcastShape(s, a.shape), []);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const index = unravel(i, shape);
    out.data[i] = f(...arrays.map((a) => readBroadcast(a, index)));
  }
  return out;
}

export function binary(a: NdArray, b: NdArray, f: (x: number, y: number) => number): NdArray {
  return zipWith([a, b], f);
}

export function where(cond: NdArray, a: NdArray, b: NdArray): NdArray {
  return zipWith([cond, a, b], (c, x, y) => (c !== 0 ? x : y));
}

// --- shape ops ------------------------------------------------------------------------------------

export function reshape(a: NdArray, shape: readonly number[]): NdArray {
  const known = shape.filter((d) => d !== -1);
  const target = shape.map((d) => (d === -1 ? size(a.shape) / size(known) : d));
  return nd(target, a.data);
}

export function permute(a: NdArray, perm: readonly number[]): NdArray {
  const axes = perm.map((p) => (p < 0 ? p + a.shape.length : p));
  const shape = axes.map((p) => a.shape[p]!);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const index = unravel(i, shape);
    const src = new Array<number>(a.shape.length);
    axes.forEach((p, d) => (src[p] = index[d]!));
    out.data[i] = a.data[ravel(src, a.shape)]!;
  }
  return out;
}

export function transpose(a: NdArray, axis0 = -2, axis1 = -1): NdArray {
  const rank = a.shape.length;
  const perm = a.shape.map((_, i) => i);
  const x = axis0 < 0 ? axis0 + rank : axis0;
  const y = axis1 < 0 ? axis1 + rank : axis1;
  [perm[x], perm[y]] = [perm[y]!, perm[x]!];
  return permute(a, perm);
}

export function expand(a: NdArray, shape: readonly number[]): NdArray {
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = readBroadcast(a, unravel(i, shape));
  return out;
}

/** The block at `begin` (negative counts from the end) with extent `extent` (-1: to the end). */
export function slice(a: NdArray, begin: readonly number[], extent?: readonly number[]): NdArray {
  const starts = a.shape.map((d, i) => {
    const b = begin[i] ?? 0;
    return b < 0 ? b + d : b;
  });
  const shape = a.shape.map((d, i) => {
    const e = extent?.[i] ?? -1;
    return e === -1 ? d - starts[i]! : e;
  });
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const index = unravel(i, shape).map((v, d) => v + starts[d]!);
    out.data[i] = a.data[ravel(index, a.shape)]!;
  }
  return out;
}

export function concat(arrays: readonly NdArray[], axis: number): NdArray {
  const rank = arrays[0]!.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const shape = [...arrays[0]!.shape];
  shape[ax] = arrays.reduce((n, a) => n + a.shape[ax]!, 0);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const index = unravel(i, shape);
    let along = index[ax]!;
    let part = 0;
    while (along >= arrays[part]!.shape[ax]!) along -= arrays[part++]!.shape[ax]!;
    index[ax] = along;
    out.data[i] = arrays[part]!.data[ravel(index, arrays[part]!.shape)]!;
  }
  return out;
}

/** PyTorch's gather: out[..., j, ...] = a[..., index[..., j, ...], ...] along `axis`. */
export function gather(a: NdArray, axis: number, index: NdArray): NdArray {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const out = nd(index.shape);
  for (let i = 0; i < out.data.length; i++) {
    const at = unravel(i, index.shape);
    at[ax] = index.data[i]!;
    out.data[i] = a.data[ravel(at, a.shape)]!;
  }
  return out;
}

// --- reductions -----------------------------------------------------------------------------------

export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : [...axes];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
}

/** The shape after reducing `axes` (kept as 1s with keepDims). */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** The values of `a` grouped by output position of a reduction over `axes`. */
function groups(a: NdArray, axes: readonly number[]): { kept: number[]; members: number[][] } {
  const kept = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const members: number[][] = Array.from({ length: size(kept) }, () => []);
  for (let i = 0; i < a.data.length; i++) {
    const index = unravel(i, a.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    members[ravel(index, kept)]!.push(a.data[i]!);
  }
  return { kept, members };
}

export function reduce(
  a: NdArray,
  axes: number | readonly number[] | undefined,
  keepDims: boolean,
  combine: (values: number[]) => number,
): NdArray {
  const list = normalizeAxes(axes, a.shape.length);
  const { members } = groups(a, list);
  return nd(reducedShape(a.shape, list, keepDims), members.map(combine));
}

export const sumOf = (v: number[]): number => v.reduce((s, x) => s + x, 0);
export const maxOf = (v: number[]): number => (v.some(Number.isNaN) ? NaN : Math.max(...v));
export const minOf = (v: number[]): number => (v.some(Number.isNaN) ? NaN : Math.min(...v));

/** log Σ exp, shifted by the max so that it is exact for large |x|. */
export function logSumExpOf(v: number[]): number {
  const m = maxOf(v);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
}

export function sum(a: NdArray, axes?: number | readonly number[], keepDims = false): NdArray {
  return reduce(a, axes, keepDims, sumOf);
}

export function mean(a: NdArray, axes?: number | readonly number[], keepDims = false): NdArray {
  return reduce(a, axes, keepDims, (v) => sumOf(v) / v.length);
}

export function max(a: NdArray, axes?: number | readonly number[], keepDims = false): NdArray {
  return reduce(a, axes, keepDims, maxOf);
}

export function min(a: NdArray, axes?: number | readonly number[], keepDims = false): NdArray {
  return reduce(a, axes, keepDims, minOf);
}

export function logSumExp(a: NdArray, axes?: number | readonly number[], keepDims = false): NdArray {
  return reduce(a, axes, keepDims, logSumExpOf);
}

/** The first index of the largest (argmax) or smallest value along one axis. */
export function argExtreme(a: NdArray, axis: number, which: "max" | "min", keepDims = false): NdArray {
  return reduce(a, axis, keepDims, (v) => {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (which === "max" ? v[i]! > v[best]! : v[i]! < v[best]!) best = i;
    return best;
  });
}

export function logSoftmax(a: NdArray, axis = -1): NdArray {
  return binary(a, logSumExp(a, axis, true), (x, l) => x - l);
}

export function softmax(a: NdArray, axis = -1): NdArray {
  return map(logSoftmax(a, axis), Math.exp);
}

// --- products -------------------------------------------------------------------------------------

/** a·b over the last two axes with NumPy-broadcast batch axes. */
export function matmul(a: NdArray, b: NdArray): NdArray {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = nd([...batch, m, n]);
  const aFull = expand(a, [...batch, m, k]);
  const bFull = expand(b, [...batch, k, n]);
  for (let t = 0; t < size(batch); t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += aFull.data[(t * m + i) * k + p]! * bFull.data[(t * k + p) * n + j]!;
        out.data[(t * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

/** activation(x·w + b) with x [..., in], w [in, out], b [out]. */
export function linear(x: NdArray, w: NdArray, b?: NdArray, activation?: (z: number) => number): NdArray {
  const fanIn = w.shape[0]!;
  const rows = size(x.shape) / fanIn;
  let z = matmul(reshape(x, [rows, fanIn]), w);
  if (b) z = binary(z, b, (u, v) => u + v);
  if (activation) z = map(z, activation);
  return reshape(z, [...x.shape.slice(0, -1), w.shape[1]!]);
}
