// The CPU backend: plain TypeScript loops over Float32Arrays. Values are computed in float64
// (JavaScript numbers) and rounded to float32 when stored. It is also the reference the WebGPU
// backend is tested against, so clarity wins over cleverness everywhere but in matmul, the
// activations and add/sub/mul/div (WebAssembly SIMD kernels, computed in float32).

import { type AdamArgs, type Backend, checkEpilogue, type MatmulArgs, type MatmulEpilogue, type ReduceOp, type SgdArgs, type Storage } from "../backend.js";
import { binaryOp, unaryOp } from "../ops.js";
import type { Shape } from "../shape.js";
import { ArrayPool } from "./array-pool.js";
import { matmulCpu } from "./matmul.js";
import { forEachRow, isContiguous, isScalarBroadcast } from "./strided.js";
import { type ArithmeticOp, createWasmElementwise, type WasmElementwise } from "./wasm-elementwise.js";

// The activations and add/sub/mul/div run as WebAssembly SIMD kernels where the host has
// WebAssembly SIMD: the TypeScript loop pays a megamorphic call per element (and a float64
// Math.exp for the activations), which makes mish or sigmoid cost two to two and a half times
// relu and an add 10 ns per value (bench/RESULTS.md). Ops without a kernel (and hosts without
// SIMD) use the loop over the op table, which stays the reference.
const wasmElementwise = createWasmElementwise();

const DEFAULT_MAX_IDLE_BYTES = 64 * 2 ** 20;

export interface CpuBackendOptions {
  /** Use the WebAssembly SIMD activation and arithmetic kernels where available (default true). */
  readonly wasmElementwise?: boolean;
  /** Bytes of freed buffers kept for reuse (default 64 MiB; 0 turns the pool off). */
  readonly maxIdleBytes?: number;
}

class CpuStorage implements Storage {
  /** Set by free(): the array may already serve another buffer. */
  freed = false;
  constructor(readonly data: Float32Array) {}
  get size(): number {
    return this.data.length;
  }
}

function buf(s: Storage): Float32Array {
  if (!(s instanceof CpuStorage)) throw new Error("a buffer from another backend was passed to the CPU backend; tensors of one op must live on one backend (copy one over with tensor(await t.data(), t.shape, { backend }))");
  if (s.freed) throw new Error("internal: a CPU buffer was used after it was freed");
  return s.data;
}

function isArithmetic(op: string): op is ArithmeticOp {
  return op === "add" || op === "sub" || op === "mul" || op === "div";
}

function checkIndex(value: number, axisLen: number, op: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= axisLen) {
    throw new Error(`${op}: index ${value} is out of range; indices along this axis must be integers in [0, ${axisLen - 1}]`);
  }
  return value;
}

export class CpuBackend implements Backend {
  readonly name = "cpu";
  private bytes = 0;
  private readonly wasm: WasmElementwise | null;
  private readonly pool: ArrayPool;

  constructor(options: CpuBackendOptions = {}) {
    this.wasm = options.wasmElementwise === false ? null : wasmElementwise;
    this.pool = new ArrayPool(options.maxIdleBytes ?? DEFAULT_MAX_IDLE_BYTES);
  }

  alloc(size: number): Storage {
    this.bytes += size * 4;
    return new CpuStorage(this.pool.acquire(size));
  }

  upload(data: Float32Array): Storage {
    this.bytes += data.length * 4;
    return new CpuStorage(data.slice());
  }

  async read(s: Storage): Promise<Float32Array> {
    return buf(s).slice();
  }

  readonly readSync = (s: Storage): Float32Array => buf(s).slice();

  free(s: Storage): void {
    const data = buf(s);
    (s as CpuStorage).freed = true;
    this.bytes -= data.length * 4;
    this.pool.release(data);
  }

  /** Bytes of freed arrays kept for reuse (not counted by liveBytes). */
  idleBytes(): number {
    return this.pool.idleBytes;
  }

  liveBytes(): number {
    return this.bytes;
  }

  async sync(): Promise<void> {}

  fill(out: Storage, value: number): void {
    buf(out).fill(value);
  }

