// Search spaces. A space is JSON: nested objects and arrays whose leaves are constants or
// domains, tagged objects such as {"$type": "loguniform", "low": 1e-4, "high": 0.1}. Because a
// space is JSON it can be stored in experiment.json and sampled again on resume, in another
// thread or another process.

import { assertJson, describeValue, joinPath } from "./json.js";
import { Random, type SeedKey } from "./random.js";
import type { Config, JsonObject, JsonValue } from "./types.js";

export type Domain =
  | { $type: "choice"; values: JsonValue[] }
  | { $type: "grid"; values: JsonValue[] }
  | { $type: "uniform"; low: number; high: number }
  | { $type: "quniform"; low: number; high: number; q: number }
  | { $type: "loguniform"; low: number; high: number }
  | { $type: "qloguniform"; low: number; high: number; q: number }
  | { $type: "randint"; low: number; high: number };

export type DomainType = Domain["$type"];
export const DOMAIN_TYPES: readonly DomainType[] = ["choice", "grid", "uniform", "quniform", "loguniform", "qloguniform", "randint"];

/** A space: a JSON value in which domains may appear anywhere. */
export type Space = JsonValue;

function finite(name: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isFinite(x)) throw new TypeError(`${name} must be a finite number, got ${describeValue(x)}`);
  return x;
}

function range(kind: string, low: unknown, high: unknown): [number, number] {
  const lo = finite(`${kind}: low`, low);
  const hi = finite(`${kind}: high`, high);
  if (!(lo < hi)) throw new RangeError(`${kind}(low, high) needs low < high, got low=${lo}, high=${hi}`);
  return [lo, hi];
}

function positiveQ(kind: string, q: unknown): number {
  const x = finite(`${kind}: q`, q);
  if (!(x > 0)) throw new RangeError(`${kind}: q must be > 0, got ${x}`);
  return x;
}

function values(kind: string, vals: unknown): JsonValue[] {
  if (!Array.isArray(vals) || vals.length === 0) throw new TypeError(`${kind}(values) needs a non-empty array of JSON values`);
  assertJson(vals, `${kind} values`);
  return [...vals];
}

/** One of `values`, uniformly. Values may themselves hold domains (sampled in turn). */
export function choice<T extends JsonValue>(vals: readonly T[]): Domain {
  return { $type: "choice", values: values("choice", vals) };
}

/** Every one of `values`: the grid searcher enumerates the cartesian product of all grids
 *  (random sampling picks one uniformly, as `choice` does). */
export function grid<T extends JsonValue>(vals: readonly T[]): Domain {
  return { $type: "grid", values: values("grid", vals) };
}

/** A float in [low, high). */
export function uniform(low: number, high: number): Domain {
  const [lo, hi] = range("uniform", low, high);
  return { $type: "uniform", low: lo, high: hi };
}

/** A multiple of q in [low, high]: uniform(low, high) rounded to the nearest multiple of q
 *  that lies within the bounds. */
export function quniform(low: number, high: number, q: number): Domain {
  const [lo, hi] = range("quniform", low, high);
  const step = positiveQ("quniform", q);
  checkQuantizable("quniform", lo, hi, step);
  return { $type: "quniform", low: lo, high: hi, q: step };
}

/** A float in [low, high) whose logarithm is uniform; 0 < low < high. */
export function loguniform(low: number, high: number): Domain {
  const [lo, hi] = range("loguniform", low, high);
  if (!(lo > 0)) throw new RangeError(`loguniform(low, high) needs 0 < low, got low=${lo}`);
  return { $type: "loguniform", low: lo, high: hi };
}

/** A multiple of q in [low, high]: loguniform(low, high) rounded to the nearest multiple of q
 *  that lies within the bounds. */
export function qloguniform(low: number, high: number, q: number): Domain {
  const [lo, hi] = range("qloguniform", low, high);
  if (!(lo > 0)) throw new RangeError(`qloguniform(low, high, q) needs 0 < low, got low=${lo}`);
  const step = positiveQ("qloguniform", q);
  checkQuantizable("qloguniform", lo, hi, step);
  return { $type: "qloguniform", low: lo, high: hi, q: step };
}

/** An integer in [low, high): the upper bound is EXCLUSIVE, as in numpy and Ray Tune
 *  (randint(0, 3) gives 0, 1 or 2). */
export function randint(low: number, high: number): Domain {
  const [lo, hi] = range("randint", low, high);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new TypeError(`randint(low, high) needs integers, got ${lo}, ${hi}`);
  return { $type: "randint", low: lo, high: hi };
}

function checkQuantizable(kind: string, low: number, high: number, q: number): void {
  if (quantizedRange(low, high, q) === undefined) throw new RangeError(`${kind}: no multiple of q=${q} lies in [${low}, ${high}]`);
}

/** The multiples k·q that lie in [low, high], as [kmin, kmax], or undefined if none. */
function quantizedRange(low: number, high: number, q: number): [number, number] | undefined {
  const kmin = Math.ceil(low / q - 1e-9);
  const kmax = Math.floor(high / q + 1e-9);
  return kmin <= kmax ? [kmin, kmax] : undefined;
}

/** k·q without float noise such as 3 * 0.1 = 0.30000000000000004. */
function multiple(k: number, q: number): number {
  return Number.isInteger(q) ? k * q : Number.parseFloat((k * q).toPrecision(15));
}

function quantize(x: number, low: number, high: number, q: number): number {
  const [kmin, kmax] = quantizedRange(low, high, q)!;
  const k = Math.min(kmax, Math.max(kmin, Math.round(x / q)));
  return multiple(k, q);
}

// ---------------------------------------------------------------------------------------------

