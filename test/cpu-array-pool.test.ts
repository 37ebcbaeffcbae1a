// The CPU backend's pool of freed arrays: a reused buffer comes back zeroed, a freed buffer cannot
// be used (or freed) again, live bytes count only buffers in use, and the pool keeps no more than
// its limit.
import assert from "node:assert/strict";
import { it } from "node:test";
import { CpuBackend } from "../src/kernels/cpu/backend.js";

const N = 4096;

it("a buffer allocated again after free is zero-filled, whatever was written to it", () => {
  const backend = new CpuBackend();
  const a = backend.alloc(N);
  backend.fill(a, 7);
  backend.free(a);
  assert.equal(backend.idleBytes(), N * 4);
  const b = backend.alloc(N);
  assert.equal(backend.idleBytes(), 0, "the freed array was reused");
  assert.ok(backend.readSync(b).every((v) => v === 0));
});

it("a freed buffer cannot be read, written or freed again", () => {
  const backend = new CpuBackend();
  const a = backend.alloc(N);
  backend.free(a);
  assert.throws(() => backend.readSync(a), /a CPU buffer was used after it was freed/);
  assert.throws(() => backend.fill(a, 1), /used after it was freed/);
  assert.throws(() => backend.free(a), /used after it was freed/);
});

it("live bytes count buffers in use; the pool keeps at most maxIdleBytes, and 0 turns it off", () => {
  const backend = new CpuBackend({ maxIdleBytes: 3 * N * 4 });
  const buffers = Array.from({ length: 5 }, () => backend.alloc(N));
  assert.equal(backend.liveBytes(), 5 * N * 4);
  buffers.forEach((b) => backend.free(b));
  assert.equal(backend.liveBytes(), 0);
  assert.equal(backend.idleBytes(), 3 * N * 4);

  const unpooled = new CpuBackend({ maxIdleBytes: 0 });
  unpooled.free(unpooled.alloc(N));
  assert.equal(unpooled.idleBytes(), 0);
});
