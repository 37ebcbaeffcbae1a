// The safetensors format, as bytes (no fs here, so a browser bundle can use it):
//   8 bytes   little-endian u64 N, the header length
//   N bytes   UTF-8 JSON: { "__metadata__": { string: string }, name: { dtype, shape, data_offsets } }
//   rest      raw little-endian tensor data; data_offsets are [begin, end) into this part
// Only F32 is written and read (tunegrad is float32 throughout). Every structural fact is
// checked on decode — header bounds, offsets, sizes, full coverage of the data — and a CRC-32
// of the data travels in the metadata, so a truncated or corrupt file is an error, never a
// half-loaded model. Other readers ignore the extra metadata key.

export interface NamedArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface SafetensorsContents {
  readonly tensors: Map<string, NamedArray>;
  readonly metadata: Record<string, string>;
}

/** The metadata key under which the CRC-32 of the data section is stored. */
export const CHECKSUM_KEY = "tunegrad.crc32";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib computes it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function encodeSafetensors(tensors: ReadonlyMap<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  let offset = 0;
  // Without a prototype, so that a tensor named "__proto__" is an entry like any other.
  const entries: Record<string, { dtype: "F32"; shape: number[]; data_offsets: [number, number] }> = Object.create(null);
  for (const [name, t] of tensors) {
    if (name === "__metadata__") throw new Error(`"__metadata__" is reserved by safetensors and cannot name a tensor`);
    if (elementCount(t.shape) !== t.data.length) {
      throw new Error(`tensor "${name}": shape [${t.shape.join(", ")}] holds ${elementCount(t.shape)} values but ${t.data.length} were given`);
    }
    const bytes = t.data.length * 4;
    entries[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const body = new Uint8Array(offset);
  const view = new DataView(body.buffer);
  let at = 0;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw new Error(`safetensors metadata values must be strings; "${key}" is ${typeof value}`);
  }
  const header = JSON.stringify(Object.assign(Object.create(null), { __metadata__: { ...metadata, [CHECKSUM_KEY]: String(crc32(body)) } }, entries));
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  let headerBytes = new TextEncoder().encode(header);
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) headerBytes = new TextEncoder().encode(header + " ".repeat(padded - headerBytes.length));
  const out = new Uint8Array(8 + headerBytes.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(body, 8 + headerBytes.length);
  return out;
}

function corrupt(what: string): Error {
  return new Error(`not a valid safetensors file: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function decodeSafetensors(input: ArrayBuffer | Uint8Array): SafetensorsContents {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 8) throw corrupt(`it is ${bytes.length} bytes long, shorter than the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw corrupt(`the header claims ${headerLength} bytes but only ${bytes.length - 8} follow the length field (truncated?)`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw corrupt(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw corrupt("the header is not a JSON object");

  const metadata: Record<string, string> = {};
  if (header.__metadata__ !== undefined) {
    if (!isObject(header.__metadata__)) throw corrupt("__metadata__ is not an object of strings");
    for (const [k, v] of Object.entries(header.__metadata__)) {
      if (typeof v !== "string") throw corrupt(`__metadata__.${k} is not a string`);
      metadata[k] = v;
    }
  }

  const data = bytes.subarray(dataStart);
  const ranges: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!isObject(entry)) throw corrupt(`the entry for "${name}" is not an object`);
    if (entry.dtype !== "F32") throw new Error(`tensor "${name}" has dtype ${JSON.stringify(entry.dtype)}; tunegrad reads only F32`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw corrupt(`tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw corrupt(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = elementCount(shape as number[]) * 4;
    if (end - begin !== expected) {
      throw corrupt(`tensor "${name}" of shape [${shape.join(", ")}] needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    if (end > data.length) {
      throw corrupt(`tensor "${name}" ends at byte ${end} of the data but the file holds only ${data.length} (truncated?)`);
    }
    ranges.push({ name, begin, end, shape: shape as number[] });
  }

  // The safetensors rule: the tensors tile the data section exactly, no gaps, no overlaps.
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin);
  let covered = 0;
  for (const r of sorted) {
    if (r.begin !== covered) throw corrupt(`tensor "${r.name}" starts at byte ${r.begin} but the previous data ends at ${covered}`);
    covered = r.end;
  }
  if (covered !== data.length) throw corrupt(`the tensors cover ${covered} bytes of data but ${data.length} follow the header`);

  const stored = metadata[CHECKSUM_KEY];
  if (stored !== undefined && String(crc32(data)) !== stored) {
    throw corrupt(`the data's CRC-32 is ${crc32(data)} but the header records ${stored} (the file is corrupt)`);
  }

  const tensors = new Map<string, NamedArray>();
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const r of ranges) {
    const values = new Float32Array((r.end - r.begin) / 4);
    for (let i = 0; i < values.length; i++) values[i] = dataView.getFloat32(r.begin + 4 * i, true);
    tensors.set(r.name, { shape: r.shape, data: values });
  }
  return { tensors, metadata };
}
