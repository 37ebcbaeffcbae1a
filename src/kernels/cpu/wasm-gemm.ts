// A WebAssembly SIMD micro-kernel for the CPU matmul, assembled here from TypeScript (no
// toolchain, no binary in the repository). It multiplies packed panels: A as [mPanels][k][4]
// (4 rows interleaved) and B as [nPanels][k][8] (8 columns interleaved), into a padded C of
// [mPanels·4][nPanels·8]. Each 4×8 block of C lives in eight f32x4 accumulators for the whole
// k loop: per step, two vector loads of B, four splat loads of A, eight multiply-adds.

const enum Op {
  Block = 0x02,
  Loop = 0x03,
  Br = 0x0c,
  BrIf = 0x0d,
  End = 0x0b,
  LocalGet = 0x20,
  LocalSet = 0x21,
  I32Const = 0x41,
  I32Eqz = 0x45,
  I32GeU = 0x4f,
  I32Add = 0x6a,
  I32Sub = 0x6b,
  I32Mul = 0x6c,
  Simd = 0xfd,
}

// SIMD sub-opcodes (after the 0xfd prefix), as unsigned LEB128.
const V128_LOAD = [0x00];
const V128_LOAD32_SPLAT = [0x09];
const V128_STORE = [0x0b];
const V128_CONST = [0x0c];
const F32X4_ADD = [0xe4, 0x01];
const F32X4_MUL = [0xe6, 0x01];

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

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
  const simd = (op: number[], ...imm: number[]) => code.push(Op.Simd, ...op, ...imm);
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
  code.push(Op.Block, 0x40, Op.Loop, 0x40); // for ip in [0, mPanels)
  get(IP);
  get(M_PANELS);
  code.push(Op.I32GeU, Op.BrIf, 1);

  i32(0);
  set(JP);
  code.push(Op.Block, 0x40, Op.Loop, 0x40); // for jp in [0, nPanels)
  get(JP);
  get(N_PANELS);
  code.push(Op.I32GeU, Op.BrIf, 1);

  for (const acc of ACC) {
    simd(V128_CONST, ...new Array(16).fill(0));
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

  code.push(Op.Block, 0x40, Op.Loop, 0x40); // for p = k; p != 0; p--
  get(P);
  code.push(Op.I32Eqz, Op.BrIf, 1);
  get(BPTR);
  simd(V128_LOAD, ...memarg(4, 0));
  set(B0);
  get(BPTR);
  simd(V128_LOAD, ...memarg(4, 16));
  set(B1);
  for (let r = 0; r < 4; r++) {
    get(APTR);
    simd(V128_LOAD32_SPLAT, ...memarg(2, r * 4));
    set(A);
    for (const [acc, b] of [[ACC[2 * r]!, B0], [ACC[2 * r + 1]!, B1]] as const) {
      get(acc);
      get(A);
      get(b);
      simd(F32X4_MUL);
      simd(F32X4_ADD);
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
    simd(V128_STORE, ...memarg(4, 0));
    get(CPTR);
    get(ACC[2 * r + 1]!);
    simd(V128_STORE, ...memarg(4, 16));
    addTo(CPTR, () => get(ROW_BYTES));
  }

  addTo(JP, () => i32(1));
  code.push(Op.Br, 0, Op.End, Op.End);

  addTo(IP, () => i32(1));
  code.push(Op.Br, 0, Op.End, Op.End);
  code.push(Op.End);

  const locals = vec([
    [7, I32],
    [11, V128],
  ]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00]]));
  const func = section(3, vec([[0]]));
  const memory = section(5, vec([[0x00, 1]])); // one page to start; grown on demand
  const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
  const exports = section(7, vec([[...name("gemm"), 0x00, 0], [...name("memory"), 0x02, 0]]));
  const codeSection = section(10, vec([body()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...func, ...memory, ...exports, ...codeSection]);
}

export interface WasmGemm {
  /** Float32 views of the three regions, each at least the requested size. */
  buffers(aFloats: number, bFloats: number, cFloats: number): { a: Float32Array; b: Float32Array; c: Float32Array };
  /** C = A·B on the packed panels currently in the buffers. */
  run(mPanels: number, nPanels: number, k: number): void;
}

/** Compiles the kernel, or returns null where WebAssembly SIMD is unavailable. */
export function createWasmGemm(): WasmGemm | null {
  if (typeof WebAssembly === "undefined") return null;
  const bytes = moduleBytes();
  if (!WebAssembly.validate(bytes)) return null;
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
