// Matmul kernels: out[b] = act(op(A[b]) · op(B[b]) + bias), where op transposes an operand
// stored the other way round (no transposed copy is made), with an optional `derivative`
// output holding act′ of the value before the activation (what backward multiplies dy by).
//
// Two families, chosen per adapter (see ../matmul-variants.ts):
// - "blocked": each invocation keeps a TM×TN block of outputs in registers and walks k in steps
//   of 4 with vec4 loads where the layout allows, with no workgroup memory. Best where WGSL runs
//   on the CPU (llvmpipe, SwiftShader): there every memory load is a per-lane loop, and a large
//   register block minimises loads per multiply-add.
// - "tiled": the classic GPU kernel: a workgroup stages BK-deep tiles of A and B in workgroup
//   memory and each invocation accumulates a 4×4 block from them.
//
// Edges: rows and columns past m or n are clamped when loading (they read valid data that is
// never stored) and guarded when storing; a k that is not a multiple of 4 gets a scalar tail.
//
// Uniform words: [m, n, k, batchBase, aBatchStride, bBatchStride, 0, 0, activation params...].

import type { UnaryOpDef } from "../../ops.js";
import type { KernelDef } from "../command-queue.js";
import { ROW_BYTES } from "../operand-textures.js";
import { PRELUDE, storageDecls, uniformBlock, unaryFunction, type BufferDecl } from "./common.js";

export const MATMUL_PARAM_BASE = 8;

export interface MatmulEpilogueShape {
  readonly bias: boolean;
  /** Whether the kernel also writes act′(a·b + bias) to `derivative`. */
  readonly derivative: boolean;
  /** The activation's op and a number that changes when the op is redefined. */
  readonly activation: { readonly op: UnaryOpDef; readonly id: number } | null;
}

export interface BlockedConfig {
  readonly kind: "blocked";
  /** Output rows and columns per invocation (tn a multiple of 4). */
  readonly tm: number;
  readonly tn: number;
  /** Workgroup size: wgx along n, wgy along m. */
  readonly wgx: number;
  readonly wgy: number;
  /** Read A and B through textures (see ../operand-textures.ts) where their size allows. */
  readonly textures: boolean;
}

export interface TiledConfig {
  readonly kind: "tiled";
  /** Invocations per side of the square workgroup; each computes 4×4 outputs. */
  readonly threads: number;
  /** Depth of the k tiles staged in workgroup memory. */
  readonly bk: number;
}

export type MatmulConfig = BlockedConfig | TiledConfig;

export interface MatmulLayout {
  readonly transA: boolean;
  readonly transB: boolean;
  /** Whether vec4 loads of A, B and vec4 stores of out are aligned for this problem. */
  readonly aVec: boolean;
  readonly bVec: boolean;
  readonly outVec: boolean;
  /** Whether A, B are read from operand textures (rgba32float when vec, r32float otherwise). */
  readonly aTex: boolean;
  readonly bTex: boolean;
}

/** Rows × columns of outputs one workgroup computes. */
export function tileOf(config: MatmulConfig): { rows: number; cols: number } {
  if (config.kind === "blocked") return { rows: config.tm * config.wgy, cols: config.tn * config.wgx };
  return { rows: 4 * config.threads, cols: 4 * config.threads };
}

/**
 * Which operands can use vec4 loads: the contiguous dimension of each operand (and of out) and
 * the batch strides must be multiples of 4, and the block must cover whole vec4s. `textureFits`
 * says whether an operand of that many floats fits in an operand texture of that format.
 */
