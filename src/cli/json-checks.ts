// Checks for JSON files a user writes (experiments, training specs): each failure names the JSON
// path ($.training.batchSize) and says what would be right.
import { readFileSync } from "node:fs";
import { joinPath } from "../tune/json.js";
import type { JsonObject, JsonValue } from "../tune/types.js";

/** A mistake in what the user gave (a file, a directory): the message says what would be right. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

export type Json = JsonValue | undefined;

export function fail(at: string, problem: string): never {
  throw new InputError(`${at} ${problem}`);
}

export function describe(value: Json): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

export function object(value: Json, at: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(at, `must be an object, got ${describe(value)}`);
  return value;
}

export function onlyKeys(value: JsonObject, at: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(joinPath(at, key), `is not a known setting; the settings here are ${allowed.join(", ")}`);
  }
}

export function string(value: Json, at: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value === "") fail(at, `must be a non-empty string, got ${describe(value)}`);
  return value;
}

export function integer(value: Json, at: string, min: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) fail(at, `must be an integer >= ${min}, got ${describe(value)}`);
  return value;
}

export function oneOf<T extends string>(value: Json, at: string, choices: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    fail(at, `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${describe(value)}`);
  }
  return value as T;
}


/** Reads a JSON file; a missing file or a syntax error is an InputError naming the file. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