/** True when `value` is a tagged domain object. Unknown `$type` tags are an error. */
export function isDomain(value: unknown, path = "space"): value is Domain {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("$type" in value)) return false;
  const tag = (value as { $type: unknown }).$type;
  if (typeof tag !== "string" || !(DOMAIN_TYPES as readonly string[]).includes(tag)) {
    throw new TypeError(`${path}.$type is ${JSON.stringify(tag)}; known domain types: ${DOMAIN_TYPES.join(", ")}`);
  }
  return true;
}

/** The keys each domain type holds; anything else (a misspelled "hihg") is an error, not ignored. */
const DOMAIN_KEYS: Readonly<Record<DomainType, readonly string[]>> = {
  choice: ["$type", "values"],
  grid: ["$type", "values"],
  uniform: ["$type", "low", "high"],
  quniform: ["$type", "low", "high", "q"],
  loguniform: ["$type", "low", "high"],
  qloguniform: ["$type", "low", "high", "q"],
  randint: ["$type", "low", "high"],
};

/** Checks a domain read from JSON: no unknown keys, then its values, by rebuilding it with the
 *  constructor that validates them. */
function validateDomain(d: Domain, path: string): void {
  const allowed = DOMAIN_KEYS[d.$type];
  for (const key of Object.keys(d)) {
    if (!allowed.includes(key)) throw new TypeError(`${joinPath(path, key)} is not a key of a ${d.$type} domain; its keys are ${allowed.join(", ")}`);
  }
  try {
    switch (d.$type) {
      case "choice": choice(d.values); break;
      case "grid": grid(d.values); break;
      case "uniform": uniform(d.low, d.high); break;
      case "quniform": quniform(d.low, d.high, d.q); break;
      case "loguniform": loguniform(d.low, d.high); break;
      case "qloguniform": qloguniform(d.low, d.high, d.q); break;
      case "randint": randint(d.low, d.high); break;
    }
  } catch (e) {
    throw new TypeError(`${path}: ${(e as Error).message}`);
  }
}

/** Throws, naming the key path, if the space holds a non-JSON value or a malformed domain. */
export function validateSpace(space: unknown, path = "space"): asserts space is Space {
  assertJson(space, path);
  walkDomains(space, path, (d, p) => validateDomain(d, p));
}

/** Visits every domain; `nested` is true for domains inside the values of a choice or grid. */
function walkDomains(value: JsonValue, path: string, visit: (d: Domain, path: string, nested: boolean) => void, nested = false): void {
  if (isDomain(value, path)) {
    visit(value, path, nested);
    if (value.$type === "choice" || value.$type === "grid") value.values.forEach((v, i) => walkDomains(v, `${path}.values[${i}]`, visit, true));
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => walkDomains(v, joinPath(path, i), visit, nested));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) walkDomains(v, joinPath(path, k), visit, nested);
}

function sampleDomain(d: Domain, rng: Random, path: string): JsonValue {
  switch (d.$type) {
    case "choice":
    case "grid": {
      const i = rng.int(0, d.values.length);
      return sampleValue(d.values[i]!, rng.fork("value", i), `${path}.values[${i}]`);
    }
    case "uniform":
      return rng.uniform(d.low, d.high);
    case "quniform":
      return quantize(rng.uniform(d.low, d.high), d.low, d.high, d.q);
    case "loguniform":
      return Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high)));
    case "qloguniform":
      return quantize(Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))), d.low, d.high, d.q);
    case "randint":
      return rng.int(d.low, d.high);
  }
}

/**
 * Samples every domain in `value`. Each domain draws from a generator forked by its key path,
 * so adding a key to a space does not change the values drawn for the other keys.
 * `fixed` maps key paths (as `sample` names them: "space.a.b[0]") to values that replace the
 * domain there; the grid searcher uses it.
 */
export function sampleValue(value: JsonValue, rng: Random, path: string, fixed?: ReadonlyMap<string, JsonValue>): JsonValue {
  const pinned = fixed?.get(path);
  if (isDomain(value, path)) {
    if (pinned !== undefined) return sampleValue(pinned, rng.fork(path, "pinned"), path, fixed);
    return sampleDomain(value, rng.fork(path), path);
  }
  if (Array.isArray(value)) return value.map((v, i) => sampleValue(v, rng, joinPath(path, i), fixed));
  if (typeof value === "object" && value !== null) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = sampleValue(v, rng, joinPath(path, k), fixed);
    return out;
  }
  return value;
}

export interface SampleOptions {
  /** The seed (a number or string). The same seed gives the same config. */
  seed: SeedKey;
}

/** One config drawn from the space: plain JSON. A non-JSON value anywhere is an error naming its key path. */
export function sample(space: Space, options: SampleOptions | Random): Config {
  validateSpace(space);
  const rng = options instanceof Random ? options : new Random(options.seed);
  const config = sampleValue(space, rng, "space");
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new TypeError(`a space must be an object of keys to domains or constants, got ${Array.isArray(space) ? "an array" : typeof space}`);
  }
  return config;
}

/** The grid domains of a space, with their key paths, in a fixed order (depth first, key order). */
export function gridDomains(space: Space): { path: string; values: JsonValue[] }[] {
  const out: { path: string; values: JsonValue[] }[] = [];
  walkDomains(space, "space", (d, p, nested) => {
    if (d.$type !== "grid") return;
    if (nested) throw new TypeError(`${p}: a grid inside a choice or grid cannot be enumerated; put it at the top level of the space`);
    out.push({ path: p, values: d.values });
  });
  return out;
}

/** Throws, naming the key path, if a config is not plain JSON. */
export function validateConfig(config: unknown, path = "config"): asserts config is Config {
  assertJson(config, path);
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new TypeError(`${path} must be a plain object`);
}
