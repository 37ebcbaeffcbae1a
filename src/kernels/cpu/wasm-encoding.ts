// WebAssembly binary encoding, the little the CPU kernels need to assemble their modules from
// TypeScript at load time (no toolchain, no binary in the repository): opcodes, LEB128 numbers,
// sections, and the module header. Shared by wasm-gemm.ts and wasm-elementwise.ts.

/** Core opcodes (one byte each). */
export const Op = {
  Block: 0x02,
  Loop: 0x03,
  Br: 0x0c,
  BrIf: 0x0d,
  End: 0x0b,
  LocalGet: 0x20,
  LocalSet: 0x21,
  I32Const: 0x41,
  I32Eqz: 0x45,
  I32GeU: 0x4f,
  I32Add: 0x6a,
  I32Sub: 0x6b,
  I32Mul: 0x6c,
  I32And: 0x71,
  Simd: 0xfd,
} as const;

/** SIMD sub-opcodes (after the 0xfd prefix), as unsigned LEB128. */
export const Simd = {
  V128Load: [0x00],
  V128Load32Splat: [0x09],
  V128Store: [0x0b],
  V128Const: [0x0c],
  F32x4Splat: [0x13],
  F32x4Eq: [0x41],
  F32x4Lt: [0x43],
  F32x4Gt: [0x44],
  F32x4Le: [0x45],
  F32x4Ge: [0x46],
  V128And: [0x4e],
  V128Bitselect: [0x52],
  I32x4Shl: [0xab, 0x01],
  I32x4ShrS: [0xac, 0x01],
  I32x4Add: [0xae, 0x01],
  I32x4Sub: [0xb1, 0x01],
  F32x4Abs: [0xe0, 0x01],
  F32x4Neg: [0xe1, 0x01],
  F32x4Add: [0xe4, 0x01],
  F32x4Sub: [0xe5, 0x01],
  F32x4Mul: [0xe6, 0x01],
  F32x4Div: [0xe7, 0x01],
  F32x4Pmin: [0xea, 0x01],
  F32x4Pmax: [0xeb, 0x01],
} as const;

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** The block type of a block or loop that leaves nothing on the stack. */
export const EMPTY_BLOCK = 0x40;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
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

/** A name as the binary format stores it: length, then UTF-8 bytes. */
function name(s: string): number[] {
  return [...uleb(s.length), ...new TextEncoder().encode(s)];
}

/** A function type: (params) -> (results). */
export function funcType(params: number[], results: number[]): number[] {
  return [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];
}

/** A function body: local declarations as [count, type] runs, then the code, then `end`. */
export function funcBody(locals: [count: number, type: number][], code: number[]): number[] {
  const fn = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, Op.End];
  return [...uleb(fn.length), ...fn];
}

export interface ModuleParts {
  /** Distinct function types, each from funcType. */
  types: number[][];
  /** One entry per function: its index into `types`, and its body from funcBody. */
  functions: { type: number; body: number[] }[];
  /** Initial size of the exported memory "memory", in 64 KiB pages. */
  memoryPages: number;
  /** Exported functions, by name and function index. */
  exports: { name: string; func: number }[];
}

/** The bytes of a module with one exported memory and the given functions. */
export function assembleModule(parts: ModuleParts): Uint8Array<ArrayBuffer> {
  const type = section(1, vec(parts.types));
  const func = section(3, vec(parts.functions.map((f) => uleb(f.type))));
  const memory = section(5, vec([[0x00, ...uleb(parts.memoryPages)]]));
  const exportEntries = [...parts.exports.map((e) => [...name(e.name), 0x00, ...uleb(e.func)]), [...name("memory"), 0x02, 0]];
  const exports = section(7, vec(exportEntries));
  const code = section(10, vec(parts.functions.map((f) => f.body)));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...func, ...memory, ...exports, ...code]);
}

/** False where the host has no WebAssembly or its WebAssembly lacks the SIMD proposal. */
export function canRun(bytes: Uint8Array<ArrayBuffer>): boolean {
  return typeof WebAssembly !== "undefined" && WebAssembly.validate(bytes);
}
