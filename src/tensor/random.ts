// A seeded, splittable random generator (xoshiro128**), the only source of randomness in the
// tensor layer. Numbers are drawn on the host and uploaded, so the same seed gives the same
// values on every backend and every run. `fork(...keys)` derives an independent generator from
// this one's seed and the keys without consuming any state, so "the init of layer 3" gets the
// same numbers however many draws happened elsewhere.

export interface GeneratorState {
  readonly seed: number;
  readonly s: readonly [number, number, number, number];
  /** A spare standard normal from the last Box–Muller pair, if any. */
  readonly spare: number | null;
}

/** 32-bit FNV-1a over a string, then mixed; used to turn keys and seeds into seed words. */
function hashString(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix32(h);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** SplitMix32: expands one seed word into the four state words xoshiro needs. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state);
  };
}

function toSeed(seed: number | string): number {
  if (typeof seed === "string") return hashString(seed, 0);
  if (!Number.isSafeInteger(seed)) throw new Error(`a random seed must be an integer (of magnitude below 2^53) or a string, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  // A seed in [0, 2^32) is its low word. Outside it the high word is mixed before it is folded in,
  // so that no simple pattern lines seeds up (−1 and 2^32 + 1 would share a word otherwise).
  return mix32(high === 0 ? low : low ^ mix32(high ^ 0x9e3779b9));
}

export class Generator {
  private seedWord: number;
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed: number | string = 0) {
    this.seedWord = toSeed(seed);
    const next = splitmix32(this.seedWord);
    for (let i = 0; i < 4; i++) this.s[i] = next();
  }

  /** An independent generator determined by this one's seed and the keys (state is untouched). */
  fork(...keys: (string | number)[]): Generator {
    let h = this.seedWord;
    for (const k of keys) h = hashString(`${typeof k}:${k}`, h);
    const g = new Generator(0);
    g.reseed(h);
    return g;
  }

  private reseed(word: number): void {
    this.seedWord = word >>> 0;
    const next = splitmix32(this.seedWord);
    for (let i = 0; i < 4; i++) this.s[i] = next();
    this.spare = null;
  }

  /** The next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    let [s0, s1, s2, s3] = [s[0]!, s[1]!, s[2]!, s[3]!];
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** A standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  getState(): GeneratorState {
    const [a, b, c, d] = this.s;
    return { seed: this.seedWord, s: [a!, b!, c!, d!], spare: this.spare };
  }

  setState(state: GeneratorState): void {
    if (!state || !Array.isArray(state.s) || state.s.length !== 4 || state.s.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error("Generator.setState: expected { seed, s: [four 32-bit unsigned integers], spare } as returned by getState()");
    }
    this.seedWord = state.seed >>> 0;
    this.s.set(state.s);
    this.spare = state.spare ?? null;
  }

  static fromState(state: GeneratorState): Generator {
    const g = new Generator(0);
    g.setState(state);
    return g;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let global = new Generator(0);

/** The generator used when a creation function gets no seed or generator. */
export function globalGenerator(): Generator {
  return global;
}

/** Reseeds the global generator. */
export function manualSeed(seed: number | string): void {
  global = new Generator(seed);
}
