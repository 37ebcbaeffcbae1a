// WGSL pieces shared by the generated kernels.
//
// Uniforms: every kernel reads its scalars (sizes, shapes, strides, op parameters) from binding 0,
// an array of vec4<u32> read through uw/ui/uf by word index, so that the host writes plain u32,
// i32 and f32 words and a new shape never needs a new pipeline.

import { WGSL_PRELUDE, type UnaryOpDef } from "../../ops.js";

/** The largest rank the strided kernels take after merging contiguous dimensions. */
export const MAX_RANK = 8;

/** Word offsets in the uniform block of the strided kernels (binary, where, strided, ...). */
export const STRIDED_LAYOUT = { n: 0, rank: 1, offset: 2, shape: 4, strides: [12, 20, 28] } as const;
export const STRIDED_WORDS = 36;

export function uniformBlock(words: number): string {
  const vec4s = Math.ceil(Math.max(words, 4) / 4);
  return `
@group(0) @binding(0) var<uniform> u: array<vec4<u32>, ${vec4s}>;
fn uw(i: u32) -> u32 { return u[i / 4u][i % 4u]; }
fn ui(i: u32) -> i32 { return bitcast<i32>(uw(i)); }
fn uf(i: u32) -> f32 { return bitcast<f32>(uw(i)); }
`;
}

export interface BufferDecl {
  readonly name: string;
  readonly write: boolean;
  /** Element type; f32 unless the kernel loads vec4s. */
  readonly type?: "f32" | "vec4<f32>";
}

/** Storage declarations for bindings 1..N, in order. */
export function storageDecls(buffers: readonly BufferDecl[]): string {
  return buffers
    .map((b, j) => `@group(0) @binding(${j + 1}) var<storage, ${b.write ? "read_write" : "read"}> ${b.name}: array<${b.type ?? "f32"}>;`)
    .join("\n");
}

/**
 * A WGSL function `name(x: f32) -> f32` computing `expr` of a unary op, with the op's parameters
 * p0, p1, ... read from uniform words `paramBase`, `paramBase + 1`, ...
 */
export function unaryFunction(name: string, op: UnaryOpDef, expr: string, paramBase: number, extraArgs = ""): string {
  const params = (op.params ?? []).map((_, j) => `  let p${j} = uf(${paramBase + j}u);`).join("\n");
  return `fn ${name}(x: f32${extraArgs}) -> f32 {\n${params}\n  return ${expr};\n}`;
}

/**
 * The entry point of a one-invocation-per-element kernel over `n` (uniform word 0) elements,
 * dispatched as a 2-D grid of workgroups so that element counts beyond 65535 workgroups work.
 */
export function linearMain(workgroupSize: number, body: string): string {
  return `
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${workgroupSize}u + lid;
  if (i >= uw(0u)) { return; }
${body}
}`;
}

/**
 * WGSL that turns the flat output index `i` into one offset per operand (o0, o1, ...), through
 * the shape and per-operand strides in the STRIDED_LAYOUT uniform block.
 */
export function stridedOffsets(operands: number, withBaseOffset: boolean): string {
  const L = STRIDED_LAYOUT;
  const init = Array.from({ length: operands }, (_, t) => `  var o${t} = ${t === 0 && withBaseOffset ? `ui(${L.offset}u)` : "0i"};`).join("\n");
  const add = Array.from({ length: operands }, (_, t) => `    o${t} += c * ui(${L.strides[t]}u + du);`).join("\n");
  return `${init}
  var rem = i;
  for (var d = i32(uw(${L.rank}u)) - 1; d >= 0; d--) {
    let du = u32(d);
    let s = uw(${L.shape}u + du);
    let c = i32(rem % s);
    rem = rem / s;
${add}
  }`;
}

/** The op table's WGSL helpers; every shader that evaluates table expressions includes them. */
export const PRELUDE = WGSL_PRELUDE;

/** The prelude's run-time bit cast, for kernels that need a NaN or infinity but not the prelude. */
export const F32_BITS = "fn tg_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }";
