// A seeded, splittable pseudo-random generator for the tuner: xoshiro128** (Blackman & Vigna)
// seeded from a 128-bit hash of its seed material. `fork(...keys)` derives an independent
// generator from the seed material and the keys alone, without consuming this generator's
// state, so "the config of trial 7" or "the seed of trial 7" is the same value however many
// other draws happened before it, whatever order trials finish in.

import { describeValue } from "./json.js";

export type SeedKey = string | number;

export interface RandomState {
  /** The seed material: the seed followed by the fork keys that led here. */
  material: SeedKey[];
  /** xoshiro128** state words (uint32). */
  s: [number, number, number, number];
}

/** cyrb128: a fast 128-bit string hash (public domain), used only to seed the generator. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function checkKey(key: unknown, what: string): asserts key is SeedKey {
  if (typeof key === "string") return;
  if (typeof key === "number" && Number.isFinite(key)) return;
  throw new TypeError(`${what} must be a string or a finite number, got ${describeValue(key)}`);
}

export class Random {
  private readonly material: SeedKey[];
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: SeedKey | SeedKey[]) {
    const material = Array.isArray(seed) ? [...seed] : [seed];
    if (material.length === 0) throw new TypeError("a Random needs a seed (a string or a finite number)");
    material.forEach((k, i) => checkKey(k, i === 0 ? "the seed" : `fork key ${i}`));
    this.material = material;
    const [a, b, c, d] = hash128(JSON.stringify(material));
    // xoshiro's state must not be all zero; the hash makes that vanishingly rare, but be exact.
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = a === 0 && b === 0 && c === 0 && d === 0 ? 1 : d;
  }

  /** An independent generator for these keys; this generator's state is not touched. */
  fork(...keys: SeedKey[]): Random {
    keys.forEach((k, i) => checkKey(k, `fork key ${i + 1}`));
    return new Random([...this.material, ...keys]);
  }

  /** A uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** An integer in [low, high) (high exclusive), without modulo bias. */
  int(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RangeError(`int(low, high) needs safe integers with low < high, got ${low}, ${high}`);
    }
    const span = high - low;
    if (span <= 0x100000000) {
      // Rejection sampling on 32 bits: draws above the largest multiple of span are redrawn.
      const limit = 0x100000000 - (0x100000000 % span);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return low + (x % span);
      }
    }
    return low + Math.floor(this.next() * span);
  }

  getState(): RandomState {
    return { material: [...this.material], s: [this.s0, this.s1, this.s2, this.s3] };
  }

  setState(state: RandomState): void {
    if (!state || !Array.isArray(state.material) || !Array.isArray(state.s) || state.s.length !== 4) {
      throw new TypeError("Random.setState expects { material: (string|number)[], s: [4 uint32] } from getState()");
    }
    state.material.forEach((k, i) => checkKey(k, `material[${i}]`));
    this.material.splice(0, this.material.length, ...state.material);
    [this.s0, this.s1, this.s2, this.s3] = state.s.map((x) => x >>> 0) as [number, number, number, number];
  }

  static fromState(state: RandomState): Random {
    const r = new Random(state.material);
    r.setState(state);
    return r;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A uint32 seed derived from the seed material and keys (e.g. a trial's seed). */
export function deriveSeed(seed: SeedKey, ...keys: SeedKey[]): number {
  return new Random([seed, ...keys]).nextUint32();
}
