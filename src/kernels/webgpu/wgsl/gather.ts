// gather and its gradient scatterAdd, along the middle axis of [outer, axisLen, inner].
// Indices arrive as float32. The GPU cannot throw: an out-of-range index gives NaN in gather
// and is skipped by scatterAdd (the CPU backend throws for both).
//
// scatterAdd runs one invocation per output element, looping over the index axis, so that no
// two invocations write the same location and float atomics are not needed.

import type { KernelDef } from "../command-queue.js";
import { F32_BITS, linearMain, storageDecls, uniformBlock } from "./common.js";

/** Uniform words: [n, outer, axisLen, indexLen, inner]. */
export const GATHER_WORDS = 5;

export function gatherKernel(wg: number): KernelDef {
  const buffers = [
    { name: "x", write: false },
    { name: "index", write: false },
    { name: "out", write: true },
  ];
  return {
    key: `gather:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: GATHER_WORDS,
    source: () =>
      [
        uniformBlock(GATHER_WORDS),
        storageDecls(buffers),
        F32_BITS,
        linearMain(
          wg,
          `  let axisLen = uw(2u);
  let indexLen = uw(3u);
  let inner = uw(4u);
  let ii = i % inner;
  let o = (i / inner) / indexLen;
  let src = index[i];
  if (src >= 0.0 && src < f32(axisLen) && floor(src) == src) {
    out[i] = x[(o * axisLen + u32(src)) * inner + ii];
  } else {
    out[i] = tg_f32_bits(0x7fc00000u);
  }`,
        ),
      ].join("\n"),
  };
}

/** out[o, a, i] += Σ_j [index[o, j, i] == a] g[o, j, i]; n = outer·axisLen·inner. */
export function scatterAddKernel(wg: number): KernelDef {
  const buffers = [
    { name: "g", write: false },
    { name: "index", write: false },
    { name: "out", write: true },
  ];
  return {
    key: `scatterAdd:wg${wg}`,
    writes: buffers.map((b) => b.write),
    uniformWords: GATHER_WORDS,
    source: () =>
      [
        uniformBlock(GATHER_WORDS),
        storageDecls(buffers),
        linearMain(
          wg,
          `  let axisLen = uw(2u);
  let indexLen = uw(3u);
  let inner = uw(4u);
  let ii = i % inner;
  let a = f32((i / inner) % axisLen);
  let o = (i / inner) / axisLen;
  var acc = 0.0;
  for (var j = 0u; j < indexLen; j++) {
    let at = (o * indexLen + j) * inner + ii;
    if (index[at] == a) { acc += g[at]; }
  }
  out[i] = out[i] + acc;`,
        ),
      ].join("\n"),
  };
}
