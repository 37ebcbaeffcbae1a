import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nn } from "../src/nn/index.js";
import { CHECKSUM_KEY, crc32 } from "../src/nn/safetensors.js";
import { noGrad, tensor } from "../src/tensor/index.js";

const spec = {
  input: 5,
  layers: [{ type: "linear", units: 7 }, { type: "activation", name: "elu", options: { alpha: 0.5 } }, { type: "layerNorm" }, { type: "linear", units: 3, bias: false }],
};
const input = tensor(Float32Array.from({ length: 20 }, (_, i) => Math.cos(i * 0.7) * 3), [4, 5]);

async function outputs(model: nn.Module): Promise<Float32Array> {
  return noGrad(() => model.eval().forward(input)).data();
}

/** The header of a safetensors file, parsed by the format's rules alone (as another reader would). */
function header(bytes: Uint8Array): Record<string, unknown> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

describe("weights on disk (safetensors)", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tunegrad-nn-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("save then load gives a model with the same spec and bit-identical outputs", async () => {
    const model = nn.fromSpec(spec, { seed: 11 });
    const path = join(dir, "model.safetensors");
    await nn.save(model, path);
    const loaded = await nn.load(path);
    assert.deepEqual(loaded.toSpec(), model.toSpec());
    assert.deepEqual(await outputs(loaded), await outputs(model));
  });

  it("writes the standard layout: u64 header length, F32 entries with data_offsets, the spec in __metadata__", async () => {
    const model = nn.fromSpec(spec, { seed: 3 });
    const bytes = await nn.toBytes(model);
    const h = header(bytes);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0, "the data starts 8-byte aligned");
    const meta = h.__metadata__ as Record<string, string>;
    assert.deepEqual(JSON.parse(meta.spec!), spec);
    assert.equal(meta[CHECKSUM_KEY], String(crc32(bytes.subarray(8 + n))));
    const weight = h["0.weight"] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    assert.equal(weight.dtype, "F32");
    assert.deepEqual(weight.shape, [5, 7]);
    const stored = new DataView(bytes.buffer, bytes.byteOffset + 8 + n + weight.data_offsets[0]);
    const actual = await (model.layers[0] as nn.Linear).weight.data();
    actual.forEach((v, i) => assert.equal(stored.getFloat32(4 * i, true), v));
    assert.deepEqual(Object.keys(h).sort(), ["0.bias", "0.weight", "2.bias", "2.weight", "3.weight", "__metadata__"]);
  });

  it("round-trips through bytes without the file system (the browser path)", async () => {
    const model = nn.fromSpec(spec, { seed: 4 });
    const bytes = await nn.toBytes(model);
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    assert.deepEqual(await outputs(nn.fromBytes(copy)), await outputs(model));
  });

  it("CRC-32 matches the standard check value", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  describe("rejects a damaged file with a clear error", async () => {
    const good = await nn.toBytes(nn.fromSpec(spec, { seed: 5 }));
    const n = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
    const damaged = (edit: (b: Uint8Array) => Uint8Array) => edit(good.slice());
    const cases: [string, Uint8Array, RegExp][] = [
      ["empty", new Uint8Array(0), /not a valid safetensors file: it is 0 bytes long/],
      ["truncated in the header", good.subarray(0, 8 + Math.floor(n / 2)), /the header claims \d+ bytes but only \d+ follow the length field \(truncated\?\)/],
      ["truncated in the data", good.subarray(0, good.length - 10), /ends at byte \d+ of the data but the file holds only \d+ \(truncated\?\)/],
      ["with trailing bytes", new Uint8Array([...good, 1, 2, 3, 4]), /the tensors cover \d+ bytes of data but \d+ follow the header/],
      ["with a flipped bit in the data", damaged((b) => { b[b.length - 3]! ^= 0x10; return b; }), /the data's CRC-32 is \d+ but the header records \d+ \(the file is corrupt\)/],
      ["with a corrupt header", damaged((b) => { b[8]! = 0x7b + 1; return b; }), /the header is not valid UTF-8 JSON/],
      ["with an absurd header length", damaged((b) => { new DataView(b.buffer).setBigUint64(0, 1n << 40n, true); return b; }), /the header claims 1099511627776 bytes/],
    ];
    for (const [what, bytes, message] of cases) {
      it(what, async () => {
        assert.throws(() => nn.fromBytes(bytes), message);
        const path = join(dir, `${what.replace(/\W+/g, "-")}.safetensors`);
        await writeFile(path, bytes);
        await assert.rejects(nn.load(path), (e: Error) => e.message.startsWith(`${path}: not a valid safetensors file`) && message.test(e.message));
      });
    }
  });

  it("names the mismatch when a file's weights do not fit its spec", async () => {
    const model = nn.fromSpec(spec, { seed: 6 });
    const state = await nn.readState(model.stateDict());
    state["0.weight"] = { shape: [7, 5], data: state["0.weight"]!.data };
    const bytes = nn.encodeSafetensors(new Map(Object.entries(state)), { spec: JSON.stringify(spec) });
    assert.throws(() => nn.fromBytes(bytes), /loadStateDict: "0\.weight" has shape \[7, 5\] but the model's is \[5, 7\]/);
  });

  it("any tensor name round-trips, \"__proto__\" included", () => {
    const tensors = new Map([["__proto__", { shape: [1], data: new Float32Array([7]) }], ["constructor", { shape: [1], data: new Float32Array([8]) }]]);
    const back = nn.decodeSafetensors(nn.encodeSafetensors(tensors)).tensors;
    assert.deepEqual([...back.keys()], ["__proto__", "constructor"]);
    assert.deepEqual([...back.values()].map((t) => t.data[0]), [7, 8]);
  });

  it("a file without a spec says how to load its tensors instead", async () => {
    const bytes = nn.encodeSafetensors(new Map([["w", { shape: [2], data: new Float32Array([1, 2]) }]]));
    assert.throws(() => nn.fromBytes(bytes), /has no model spec in __metadata__\.spec.*model\.loadStateDict\(Object\.fromEntries\(nn\.decodeSafetensors\(bytes\)\.tensors\)\)/);
    assert.deepEqual([...nn.decodeSafetensors(bytes).tensors.get("w")!.data], [1, 2]);
    // The advice works as written.
    const model = nn.fromSpec({ input: 2, layers: [{ type: "linear", units: 1 }] }, { seed: 1 });
    const weights = new Map([["0.weight", { shape: [2, 1], data: new Float32Array([3, 4]) }], ["0.bias", { shape: [1], data: new Float32Array([5]) }]]);
    model.loadStateDict(Object.fromEntries(nn.decodeSafetensors(nn.encodeSafetensors(weights)).tensors));
    assert.deepEqual([...(await model.stateDict()["0.weight"]!.data())], [3, 4]);
    model.dispose();
  });

  it("reads a file written by another writer (unpadded header, no checksum)", () => {
    const data = new Float32Array([1.5, -2, 3.25]);
    const head = new TextEncoder().encode(JSON.stringify({ x: { dtype: "F32", shape: [3], data_offsets: [0, 12] } }));
    const bytes = new Uint8Array(8 + head.length + 12);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    bytes.set(new Uint8Array(data.buffer), 8 + head.length);
    assert.deepEqual([...nn.decodeSafetensors(bytes).tensors.get("x")!.data], [1.5, -2, 3.25]);
  });

  it("save leaves no partial file behind and overwrites atomically", async () => {
    const path = join(dir, "again.safetensors");
    await nn.save(nn.fromSpec(spec, { seed: 1 }), path);
    await nn.save(nn.fromSpec(spec, { seed: 2 }), path);
    await assert.rejects(readFile(`${path}.partial`), /ENOENT/);
    assert.deepEqual(await outputs(await nn.load(path)), await outputs(nn.fromSpec(spec, { seed: 2 })));
  });
});
