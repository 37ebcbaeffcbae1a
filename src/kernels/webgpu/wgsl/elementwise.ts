// Elementwise kernels generated from the op table: unary ops (with their derivatives), binary
// ops and their gradients through broadcast strides, where, strided copies and fill.

import type { BinaryOpDef, UnaryOpDef } from "../../ops.js";
import type { KernelDef } from "../command-queue.js";
import { PRELUDE, STRIDED_WORDS, linearMain, storageDecls, stridedOffsets, uniformBlock, unaryFunction } from "./common.js";

/** Uniform word where a unary op's parameters start (word 0 is the element count). */
export const UNARY_PARAM_BASE = 4;

/**
 * What a unary kernel computes: y = f(x); y = f(x) and d = f′(x) in the same pass (what backward
 * multiplies dy by); or the gradient dx = dy·f′(x) with f′ recomputed from x.
 */
export type UnaryMode = "f" | "withDerivative" | "gradient";

const UNARY_MODES: Record<UnaryMode, { buffers: { name: string; write: boolean }[]; body: string; uses: ("f" | "df")[] }> = {
  f: { buffers: [{ name: "x", write: false }, { name: "y", write: true }], body: "  y[i] = op_f(x[i]);", uses: ["f"] },
  withDerivative: {
    buffers: [{ name: "x", write: false }, { name: "y", write: true }, { name: "d", write: true }],
    body: "  let v = x[i];\n  y[i] = op_f(v);\n  d[i] = op_df(v);",
    uses: ["f", "df"],
  },
  gradient: {
    buffers: [{ name: "x", write: false }, { name: "dy", write: false }, { name: "dx", write: true }],
    body: "  dx[i] = dy[i] * op_df(x[i]);",
    uses: ["df"],
  },
};

/** A unary op's kernel in one of its modes. `id` distinguishes redefinitions of one name. */
export function unaryKernel(op: UnaryOpDef, id: number, mode: UnaryMode, wg: number): KernelDef {
  const nParams = op.params?.length ?? 0;
  const { buffers, body, uses } = UNARY_MODES[mode];
  return {
    key: `unary:${mode}:${op.name}#${id}:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: UNARY_PARAM_BASE + nParams,
    source: () =>
      [
        uniformBlock(UNARY_PARAM_BASE + nParams),
        storageDecls(buffers),
        PRELUDE,
        ...uses.map((fn) => unaryFunction(`op_${fn}`, op, op.wgsl[fn], UNARY_PARAM_BASE)),
        linearMain(wg, body),
      ].join("\n"),
  };
}

export type BinaryMode = { kind: "f" } | { kind: "grad"; which: 0 | 1 };

/**
 * out = f(a, b), or out = dy * ∂f/∂(a|b). `flat`: both operands are contiguous in the output's
 * shape, so no index arithmetic is needed; otherwise operand offsets come from the strides.
 */
export function binaryKernel(op: BinaryOpDef, mode: BinaryMode, flat: boolean, wg: number): KernelDef {
  const grad = mode.kind === "grad";
  const expr = mode.kind === "f" ? op.wgsl.f : mode.which === 0 ? op.wgsl.da : op.wgsl.db;
  const buffers = [
    { name: "A", write: false },
    { name: "B", write: false },
    ...(grad ? [{ name: "dy", write: false }] : []),
    { name: "out", write: true },
  ];
  const load = flat ? "  let a = A[i];\n  let b = B[i];" : `${stridedOffsets(2, false)}\n  let a = A[o0];\n  let b = B[o1];`;
  const store = grad ? "  out[i] = dy[i] * op_expr(a, b);" : "  out[i] = op_expr(a, b);";
  return {
    key: `binary:${op.name}:${mode.kind === "f" ? "f" : `d${mode.which}`}:${flat ? "flat" : "strided"}:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: STRIDED_WORDS,
    source: () =>
      [
        uniformBlock(STRIDED_WORDS),
        storageDecls(buffers),
        PRELUDE,
        `fn op_expr(a: f32, b: f32) -> f32 { return ${expr}; }`,
        linearMain(wg, `${load}\n${store}`),
      ].join("\n"),
  };
}

export function whereKernel(wg: number): KernelDef {
  const buffers = [
    { name: "C", write: false },
    { name: "A", write: false },
    { name: "B", write: false },
    { name: "out", write: true },
  ];
  return {
    key: `where:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: STRIDED_WORDS,
    source: () =>
      [
        uniformBlock(STRIDED_WORDS),
        storageDecls(buffers),
        linearMain(wg, `${stridedOffsets(3, false)}\n  out[i] = select(B[o2], A[o1], C[o0] != 0.0);`),
      ].join("\n"),
  };
}

/** Gathering (out[i] = x[offset + idx·strides]) or its inverse, scattering. */
export function stridedKernel(scatter: boolean, wg: number): KernelDef {
  const buffers = [
    { name: "x", write: false },
    { name: "out", write: true },
  ];
  const move = scatter ? "  out[o0] = x[i];" : "  out[i] = x[o0];";
  return {
    key: `${scatter ? "scatterStrided" : "strided"}:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: STRIDED_WORDS,
    source: () => [uniformBlock(STRIDED_WORDS), storageDecls(buffers), linearMain(wg, `${stridedOffsets(1, true)}\n${move}`)].join("\n"),
  };
}

export function fillKernel(wg: number): KernelDef {
  const buffers = [{ name: "out", write: true }];
  return {
    key: `fill:wg${wg}`,
    writes: [true],
    uniformWords: 2,
    source: () => [uniformBlock(2), storageDecls(buffers), linearMain(wg, "  out[i] = uf(1u);")].join("\n"),
  };
}