  strided(x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void {
    const src = buf(x);
    const dst = buf(out);
    forEachRow(shape, [strides], [offset], (start, [o], n, [s]) => {
      if (s === 1) dst.set(src.subarray(o!, o! + n), start);
      else if (s === 0) dst.fill(src[o!]!, start, start + n);
      else for (let j = 0, at = o!; j < n; j++, at += s!) dst[start + j] = src[at]!;
    });
  }

  scatterStrided(x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void {
    const src = buf(x);
    const dst = buf(out);
    forEachRow(shape, [strides], [offset], (start, [o], n, [s]) => {
      if (s === 1) dst.set(src.subarray(start, start + n), o!);
      else for (let j = 0, at = o!; j < n; j++, at += s!) dst[at] = src[start + j]!;
    });
  }

  unary(op: string, params: readonly number[], x: Storage, out: Storage, derivative?: Storage): void {
    this.unaryInto(op, params, buf(x), buf(out), derivative ? buf(derivative) : undefined);
  }

  unaryGrad(op: string, params: readonly number[], x: Storage, dy: Storage, dx: Storage): void {
    const src = buf(x);
    const g = buf(dy);
    const dst = buf(dx);
    if (this.wasm?.gradients.has(op)) return this.wasm.gradient(op, params, src, g, dst);
    const df = unaryOp(op).ts.df;
    for (let i = 0; i < src.length; i++) dst[i] = g[i]! * df(src[i]!, params);
  }

  /** dst[i] = f(src[i]) and der[i] = f′(src[i]); dst may be src. */
  private unaryInto(op: string, params: readonly number[], src: Float32Array, dst: Float32Array, der?: Float32Array): void {
    if (this.wasm?.activations.has(op)) return this.wasm.activation(op, params, src, dst, der);
    const { f, df } = unaryOp(op).ts;
    if (!der) {
      for (let i = 0; i < src.length; i++) dst[i] = f(src[i]!, params);
      return;
    }
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      dst[i] = f(v, params);
      der[i] = df(v, params);
    }
  }

  binary(op: string, a: Storage, b: Storage, out: Storage, outShape: Shape, aStrides: readonly number[], bStrides: readonly number[]): void {
    const f = binaryOp(op).ts.f;
    const A = buf(a);
    const B = buf(b);
    const O = buf(out);
    // Fast paths for the common layouts: same shape, or a broadcast scalar on either side.
    const aFlat = isContiguous(outShape, aStrides);
    const bFlat = isContiguous(outShape, bStrides);
    if (this.wasm && isArithmetic(op)) {
      if (aFlat && bFlat) return this.wasm.arithmetic(op, A, B, O);
      if (aFlat && isScalarBroadcast(bStrides)) return this.wasm.arithmeticScalar(op, A, B[0]!, false, O);
      if (bFlat && isScalarBroadcast(aStrides)) return this.wasm.arithmeticScalar(op, B, A[0]!, true, O);
    }
    if (aFlat && bFlat) {
      for (let i = 0; i < O.length; i++) O[i] = f(A[i]!, B[i]!);
    } else if (aFlat && isScalarBroadcast(bStrides)) {
      const s = B[0]!;
      for (let i = 0; i < O.length; i++) O[i] = f(A[i]!, s);
    } else if (bFlat && isScalarBroadcast(aStrides)) {
      const s = A[0]!;
      for (let i = 0; i < O.length; i++) O[i] = f(s, B[i]!);
    } else {
      forEachRow(outShape, [aStrides, bStrides], [0, 0], (start, [oa, ob], n, [sa, sb]) => {
        for (let j = 0, ia = oa!, ib = ob!; j < n; j++, ia += sa!, ib += sb!) O[start + j] = f(A[ia]!, B[ib]!);
      });
    }
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
    const d = which === 0 ? def.ts.da : def.ts.db;
    const A = buf(a);
    const B = buf(b);
    const G = buf(dy);
    const O = buf(out);
    forEachRow(outShape, [aStrides, bStrides], [0, 0], (start, [oa, ob], n, [sa, sb]) => {
      for (let j = 0, ia = oa!, ib = ob!; j < n; j++, ia += sa!, ib += sb!) O[start + j] = G[start + j]! * d(A[ia]!, B[ib]!);
    });
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
    const C = buf(cond);
    const A = buf(a);
    const B = buf(b);
    const O = buf(out);
    forEachRow(outShape, [condStrides, aStrides, bStrides], [0, 0, 0], (start, [oc, oa, ob], n, [sc, sa, sb]) => {
      for (let j = 0, ic = oc!, ia = oa!, ib = ob!; j < n; j++, ic += sc!, ia += sa!, ib += sb!) O[start + j] = C[ic] !== 0 ? A[ia]! : B[ib]!;
    });
  }

  reduce(op: ReduceOp, x: Storage, out: Storage, outer: number, inner: number): void {
    const src = buf(x);
    const dst = buf(out);
    for (let r = 0; r < outer; r++) {
      const base = r * inner;
      switch (op) {
        case "sum": {
          let s = 0;
          for (let i = 0; i < inner; i++) s += src[base + i]!;
          dst[r] = s;
          break;
        }
        case "max":
        case "min": {
          // NaN wins, as in NumPy and PyTorch.
          let best = op === "max" ? -Infinity : Infinity;
          for (let i = 0; i < inner; i++) {
            const v = src[base + i]!;
            if (Number.isNaN(v)) {
              best = NaN;
              break;
            }
            if (op === "max" ? v > best : v < best) best = v;
          }
          dst[r] = best;
          break;
        }
        case "argmax":
        case "argmin": {
          // The first index of the extreme value, or of the first NaN (which max and min give), as in NumPy.
          let bestIndex = 0;
          let best = src[base]!;
          for (let i = 1; i < inner && !Number.isNaN(best); i++) {
            const v = src[base + i]!;
            if (Number.isNaN(v) || (op === "argmax" ? v > best : v < best)) {
              best = v;
              bestIndex = i;
            }
          }
          dst[r] = bestIndex;
          break;
        }
      }
    }
  }

  matmul(a: Storage, b: Storage, out: Storage, args: MatmulArgs, epilogue?: MatmulEpilogue): void {
    const O = buf(out);
    if (epilogue) checkEpilogue(epilogue, O.length, args.n);
    matmulCpu(buf(a), buf(b), O, args);
    if (!epilogue) return;
    const { n } = args;
    const bias = epilogue.bias ? buf(epilogue.bias) : undefined;
    if (bias) for (let i = 0; i < O.length; i++) O[i] = O[i]! + bias[i % n]!;
    if (epilogue.activation) {
      this.unaryInto(epilogue.activation.op, epilogue.activation.params, O, O, epilogue.derivative ? buf(epilogue.derivative) : undefined);
    }
  }

  gather(x: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void {
    const X = buf(x);
    const I = buf(index);
    const O = buf(out);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < indexLen; j++) {
        for (let i = 0; i < inner; i++) {
          const at = (o * indexLen + j) * inner + i;
          const src = checkIndex(I[at]!, axisLen, "gather");
          O[at] = X[(o * axisLen + src) * inner + i]!;
        }
      }
    }
  }

