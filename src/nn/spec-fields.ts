// Validation of spec fields with errors that name the JSON path of the fault, e.g.
// `spec.layers[2].units must be a positive integer, got "64"`.

import type { Registry } from "./registry.js";

/** What a spec check needs of a registry, whatever it holds. */
type KeyedRegistry = Pick<Registry<unknown>, "kind" | "has" | "keys" | "unknownKeyError">;

export type SpecObject = Readonly<Record<string, unknown>>;

const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

export function isSpecObject(v: unknown): v is SpecObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rejects fields other than `allowed` (a typo such as "unit" for "units" must not pass silently). */
export function checkFields(entry: SpecObject, path: string, what: string, allowed: readonly string[]): void {
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) throw new Error(`${path}.${key} is not a field of ${what}; its fields are: ${allowed.join(", ")}`);
  }
}

export function positiveInteger(entry: SpecObject, key: string, path: string, what: string): number {
  const v = entry[key];
  if (v === undefined) throw new Error(`${path}.${key} is missing: ${what} needs ${key} (a positive integer)`);
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new Error(`${path}.${key} must be a positive integer, got ${show(v)}`);
  return v;
}

export function optionalBoolean(entry: SpecObject, key: string, path: string): boolean | undefined {
  const v = entry[key];
  if (v !== undefined && typeof v !== "boolean") throw new Error(`${path}.${key} must be true or false, got ${show(v)}`);
  return v;
}

/** A number satisfying `ok`, which `rule` describes ("a number in [0, 1)"). */
export function numberField(entry: SpecObject, key: string, path: string, rule: string, ok: (v: number) => boolean, required: boolean): number | undefined {
  const v = entry[key];
  if (v === undefined) {
    if (required) throw new Error(`${path}.${key} is missing: it must be ${rule}`);
    return undefined;
  }
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw new Error(`${path}.${key} must be ${rule}, got ${show(v)}`);
  return v;
}

/** A string that is a key of `registry`; an unknown one gets the registry's error, prefixed by the path. */
export function registryKey(entry: SpecObject, key: string, path: string, registry: KeyedRegistry, required: boolean): string | undefined {
  const v = entry[key];
  if (v === undefined) {
    if (required) throw new Error(`${path}.${key} is missing: it must name a ${registry.kind} (one of: ${registry.keys().join(", ")})`);
    return undefined;
  }
  if (typeof v !== "string") throw new Error(`${path}.${key} must be a string naming a ${registry.kind}, got ${show(v)}`);
  if (!registry.has(v)) throw new Error(`${path}.${key}: ${registry.unknownKeyError(v).message}`);
  return v;
}

/** An object whose values are all numbers (an activation's options). */
export function numberRecord(entry: SpecObject, key: string, path: string): Record<string, number> | undefined {
  const v = entry[key];
  if (v === undefined) return undefined;
  if (!isSpecObject(v)) throw new Error(`${path}.${key} must be an object of numbers, got ${show(v)}`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`${path}.${key}.${k} must be a finite number, got ${show(x)}`);
  }
  return v as Record<string, number>;
}

/** An array of `length` finite numbers (one per input feature). */
export function numberArray(entry: SpecObject, key: string, path: string, length: number): number[] {
  const v = entry[key];
  if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    const got = Array.isArray(v) ? `${v.length} values${v.every((x) => typeof x === "number" && Number.isFinite(x)) ? "" : ", not all finite numbers"}` : show(v);
    throw new Error(`${path}.${key} must be an array of ${length} finite numbers (one per input feature), got ${got}`);
  }
  return v as number[];
}
