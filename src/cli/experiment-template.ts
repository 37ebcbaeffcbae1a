// Config references inside an experiment's templates (the model spec and the optimizer): an
// object {"$config": "key"} stands for the trial's value of `key` (a dotted path for nested
// keys, e.g. "layers.0.units"). Everything else is copied as it is.
import { joinPath } from "../tune/json.js";
import type { Config, JsonObject, JsonValue } from "../tune/types.js";
import { InputError } from "./json-checks.js";

export interface ConfigReference {
  /** Where the reference sits in the experiment file, e.g. $.model.layers[1].name */
  at: string;
  /** The config key path it names, e.g. activation1 */
  key: string;
}

function referenceKey(value: JsonValue): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("$config" in value)) return undefined;
  return value.$config as string;
}

/** Every {"$config": ...} in a template; malformed ones are an error naming where they are. */
export function findReferences(template: JsonValue, path: string): ConfigReference[] {
  const found: ConfigReference[] = [];
  const visit = (value: JsonValue, at: string) => {
    if (typeof value !== "object" || value === null) return;
    if (!Array.isArray(value) && "$config" in value) {
      const key = value.$config;
      if (typeof key !== "string" || key === "" || Object.keys(value).length !== 1) {
        throw new InputError(`${at}: a config reference is {"$config": "KEY"} with nothing else in it, got ${JSON.stringify(value)}`);
      }
      found.push({ at, key });
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, joinPath(at, i)));
    else for (const [k, v] of Object.entries(value)) visit(v, joinPath(at, k));
  };
  visit(template, path);
  return found;
}

/** One step down a JSON value: an own key or an array index ("toString" is not a key of {}). */
function child(value: JsonObject | JsonValue[], step: string): JsonValue | undefined {
  if (Array.isArray(value)) return value[Number(step)];
  return Object.hasOwn(value, step) ? value[step] : undefined;
}

/** The value at a dotted key path, or undefined when some step is missing. */
export function lookup(root: JsonValue, key: string): JsonValue | undefined {
  let value: JsonValue | undefined = root;
  for (const step of key.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = child(value, step);
  }
  return value;
}

/**
 * Checks that a reference names a key of the space: each step exists, and the walk may stop at a
 * domain (whose sampled value may be nested further, as a choice of objects is).
 */
export function spaceHasKey(space: JsonValue, key: string): boolean {
  let value: JsonValue | undefined = space;
  for (const step of key.split(".")) {
    if (typeof value !== "object" || value === null) return false;
    if (!Array.isArray(value) && "$type" in value) return true;
    value = child(value, step);
    if (value === undefined) return false;
  }
  return true;
}

/** The template with every reference replaced by the config's value. */
export function resolveTemplate(template: JsonValue, config: Config, path: string): JsonValue {
  const key = referenceKey(template);
  if (key !== undefined) {
    const value = lookup(config, key);
    if (value === undefined) throw new Error(`${path}: the config has no key "${key}"; its keys are ${Object.keys(config).join(", ")}`);
    return value;
  }
  if (Array.isArray(template)) return template.map((v, i) => resolveTemplate(v, config, joinPath(path, i)));
  if (typeof template === "object" && template !== null) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(template)) out[k] = resolveTemplate(v, config, joinPath(path, k));
    return out;
  }
  return template;
}
