// Matrix products. The backend multiplies batches of matrices with either operand optionally
// transposed, so backward (g·Bᵀ and Aᵀ·g) never materialises a transpose; `linear` fuses bias
// and activation into the product's epilogue, which also writes the activation's derivative
// for backward.

import { resolveParams, unaryOp } from "../kernels/ops.js";
import { broadcastShapes, shapeToString, sizeOf } from "../kernels/shape.js";
import { isGradEnabled } from "./engine.js";
import { commonBackend, multiplyBySaved } from "./elementwise.js";
import { sum, sumToShape } from "./reduce.js";
import { expand, reshape } from "./shape-ops.js";
import { Tensor } from "./tensor.js";

interface Operand {
  t: Tensor;
  /** Rows and columns as stored (before any transpose). */
  rows: number;
  cols: number;
  trans: boolean;
}

/** One batched backend product; each operand is [batch, rows, cols] or a single matrix (stride 0). */
function product(a: Operand, b: Operand, batch: number, outShape: number[]): Tensor {
  const m = a.trans ? a.cols : a.rows;
  const k = a.trans ? a.rows : a.cols;
  const n = b.trans ? b.rows : b.cols;
  const backend = a.t.backend;
  const out = backend.alloc(batch * m * n);
  backend.matmul(a.t.storage, b.t.storage, out, {
    batch,
    m,
    n,
    k,
    transA: a.trans,
    transB: b.trans,
    aBatchStride: a.t.size === a.rows * a.cols ? 0 : a.rows * a.cols,
    bBatchStride: b.t.size === b.rows * b.cols ? 0 : b.rows * b.cols,
  });
  return Tensor.fromStorage(backend, out, outShape);
}

/** a·b over the last two axes; leading (batch) axes broadcast. Both operands need rank ≥ 2. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) {
    throw new Error(`matmul: both operands need rank 2 or more, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}; unsqueeze a vector to [1, n] or [n, 1]`);
  }
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) {
    throw new Error(`matmul: inner dimensions differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)} (${k} vs ${k2}); a is [..., m, k] and b is [..., k, n]`);
  }
  commonBackend("matmul", [a, b]);
  const batchShape = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  // An operand is used as is when it covers the whole batch or is a single matrix; an operand
  // broadcast only along some batch axes is materialised at the full batch shape first.
  const full = (t: Tensor, rows: number, cols: number) => {
    const own = t.size / (rows * cols);
    return own === batch || own === 1 ? t : expand(t, [...batchShape, rows, cols]);
  };
  const A = full(a, m, k);
  const B = full(b, k, n);
  const outShape = [...batchShape, m, n];
  const y = product({ t: A, rows: m, cols: k, trans: false }, { t: B, rows: k, cols: n, trans: false }, batch, outShape);
  return y.recordedAs("matmul", [A, B], (g) => [
    // dA = g·Bᵀ, dB = Aᵀ·g (summed over the batch when B was one matrix shared by all).
    A.requiresGrad ? sumToShape(product({ t: g, rows: m, cols: n, trans: false }, { t: B, rows: k, cols: n, trans: true }, batch, [...batchShape, m, k]), A.shape) : null,
    B.requiresGrad ? sumToShape(product({ t: A, rows: m, cols: k, trans: true }, { t: g, rows: m, cols: n, trans: false }, batch, [...batchShape, k, n]), B.shape) : null,
  ]);
}

/**
 * activation(x·w + b) in one kernel: x is [..., in], w is [in, out], b is [out]. The activation
 * is an op-table key (with its parameters); the kernel also writes f'(z) at the pre-activation
 * z when a gradient will be needed, and backward multiplies dy by it.
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null, activation?: string | null, params: readonly number[] = []): Tensor {
  if (w.rank !== 2) throw new Error(`linear: the weight must be [in, out], got ${shapeToString(w.shape)}`);
  const [fanIn, fanOut] = w.shape as [number, number];
  if (x.rank < 1 || x.shape[x.rank - 1] !== fanIn) {
    throw new Error(`linear: input ${shapeToString(x.shape)} does not end in ${fanIn}, the weight's input size (weight ${shapeToString(w.shape)})`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== fanOut)) throw new Error(`linear: the bias must be [${fanOut}], got ${shapeToString(b.shape)}`);
  const act = activation ? { op: activation, params: resolveParams(unaryOp(activation), params) } : undefined;
  const backend = commonBackend("linear", b ? [x, w, b] : [x, w]);
  const rows = x.size / fanIn;
  const outShape = [...x.shape.slice(0, -1), fanOut];
  const inputs = b ? [x, w, b] : [x, w];
  const needsGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const derivative = act && needsGrad ? backend.alloc(rows * fanOut) : undefined;
  const out = backend.alloc(rows * fanOut);
  backend.matmul(
    x.storage,
    w.storage,
    out,
    { batch: 1, m: rows, n: fanOut, k: fanIn, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 },
    { bias: b?.storage, activation: act, derivative },
  );
  const y = Tensor.fromStorage(backend, out, outShape);
  const saved = act && derivative ? y.saveForBackward(`linear+${act.op}`, [rows, fanOut], derivative) : undefined;
  return y.recordedAs(act ? `linear+${act.op}` : "linear", inputs, (g) => {
    const g2 = reshape(g, [rows, fanOut]);
    const gz = saved ? multiplyBySaved(g2, saved) : g2;
    const x2 = reshape(x, [rows, fanIn]);
    return [
      x.requiresGrad ? reshape(product({ t: gz, rows, cols: fanOut, trans: false }, { t: w, rows: fanIn, cols: fanOut, trans: true }, 1, [rows, fanIn]), x.shape) : null,
      w.requiresGrad ? product({ t: x2, rows, cols: fanIn, trans: true }, { t: gz, rows, cols: fanOut, trans: false }, 1, [fanIn, fanOut]) : null,
      b?.requiresGrad ? sum(gz, 0) : null,
    ];
  });
}
