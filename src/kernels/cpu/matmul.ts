// CPU matmul: packed panels and a 4x4 register block (the GotoBLAS shape, in plain TypeScript).
//
// A is packed into panels of 4 rows laid out [k][4], B into panels of 4 columns laid out [k][4],
// so the inner loop reads both contiguously and keeps 16 accumulators in locals. Packing also
// absorbs transposed operands: Aᵀ·B and A·Bᵀ cost the same as A·B (the packing is O(mk + kn)
// against the O(mnk) product). Panels are zero-padded to a multiple of 4; only valid outputs
// are stored.

import type { MatmulArgs } from "../backend.js";
import { createWasmGemm, type WasmGemm } from "./wasm-gemm.js";

const BLOCK = 4;

let scratchA = new Float32Array(0);
let scratchB = new Float32Array(0);

function scratch(which: "a" | "b", size: number): Float32Array {
  if (which === "a") {
    if (scratchA.length < size) scratchA = new Float32Array(size);
    return scratchA;
  }
  if (scratchB.length < size) scratchB = new Float32Array(size);
  return scratchB;
}

/** Packs the m×k operand A (stored [m,k], or [k,m] when transposed) into row panels [m/4][k][4]. */
function packA(src: Float32Array, base: number, m: number, k: number, trans: boolean, dst: Float32Array): void {
  const panels = Math.ceil(m / BLOCK);
  dst.fill(0, 0, panels * k * BLOCK);
  for (let i = 0; i < m; i++) {
    const panel = (i / BLOCK) | 0;
    const lane = i % BLOCK;
    const out = panel * k * BLOCK + lane;
    if (trans) for (let p = 0; p < k; p++) dst[out + p * BLOCK] = src[base + p * m + i]!;
    else for (let p = 0, row = base + i * k; p < k; p++) dst[out + p * BLOCK] = src[row + p]!;
  }
}

/** Packs the k×n operand B (stored [k,n], or [n,k] when transposed) into column panels [n/w][k][w]. */
function packB(src: Float32Array, base: number, k: number, n: number, trans: boolean, dst: Float32Array, width: number): void {
  const panels = Math.ceil(n / width);
  dst.fill(0, 0, panels * k * width);
  for (let j = 0; j < n; j++) {
    const panel = (j / width) | 0;
    const lane = j % width;
    const out = panel * k * width + lane;
    if (trans) for (let p = 0, row = base + j * k; p < k; p++) dst[out + p * width] = src[row + p]!;
    else for (let p = 0; p < k; p++) dst[out + p * width] = src[base + p * n + j]!;
  }
}

const wasm = createWasmGemm();
const WASM_COLS = 8;

/** out[b] = A[b]·B[b] for each batch entry, raw (no epilogue). */
export function matmulCpu(a: Float32Array, b: Float32Array, out: Float32Array, args: MatmulArgs): void {
  if (wasm) matmulWasm(wasm, a, b, out, args);
  else matmulJs(a, b, out, args);
}

/** The WebAssembly SIMD path: pack into the module's memory, run the 4×8 kernel, copy C out. */
function matmulWasm(kernel: WasmGemm, a: Float32Array, b: Float32Array, out: Float32Array, args: MatmulArgs): void {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  const mPanels = Math.ceil(m / BLOCK);
  const nPanels = Math.ceil(n / WASM_COLS);
  const ldc = nPanels * WASM_COLS;
  const mem = kernel.buffers(mPanels * k * BLOCK, nPanels * k * WASM_COLS, mPanels * BLOCK * ldc);
  let packedA = -1;
  let packedB = -1;
  for (let bi = 0; bi < batch; bi++) {
    const aBase = bi * aBatchStride;
    const bBase = bi * bBatchStride;
    if (aBase !== packedA) {
      packA(a, aBase, m, k, transA, mem.a);
      packedA = aBase;
    }
    if (bBase !== packedB) {
      packB(b, bBase, k, n, transB, mem.b, WASM_COLS);
      packedB = bBase;
    }
    kernel.run(mPanels, nPanels, k);
    const oBase = bi * m * n;
    if (ldc === n) out.set(mem.c.subarray(0, m * n), oBase);
    else for (let i = 0; i < m; i++) out.set(mem.c.subarray(i * ldc, i * ldc + n), oBase + i * n);
  }
}

/** The plain TypeScript path, for hosts without WebAssembly SIMD. */
export function matmulJs(a: Float32Array, b: Float32Array, out: Float32Array, args: MatmulArgs): void {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  const mPanels = Math.ceil(m / BLOCK);
  const nPanels = Math.ceil(n / BLOCK);
  const ap = scratch("a", mPanels * k * BLOCK);
  const bp = scratch("b", nPanels * k * BLOCK);
  let packedA = -1;
  let packedB = -1;
  for (let bi = 0; bi < batch; bi++) {
    const aBase = bi * aBatchStride;
    const bBase = bi * bBatchStride;
    // A stride of 0 means every batch entry reuses the same operand: pack it once.
    if (aBase !== packedA) {
      packA(a, aBase, m, k, transA, ap);
      packedA = aBase;
    }
    if (bBase !== packedB) {
      packB(b, bBase, k, n, transB, bp, BLOCK);
      packedB = bBase;
    }
    const oBase = bi * m * n;
    for (let ip = 0; ip < mPanels; ip++) {
      const aOff = ip * k * BLOCK;
      const i0 = ip * BLOCK;
      const rows = Math.min(BLOCK, m - i0);
      for (let jp = 0; jp < nPanels; jp++) {
        const bOff = jp * k * BLOCK;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0, ao = aOff, bo = bOff; p < k; p++, ao += BLOCK, bo += BLOCK) {
          const a0 = ap[ao]!, a1 = ap[ao + 1]!, a2 = ap[ao + 2]!, a3 = ap[ao + 3]!;
          const b0 = bp[bo]!, b1 = bp[bo + 1]!, b2 = bp[bo + 2]!, b3 = bp[bo + 3]!;
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const j0 = jp * BLOCK;
        const cols = Math.min(BLOCK, n - j0);
        if (rows === BLOCK && cols === BLOCK) {
          let o = oBase + i0 * n + j0;
          out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03; o += n;
          out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13; o += n;
          out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23; o += n;
          out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
        } else {
          const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[oBase + (i0 + r) * n + j0 + c] = block[r * BLOCK + c]!;
        }
      }
    }
  }
}
