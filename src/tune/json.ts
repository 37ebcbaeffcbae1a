// Configs hold JSON and nothing else (DESIGN principle 7). This check walks a value and throws
// at the first thing that would not survive JSON.stringify/parse unchanged, naming its key path.

import type { JsonValue } from "./types.js";

const ADVICE = "configs hold registry keys (strings) and plain JSON, never code: register the function and put its key here";

/** Appends a key to a path the way one would write it in code: `a.b`, `a[2]`, `a["odd key"]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describeNonJson(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `is ${value}, which JSON cannot hold`;
    case "function": {
      const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
      const name = (value as { name?: string }).name;
      return `is a ${isClass ? "class" : "function"}${name ? ` (${name})` : ""}; ${ADVICE}`;
    }
    case "undefined":
      return "is undefined, which JSON cannot hold (use null, or leave the key out)";
    case "symbol":
      return `is a symbol; ${ADVICE}`;
    case "bigint":
      return "is a bigint, which JSON cannot hold (use a number or a string)";
    case "object": {
      if (value === null || Array.isArray(value)) return undefined;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return undefined;
      const name = (value as object).constructor?.name ?? "object";
      return `is a ${name} instance, not a plain object; ${ADVICE}`;
    }
  }
  return "is not JSON";
}

/** Throws a TypeError naming the key path of the first non-JSON value inside `value`. */
export function assertJson(value: unknown, path: string, seen: Set<object> = new Set()): asserts value is JsonValue {
  const problem = describeNonJson(value);
  if (problem) throw new TypeError(`${path} ${problem}`);
  if (typeof value !== "object" || value === null) return;
  if (seen.has(value)) throw new TypeError(`${path} refers back to itself; JSON cannot hold cycles`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new TypeError(`${joinPath(path, i)} is a hole in a sparse array, which JSON cannot hold`);
      assertJson(value[i], joinPath(path, i), seen);
    }
  } else {
    for (const key of Object.keys(value)) assertJson((value as Record<string, unknown>)[key], joinPath(path, key), seen);
    if (Object.getOwnPropertySymbols(value).length > 0) throw new TypeError(`${path} has symbol keys, which JSON cannot hold`);
  }
  seen.delete(value);
}

/** A value for an error message, with its JSON type when that is not the expected number:
 *  `9`, `"9" (a string)`, `[9] (an array)`, `undefined (nothing given)`. */
export function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined (nothing given)";
  if (value === null) return "null";
  if (typeof value === "string") return `${JSON.stringify(value)} (a string)`;
  if (typeof value === "boolean") return `${value} (a boolean)`;
  if (Array.isArray(value)) return `${safeJson(value)} (an array)`;
  if (typeof value === "object") return `${safeJson(value)} (an object)`;
  return `a ${typeof value}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A deep copy through JSON (the value must already pass assertJson). */
export function cloneJson<T extends JsonValue>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