export function chooseLayout(
  config: MatmulConfig,
  args: { m: number; n: number; k: number; transA: boolean; transB: boolean; aBatchStride: number; bBatchStride: number },
  aFloats: number,
  bFloats: number,
  textureFits: (floats: number, vec: boolean) => boolean,
): MatmulLayout {
  const { m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  if (config.kind === "tiled") return { transA, transB, aVec: false, bVec: false, outVec: false, aTex: false, bTex: false };
  const aVec = aBatchStride % 4 === 0 && (transA ? m % 4 === 0 && config.tm % 4 === 0 : k % 4 === 0);
  const bVec = bBatchStride % 4 === 0 && (transB ? k % 4 === 0 : n % 4 === 0);
  const aTex = config.textures && textureFits(aFloats, aVec);
  const bTex = config.textures && textureFits(bFloats, bVec);
  return { transA, transB, aVec, bVec, outVec: n % 4 === 0, aTex, bTex };
}

/** WGSL `ld<name>(index)`: one load of an operand, from its buffer or its texture. */
function operandLoader(name: string, vec: boolean, tex: boolean): string {
  const type = vec ? "vec4<f32>" : "f32";
  if (!tex) return `fn ld${name}(v: u32) -> ${type} { return ${name}[v]; }`;
  const width = vec ? ROW_BYTES / 16 : ROW_BYTES / 4;
  const shift = Math.log2(width);
  return `fn ld${name}(v: u32) -> ${type} { return textureLoad(T${name}, vec2<u32>(v & ${width - 1}u, v >> ${shift}u), 0)${vec ? "" : ".x"}; }`;
}

function epilogueBuffers(epi: MatmulEpilogueShape, outType: BufferDecl["type"]): BufferDecl[] {
  return [
    { name: "A", write: false },
    { name: "B", write: false },
    { name: "out", write: true, type: outType },
    ...(epi.bias ? [{ name: "bias", write: false }] : []),
    ...(epi.derivative ? [{ name: "derivative", write: true, type: outType }] : []),
  ];
}

function epilogueKey(epi: MatmulEpilogueShape): string {
  return `${epi.bias ? "+bias" : ""}${epi.derivative ? "+derivative" : ""}${epi.activation ? `+${epi.activation.op.name}#${epi.activation.id}` : ""}`;
}

function activationFunction(epi: MatmulEpilogueShape): string {
  if (!epi.activation) return "";
  const { op } = epi.activation;
  const derivative = epi.derivative ? `\n${unaryFunction("act_df", op, op.wgsl.df, MATMUL_PARAM_BASE)}` : "";
  return `${PRELUDE}\n${unaryFunction("act", op, op.wgsl.f, MATMUL_PARAM_BASE)}${derivative}`;
}

const C = ["x", "y", "z", "w"];

export function blockedMatmulKernel(config: BlockedConfig, layout: MatmulLayout, epi: MatmulEpilogueShape): KernelDef {
  const { tm, tn, wgx, wgy } = config;
  const { transA, transB, aVec, bVec, outVec, aTex, bTex } = layout;
  if (tn % 4 !== 0) throw new Error(`internal: blocked matmul needs tn to be a multiple of 4, got ${tn}`);
  const qn = tn / 4;
  const kAlongA = !transA && aVec;
  const kAlongB = transB && bVec;
  const hasTail = !kAlongA && !kAlongB;
  const buffers = [
    { name: "A", write: false, type: aVec ? ("vec4<f32>" as const) : ("f32" as const) },
    { name: "B", write: false, type: bVec ? ("vec4<f32>" as const) : ("f32" as const) },
    ...epilogueBuffers(epi, outVec ? "vec4<f32>" : "f32").slice(2),
  ];
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  /** The k-chunk of `ks` steps starting at kk: loads, then multiply-adds. */
  const chunk = (ks: number): string => {
    const lines: string[] = [];
    // a(i, t): the A value for output row i at k step t.
    let a: (i: number, t: number) => string;
    if (!transA && aVec) {
      for (const i of range(tm)) lines.push(`let av${i} = ldA((aRow${i} + kk) >> 2u);`);
      a = (i, t) => `av${i}.${C[t]}`;
    } else if (!transA) {
      for (const i of range(tm)) for (const t of range(ks)) lines.push(`let a${i}_${t} = ldA(aRow${i} + kk + ${t}u);`);
      a = (i, t) => `a${i}_${t}`;
    } else if (aVec) {
      for (const t of range(ks)) for (const q of range(tm / 4)) lines.push(`let av${t}_${q} = ldA(((aOff + (kk + ${t}u) * m) >> 2u) + rq${q});`);
      a = (i, t) => `av${t}_${Math.floor(i / 4)}.${C[i % 4]}`;
    } else {
      for (const t of range(ks)) for (const i of range(tm)) lines.push(`let a${i}_${t} = ldA(aOff + (kk + ${t}u) * m + r${i});`);
      a = (i, t) => `a${i}_${t}`;
    }
    // b(t, q): the vec4 of B values for output columns 4q..4q+3 at k step t.
    let b: (t: number, q: number) => string;
    if (!transB && bVec) {
      for (const t of range(ks)) for (const q of range(qn)) lines.push(`let bv${t}_${q} = ldB(((bOff + (kk + ${t}u) * n) >> 2u) + cq${q});`);
      b = (t, q) => `bv${t}_${q}`;
    } else if (!transB) {
      for (const t of range(ks))
        for (const q of range(qn))
          lines.push(`let bv${t}_${q} = vec4<f32>(${range(4).map((e) => `ldB(bOff + (kk + ${t}u) * n + c${4 * q + e})`).join(", ")});`);
      b = (t, q) => `bv${t}_${q}`;
    } else if (bVec) {
      for (const j of range(tn)) lines.push(`let bw${j} = ldB((bRow${j} + kk) >> 2u);`);
      b = (t, q) => `vec4<f32>(${range(4).map((e) => `bw${4 * q + e}.${C[t]}`).join(", ")})`;
    } else {
      for (const t of range(ks))
        for (const q of range(qn)) lines.push(`let bv${t}_${q} = vec4<f32>(${range(4).map((e) => `ldB(bRow${4 * q + e} + kk + ${t}u)`).join(", ")});`);
      b = (t, q) => `bv${t}_${q}`;
    }
    for (const t of range(ks)) for (const i of range(tm)) for (const q of range(qn)) lines.push(`acc${i}_${q} += ${a(i, t)} * ${b(t, q)};`);
    return lines.map((l) => `    ${l}`).join("\n");
  };

  const setup: string[] = [];
  for (const i of range(tm)) setup.push(`let r${i} = min(row0 + ${i}u, m - 1u);`);
  for (const j of range(tn)) setup.push(`let c${j} = min(col0 + ${j}u, n - 1u);`);
  if (!transA) for (const i of range(tm)) setup.push(`let aRow${i} = aOff + r${i} * k;`);
  if (transA && aVec) for (const q of range(tm / 4)) setup.push(`let rq${q} = min((row0 >> 2u) + ${q}u, (m >> 2u) - 1u);`);
  if (!transB && bVec) for (const q of range(qn)) setup.push(`let cq${q} = min((col0 >> 2u) + ${q}u, (n >> 2u) - 1u);`);
  if (transB) for (const j of range(tn)) setup.push(`let bRow${j} = bOff + c${j} * k;`);
  for (const i of range(tm)) for (const q of range(qn)) setup.push(`var acc${i}_${q} = vec4<f32>(0.0);`);

  const store: string[] = [];
  for (const i of range(tm)) {
    store.push(`if (row0 + ${i}u < m) {`);
    store.push(`  let orow = oOff + (row0 + ${i}u) * n;`);
    for (const q of range(qn)) {
      store.push(`  {`);
      store.push(`    var v = acc${i}_${q};`);
      if (epi.bias) store.push(`    v += vec4<f32>(${range(4).map((e) => `bias[c${4 * q + e}]`).join(", ")});`);
      const write = (name: string, value: string) => {
        if (outVec) {
          store.push(`    if (col0 + ${4 * q}u < n) { ${name}[(orow + col0 + ${4 * q}u) >> 2u] = ${value}; }`);
        } else {
          for (const e of range(4)) store.push(`    if (col0 + ${4 * q + e}u < n) { ${name}[orow + col0 + ${4 * q + e}u] = ${value}.${C[e]}; }`);
        }
      };
      // Bound once: the scalar stores below read each component of the same vector.
      if (epi.derivative) {
        store.push(`    let dv = vec4<f32>(act_df(v.x), act_df(v.y), act_df(v.z), act_df(v.w));`);
        write("derivative", "dv");
      }
      if (epi.activation) store.push(`    let av = vec4<f32>(act(v.x), act(v.y), act(v.z), act(v.w));`);
      write("out", epi.activation ? "av" : "v");
      store.push(`  }`);
    }
    store.push(`}`);
  }

  const key =
    `matmul:blocked:${tm}x${tn}:${wgx}x${wgy}:${transA ? "T" : "N"}${transB ? "T" : "N"}:` +
    `${aVec ? "a4" : "a1"}${aTex ? "t" : ""}${bVec ? "b4" : "b1"}${bTex ? "t" : ""}${outVec ? "o4" : "o1"}${epilogueKey(epi)}`;
  const textureNames = [...(aTex ? ["TA"] : []), ...(bTex ? ["TB"] : [])];
  const textureDecls = textureNames.map((t, j) => `@group(0) @binding(${buffers.length + 1 + j}) var ${t}: texture_2d<f32>;`).join("\n");
  const words = MATMUL_PARAM_BASE + (epi.activation?.op.params?.length ?? 0);
  return {
    key,
    writes: buffers.map((b) => b.write),
    uniformWords: words,
    textures: textureNames.length,
    source: () => `${uniformBlock(words)}
${storageDecls(buffers)}
${textureDecls}
${operandLoader("A", aVec, aTex)}
${operandLoader("B", bVec, bTex)}
${activationFunction(epi)}
@compute @workgroup_size(${wgx}, ${wgy}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = uw(0u);
  let n = uw(1u);
  let k = uw(2u);
  let batch = wid.z + uw(3u);
  let row0 = ${wgy === 1 ? `wid.y * ${tm}u` : `(wid.y * ${wgy}u + lid.y) * ${tm}u`};
  let col0 = (wid.x * ${wgx}u + lid.x) * ${tn}u;
  if (row0 >= m || col0 >= n) { return; }
  let aOff = batch * uw(4u);
  let bOff = batch * uw(5u);
  let oOff = batch * m * n;
  ${setup.join("\n  ")}
  let kMain = ${hasTail ? "k & ~3u" : "k"};
  for (var kk = 0u; kk < kMain; kk += 4u) {
${chunk(4)}
  }
${hasTail ? `  for (var kk = kMain; kk < k; kk++) {\n${chunk(1)}\n  }` : ""}
  ${store.join("\n  ")}
}`,
  };
}

export function tiledMatmulKernel(config: TiledConfig, layout: MatmulLayout, epi: MatmulEpilogueShape): KernelDef {
  const { threads: T, bk } = config;
  const { transA, transB } = layout;
  const BM = 4 * T;
  const BN = 4 * T;
  const perThread = (BM * bk) / (T * T);
  if (!Number.isInteger(perThread)) throw new Error(`internal: tiled matmul tile ${BM}x${bk} does not split over ${T * T} invocations`);
  const buffers = epilogueBuffers(epi, "f32");
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  // Each staging load walks the operand's contiguous dimension fastest, for coalesced reads.
  const loadA = transA
    ? `let kk = e / ${BM}u; let r = e % ${BM}u;`
    : `let r = e / ${bk}u; let kk = e % ${bk}u;`;
  const addrA = transA ? "aOff + gk * m + gr" : "aOff + gr * k + gk";
  const loadB = transB
    ? `let c = e / ${bk}u; let kk = e % ${bk}u;`
    : `let kk = e / ${BN}u; let c = e % ${BN}u;`;
  const addrB = transB ? "bOff + gc * k + gk" : "bOff + gk * n + gc";

  const acc = range(4).flatMap((i) => range(4).map((j) => `var acc${i}_${j} = 0.0;`));
  const fma = range(4).flatMap((i) => range(4).map((j) => `acc${i}_${j} += a${i} * b${j};`));
  const store: string[] = [];
  for (const i of range(4)) {
    store.push(`{ let r = rowTile + lid.y + ${i * T}u; if (r < m) {`);
    for (const j of range(4)) {
      store.push(`  { let c = colTile + lid.x + ${j * T}u; if (c < n) {`);
      store.push(`    var v = acc${i}_${j};`);
      if (epi.bias) store.push(`    v += bias[c];`);
      if (epi.derivative) store.push(`    derivative[oOff + r * n + c] = act_df(v);`);
      store.push(`    out[oOff + r * n + c] = ${epi.activation ? "act(v)" : "v"};`);
      store.push(`  } }`);
    }
    store.push(`} }`);
  }
  const key = `matmul:tiled:${T}:${bk}:${transA ? "T" : "N"}${transB ? "T" : "N"}${epilogueKey(epi)}`;
  const words = MATMUL_PARAM_BASE + (epi.activation?.op.params?.length ?? 0);
  return {
    key,
    writes: buffers.map((b) => b.write),
    uniformWords: words,
    source: () => `${uniformBlock(words)}
${storageDecls(buffers)}
${activationFunction(epi)}
var<workgroup> As: array<f32, ${BM * bk}>;
var<workgroup> Bs: array<f32, ${BN * bk}>;
@compute @workgroup_size(${T}, ${T}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = uw(0u);
  let n = uw(1u);
  let k = uw(2u);
  let batch = wid.z + uw(3u);
  let aOff = batch * uw(4u);
  let bOff = batch * uw(5u);
  let oOff = batch * m * n;
  let rowTile = wid.y * ${BM}u;
  let colTile = wid.x * ${BN}u;
  let tid = lid.y * ${T}u + lid.x;
  ${acc.join("\n  ")}
  for (var k0 = 0u; k0 < k; k0 += ${bk}u) {
    for (var l = 0u; l < ${perThread}u; l++) {
      let e = tid + l * ${T * T}u;
      { ${loadA} let gr = rowTile + r; let gk = k0 + kk;
        var v = 0.0; if (gr < m && gk < k) { v = A[${addrA}]; } As[kk * ${BM}u + r] = v; }
      { ${loadB} let gc = colTile + c; let gk = k0 + kk;
        var v = 0.0; if (gc < n && gk < k) { v = B[${addrB}]; } Bs[kk * ${BN}u + c] = v; }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${range(4).map((i) => `let a${i} = As[kk * ${BM}u + lid.y + ${i * T}u];`).join("\n      ")}
      ${range(4).map((j) => `let b${j} = Bs[kk * ${BN}u + lid.x + ${j * T}u];`).join("\n      ")}
      ${fma.join("\n      ")}
    }
    workgroupBarrier();
  }
  ${store.join("\n  ")}
}`,
  };
}
