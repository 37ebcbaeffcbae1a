// The Backend interface: what a device must provide for tunegrad to run on it.
//
// A backend knows buffers and kernels, nothing of tensors or autograd. Every buffer holds
// float32 values, contiguous and row-major; shapes and strides travel as plain arrays (the
// WebGPU backend passes them to its kernels as uniforms, so one compiled pipeline serves every
// shape). Kernels write into an `out` buffer the caller allocated, so the caller owns all
// memory and a training step can be enqueued without any readback.

import type { Shape } from "./shape.js";

/** An opaque device buffer of `size` float32 values. */
export interface Storage {
  readonly size: number;
}

export interface MatmulArgs {
  /** Number of independent products; `aBatchStride`/`bBatchStride` of 0 reuse one operand. */
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** A is stored [k, m] instead of [m, k] (the product uses Aᵀ). */
  readonly transA: boolean;
  /** B is stored [n, k] instead of [k, n] (the product uses Bᵀ). */
  readonly transB: boolean;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/**
 * The fused epilogue of a matmul: out = act(a·b + bias); `derivative` receives act′(a·b + bias)
 * when given.
 */
export interface MatmulEpilogue {
  /** A vector of n values added to every row. */
  readonly bias?: Storage;
  /** An op-table unary op applied last, with its resolved parameters. */
  readonly activation?: { readonly op: string; readonly params: readonly number[] };
  /** Where to write the activation's local derivative, which backward multiplies dy by. */
  readonly derivative?: Storage;
}

/** Checks an epilogue against its product's output (`outSize` values, rows of `n`). */
export function checkEpilogue(epilogue: MatmulEpilogue, outSize: number, n: number): void {
  if (epilogue.bias && epilogue.bias.size !== n) throw new Error(`matmul: bias must hold n = ${n} values, got ${epilogue.bias.size}`);
  if (!epilogue.derivative) return;
  if (!epilogue.activation) throw new Error("matmul: the epilogue asks for a derivative but has no activation; pass activation too, or drop derivative");
  if (epilogue.derivative.size !== outSize) throw new Error(`matmul: derivative must hold ${outSize} values like out, got ${epilogue.derivative.size}`);
}

export type ReduceOp = "sum" | "max" | "min" | "argmax" | "argmin";

export interface AdamArgs {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** L2 penalty added to the gradient (Adam) ... */
  readonly weightDecay: number;
  /** ... or decoupled decay applied to the parameter (AdamW). */
  readonly decoupled: boolean;
  /** 1 - beta1^t and 1 - beta2^t for this step t. */
  readonly biasCorrection1: number;
  readonly biasCorrection2: number;
}

export interface SgdArgs {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  /** True on the first step: the velocity buffer is set to the gradient, not blended. */
  readonly firstStep: boolean;
}

export interface Backend {
  readonly name: string;

  // --- memory --------------------------------------------------------------------------------
  /** A new buffer of `size` float32 values, filled with zeros. */
  alloc(size: number): Storage;
  /** A new buffer holding a copy of `data`. */
  upload(data: Float32Array): Storage;
  /** A copy of the buffer's contents (waits for all queued work). */
  read(s: Storage): Promise<Float32Array>;
  /** Synchronous read, where the device allows it (the CPU backend); otherwise undefined. */
  readonly readSync?: (s: Storage) => Float32Array;
  /** Give the buffer back; using it afterwards is a bug. */
  free(s: Storage): void;
  /** Bytes held by live buffers. */
  liveBytes(): number;
  /** Waits until every queued kernel has finished (and rejects if the device was lost). */
  sync(): Promise<void>;

  // --- kernels ------------------------------------------------------------------------------
  fill(out: Storage, value: number): void;
  /** out[i] = x[offset + Σ idx_d · strides[d]] over `shape`: copy, permute, expand and slice in one. */
  strided(x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void;
  /** out[offset + Σ idx_d · strides[d]] = x[i] over `shape` (the inverse: concat and slice's gradient). */
  scatterStrided(x: Storage, out: Storage, shape: Shape, strides: readonly number[], offset: number): void;

  /**
   * out = f(x), elementwise, for an op of the op table; when `derivative` is given it receives
   * f′(x) from the same pass (the forward of a tensor that will be differentiated asks for both).
   * Backward is then dy · f′, one multiply whatever the op, and the kernel can share the work f
   * and f′ have in common (the CPU's share their exp and division).
   */
  unary(op: string, params: readonly number[], x: Storage, out: Storage, derivative?: Storage): void;
  /**
   * dx = dy · f′(x) with f′ recomputed from x: the backward of the ops whose op-table entry says
   * derivativeFrom "input" (piecewise polynomials such as relu), which save no derivative buffer.
   */
  unaryGrad(op: string, params: readonly number[], x: Storage, dy: Storage, dx: Storage): void;
  /** out = f(a, b) over `outShape`, reading a and b through broadcast strides. */
  binary(op: string, a: Storage, b: Storage, out: Storage, outShape: Shape, aStrides: readonly number[], bStrides: readonly number[]): void;
  /** out = dy · ∂f/∂(a or b) over `outShape` (`which` 0 for a, 1 for b), reading a, b by strides. */
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
  ): void;
  /** out = cond != 0 ? a : b over `outShape`, each operand read through its strides. */
  where(
    cond: Storage,
    a: Storage,
    b: Storage,
    out: Storage,
    outShape: Shape,
    condStrides: readonly number[],
    aStrides: readonly number[],
    bStrides: readonly number[],
  ): void;

  /** Reduces each of `outer` contiguous rows of `inner` values to one value (argmax: its index). */
  reduce(op: ReduceOp, x: Storage, out: Storage, outer: number, inner: number): void;

  /** Batched product with optional transposed operands and a fused epilogue. */
  matmul(a: Storage, b: Storage, out: Storage, args: MatmulArgs, epilogue?: MatmulEpilogue): void;

  /**
   * Along `axis` of a tensor viewed as [outer, axisLen, inner]: out[o, j, i] = x[o, index[o, j, i], i]
   * where index and out have shape [outer, indexLen, inner].
   */
  gather(x: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void;
  /** The gradient of gather: out[o, index[o, j, i], i] += g[o, j, i]; out must be zeroed by the caller. */
  scatterAdd(g: Storage, index: Storage, out: Storage, outer: number, axisLen: number, indexLen: number, inner: number): void;

  // --- optimizer updates, in place, one call per parameter ------------------------------------
  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, args: AdamArgs): void;
  sgdStep(param: Storage, grad: Storage, velocity: Storage | null, args: SgdArgs): void;
}
