// Row reductions: each of `outer` contiguous rows of `inner` values becomes one value.
//
// Two shapes of kernel: short rows are reduced by one invocation each (a plain loop, exactly the
// CPU backend's order); long rows by one workgroup each, every invocation folding a strided
// slice and the workgroup finishing with a tree in workgroup memory.
//
// Semantics (as the CPU backend): max/min return NaN when a row holds one; argmax/argmin give the
// first index of the extreme value and skip NaNs (unless the row's first value is NaN on the
// CPU: there the GPU's answer may differ); an empty row gives 0 (sum), -inf (max), +inf (min), 0.

import type { ReduceOp } from "../../backend.js";
import type { KernelDef } from "../command-queue.js";
import { F32_BITS, storageDecls, uniformBlock } from "./common.js";

const NONE = "0xffffffffu";

const IS_NAN = "fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }";

/** WGSL that folds value `v` at index `j` into (acc, idx). */
function fold(op: ReduceOp): string {
  switch (op) {
    case "sum":
      return "acc = acc + v;";
    case "max":
      return "if (is_nan(v) || is_nan(acc)) { acc = tg_f32_bits(0x7fc00000u); } else { acc = max(acc, v); }";
    case "min":
      return "if (is_nan(v) || is_nan(acc)) { acc = tg_f32_bits(0x7fc00000u); } else { acc = min(acc, v); }";
    // The first NaN, once found, stays: argmax and argmin point where max and min give NaN.
    case "argmax":
      return `if (idx == ${NONE} || (!is_nan(acc) && (is_nan(v) || v > acc))) { acc = v; idx = j; }`;
    case "argmin":
      return `if (idx == ${NONE} || (!is_nan(acc) && (is_nan(v) || v < acc))) { acc = v; idx = j; }`;
  }
}

/**
 * WGSL that merges a partial (v, j) into (acc, idx). For argmax and argmin: a NaN beats any
 * number, then the better value, and the lower index among equals (two NaNs are equals).
 */
function merge(op: ReduceOp): string {
  const better = op === "argmax" ? "v > acc" : "v < acc";
  if (op === "argmax" || op === "argmin") {
    const equal = "((is_nan(v) && is_nan(acc)) || v == acc)";
    const wins = `(is_nan(v) && !is_nan(acc)) || (!is_nan(v) && !is_nan(acc) && ${better}) || (${equal} && j < idx)`;
    return `if (j != ${NONE} && (idx == ${NONE} || ${wins})) { acc = v; idx = j; }`;
  }
  return fold(op);
}

function initial(op: ReduceOp): string {
  if (op === "max") return "tg_f32_bits(0xff800000u)";
  if (op === "min") return "tg_f32_bits(0x7f800000u)";
  return "0.0";
}

const isArg = (op: ReduceOp) => op === "argmax" || op === "argmin";

function result(op: ReduceOp): string {
  return isArg(op) ? `select(f32(idx), 0.0, idx == ${NONE})` : "acc";
}

/** One invocation per row. Uniform words: [outer, inner]. */
export function reduceRowPerInvocation(op: ReduceOp, wg: number): KernelDef {
  const buffers = [
    { name: "x", write: false },
    { name: "out", write: true },
  ];
  return {
    key: `reduce:${op}:thread:wg${wg}`,
    writes: [false, true],
    uniformWords: 2,
    source: () => `${uniformBlock(2)}
${storageDecls(buffers)}
${F32_BITS}
${IS_NAN}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * ${wg}u + lid;
  if (row >= uw(0u)) { return; }
  let inner = uw(1u);
  let base = row * inner;
  var acc: f32 = ${initial(op)};
  var idx: u32 = ${NONE};
  for (var j = 0u; j < inner; j++) {
    let v = x[base + j];
    ${fold(op)}
  }
  out[row] = ${result(op)};
}`,
  };
}

/** One workgroup per row, tree-reduced in workgroup memory. Uniform words: [outer, inner]. */
export function reduceRowPerWorkgroup(op: ReduceOp, wg: number): KernelDef {
  const buffers = [
    { name: "x", write: false },
    { name: "out", write: true },
  ];
  const arg = isArg(op);
  return {
    key: `reduce:${op}:workgroup:wg${wg}`,
    writes: [false, true],
    uniformWords: 2,
    source: () => `${uniformBlock(2)}
${storageDecls(buffers)}
${F32_BITS}
${IS_NAN}
var<workgroup> sv: array<f32, ${wg}>;
${arg ? `var<workgroup> si: array<u32, ${wg}>;` : ""}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= uw(0u)) { return; }
  let inner = uw(1u);
  let base = row * inner;
  var acc: f32 = ${initial(op)};
  var idx: u32 = ${NONE};
  for (var j = lid; j < inner; j += ${wg}u) {
    let v = x[base + j];
    ${fold(op)}
  }
  sv[lid] = acc;
  ${arg ? "si[lid] = idx;" : ""}
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let v = sv[lid + s];
      ${arg ? "let j = si[lid + s];" : ""}
      ${merge(op)}
      sv[lid] = acc;
      ${arg ? "si[lid] = idx;" : ""}
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[row] = ${result(op)}; }
}`,
  };
}