  scatterAdd(g: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void {
    const G = buf(g);
    const I = buf(index);
    const O = buf(out);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < indexLen; j++) {
        for (let i = 0; i < inner; i++) {
          const at = (o * indexLen + j) * inner + i;
          const dst = checkIndex(I[at]!, axisLen, "scatterAdd");
          O[(o * axisLen + dst) * inner + i] = O[(o * axisLen + dst) * inner + i]! + G[at]!;
        }
      }
    }
  }

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, args: AdamArgs): void {
    const P = buf(param);
    const G = buf(grad);
    const M = buf(m);
    const V = buf(v);
    const { lr, beta1, beta2, eps, weightDecay, decoupled, biasCorrection1, biasCorrection2 } = args;
    for (let i = 0; i < P.length; i++) {
      let p = P[i]!;
      let g = G[i]!;
      if (decoupled) p *= 1 - lr * weightDecay;
      else g += weightDecay * p;
      const mi = beta1 * M[i]! + (1 - beta1) * g;
      const vi = beta2 * V[i]! + (1 - beta2) * g * g;
      M[i] = mi;
      V[i] = vi;
      P[i] = p - (lr * (mi / biasCorrection1)) / (Math.sqrt(vi / biasCorrection2) + eps);
    }
  }

  sgdStep(param: Storage, grad: Storage, velocity: Storage | null, args: SgdArgs): void {
    const P = buf(param);
    const G = buf(grad);
    const B = velocity ? buf(velocity) : null;
    const { lr, momentum, dampening, weightDecay, nesterov, firstStep } = args;
    for (let i = 0; i < P.length; i++) {
      let g = G[i]! + weightDecay * P[i]!;
      if (B) {
        const v = firstStep ? g : momentum * B[i]! + (1 - dampening) * g;
        B[i] = v;
        g = nesterov ? g + momentum * v : v;
      }
      P[i] = P[i]! - lr * g;
    }
  }
}
