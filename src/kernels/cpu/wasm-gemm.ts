// A WebAssembly SIMD micro-kernel for the CPU matmul, assembled here from TypeScript (no
// toolchain, no binary in the repository). It multiplies packed panels: A as [mPanels][k][4]
// (4 rows interleaved) and B as [nPanels][k][8] (8 columns interleaved), into a padded C of
// [mPanels·4][nPanels·8]. Each 4×8 block of C lives in eight f32x4 accumulators for the whole
// k loop: per step, two vector loads of B, four splat loads of A, eight multiply-adds.

import { assembleModule, canRun, EMPTY_BLOCK, funcBody, funcType, I32, Op, Simd, sleb, uleb, V128 } from "./wasm-encoding.js";

// Locals: the six parameters, then scalars, then vectors.
const [AP, BP, CP, M_PANELS, N_PANELS, K] = [0, 1, 2, 3, 4, 5];
const [IP, JP, P, APTR, BPTR, CPTR, ROW_BYTES] = [6, 7, 8, 9, 10, 11, 12];
const ACC = [13, 14, 15, 16, 17, 18, 19, 20];
const [A, B0, B1] = [21, 22, 23];

function body(): number[] {
  const code: number[] = [];
  const get = (l: number) => code.push(Op.LocalGet, ...uleb(l));
  const set = (l: number) => code.push(Op.LocalSet, ...uleb(l));
  const i32 = (v: number) => code.push(Op.I32Const, ...sleb(v));
  const simd = (op: readonly number[], ...imm: number[]) => code.push(Op.Simd, ...op, ...imm);
  const memarg = (alignLog2: number, offset: number) => [alignLog2, ...uleb(offset)];
  const addTo = (local: number, amount: () => void) => {
    get(local);
    amount();
    code.push(Op.I32Add);
    set(local);
  };

  // rowBytes = nPanels * 8 floats * 4 bytes: the stride between rows of the padded C.
  get(N_PANELS);
  i32(32);
  code.push(Op.I32Mul);
  set(ROW_BYTES);

  i32(0);
  set(IP);
  code.push(Op.Block, EMPTY_BLOCK, Op.Loop, EMPTY_BLOCK); // for ip in [0, mPanels)
  get(IP);
  get(M_PANELS);
  code.push(Op.I32GeU, Op.BrIf, 1);

  i32(0);
  set(JP);
  code.push(Op.Block, EMPTY_BLOCK, Op.Loop, EMPTY_BLOCK); // for jp in [0, nPanels)
  get(JP);
  get(N_PANELS);
  code.push(Op.I32GeU, Op.BrIf, 1);

  for (const acc of ACC) {
    simd(Simd.V128Const, ...new Array(16).fill(0));
    set(acc);
  }
  // aptr = ap + ip*k*16; bptr = bp + jp*k*32
  get(AP);
  get(IP);
  get(K);
  code.push(Op.I32Mul);
  i32(16);
  code.push(Op.I32Mul, Op.I32Add);
  set(APTR);
  get(BP);
  get(JP);
  get(K);
  code.push(Op.I32Mul);
  i32(32);
  code.push(Op.I32Mul, Op.I32Add);
  set(BPTR);
  get(K);
  set(P);

  code.push(Op.Block, EMPTY_BLOCK, Op.Loop, EMPTY_BLOCK); // for p = k; p != 0; p--
  get(P);
  code.push(Op.I32Eqz, Op.BrIf, 1);
  get(BPTR);
  simd(Simd.V128Load, ...memarg(4, 0));
  set(B0);
  get(BPTR);
  simd(Simd.V128Load, ...memarg(4, 16));
  set(B1);
  for (let r = 0; r < 4; r++) {
    get(APTR);
    simd(Simd.V128Load32Splat, ...memarg(2, r * 4));
    set(A);
    for (const [acc, b] of [[ACC[2 * r]!, B0], [ACC[2 * r + 1]!, B1]] as const) {
      get(acc);
      get(A);
      get(b);
      simd(Simd.F32x4Mul);
      simd(Simd.F32x4Add);
      set(acc);
    }
  }
  addTo(APTR, () => i32(16));
  addTo(BPTR, () => i32(32));
  get(P);
  i32(1);
  code.push(Op.I32Sub);
  set(P);
  code.push(Op.Br, 0, Op.End, Op.End);

  // cptr = cp + ip*4*rowBytes + jp*32; store the 4×8 block row by row.
  get(CP);
  get(IP);
  i32(4);
  code.push(Op.I32Mul);
  get(ROW_BYTES);
  code.push(Op.I32Mul, Op.I32Add);
  get(JP);
  i32(32);
  code.push(Op.I32Mul, Op.I32Add);
  set(CPTR);
  for (let r = 0; r < 4; r++) {
    get(CPTR);
    get(ACC[2 * r]!);
    simd(Simd.V128Store, ...memarg(4, 0));
    get(CPTR);
    get(ACC[2 * r + 1]!);
    simd(Simd.V128Store, ...memarg(4, 16));
    addTo(CPTR, () => get(ROW_BYTES));
  }

  addTo(JP, () => i32(1));
  code.push(Op.Br, 0, Op.End, Op.End);

  addTo(IP, () => i32(1));
  code.push(Op.Br, 0, Op.End, Op.End);
  return funcBody([[7, I32], [11, V128]], code);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return assembleModule({
    types: [funcType([I32, I32, I32, I32, I32, I32], [])],
    functions: [{ type: 0, body: body() }],
    memoryPages: 1, // grown on demand
    exports: [{ name: "gemm", func: 0 }],
  });
}

export interface WasmGemm {
  /** Float32 views of the three regions, each at least the requested size. */
  buffers(aFloats: number, bFloats: number, cFloats: number): { a: Float32Array; b: Float32Array; c: Float32Array };
  /** C = A·B on the packed panels currently in the buffers. */
  run(mPanels: number, nPanels: number, k: number): void;
}

/** Compiles the kernel, or returns null where WebAssembly SIMD is unavailable. */
export function createWasmGemm(): WasmGemm | null {
  const bytes = moduleBytes();
  if (!canRun(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const gemm = instance.exports.gemm as (ap: number, bp: number, cp: number, mp: number, np: number, k: number) => void;
  let offsets = { a: 0, b: 0, c: 0 };
  return {
    buffers(aFloats, bFloats, cFloats) {
      const bytesNeeded = (aFloats + bFloats + cFloats) * 4;
      const have = memory.buffer.byteLength;
      if (bytesNeeded > have) memory.grow(Math.ceil((bytesNeeded - have) / 65536));
      offsets = { a: 0, b: aFloats * 4, c: (aFloats + bFloats) * 4 };
      return {
        a: new Float32Array(memory.buffer, offsets.a, aFloats),
        b: new Float32Array(memory.buffer, offsets.b, bFloats),
        c: new Float32Array(memory.buffer, offsets.c, cFloats),
      };
    },
    run(mPanels, nPanels, k) {
      gemm(offsets.a, offsets.b, offsets.c, mPanels, nPanels, k);
    },
  };
}
