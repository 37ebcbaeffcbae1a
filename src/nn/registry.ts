// String-keyed registries (DESIGN principle 7): a config only ever holds keys, and every
// function it names — activation, layer, loss, optimizer, initialiser, dataset — is found here
// by key, wherever the config is used. One generic class serves every kind of thing.

export type Factory<T, O> = (options: O) => T;

export interface RegisterOptions {
  /** Replace an existing entry instead of failing on a second registration of the same key. */
  readonly replace?: boolean;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, substitution));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The known key closest to `key` (case-insensitive edit distance), if any is plausibly meant. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A suggestion that needs more edits than half the longer word is noise, not a typo.
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(Math.max(key.length, best.length) / 2)) ? best : undefined;
}

export class Registry<T, O = Record<string, unknown>> {
  readonly #factories = new Map<string, Factory<T, O>>();

  /** `kind` names one entry in error messages ("activation", "loss", ...). */
  constructor(readonly kind: string) {}

  register(key: string, factory: Factory<T, O>, options: RegisterOptions = {}): void {
    if (typeof key !== "string" || key.length === 0) {
      throw new Error(`a ${this.kind} key must be a non-empty string, got ${JSON.stringify(key)}`);
    }
    if (typeof factory !== "function") {
      throw new Error(`the factory registered for ${this.kind} "${key}" must be a function, got ${typeof factory}`);
    }
    if (this.#factories.has(key) && !options.replace) {
      throw new Error(`a ${this.kind} named "${key}" is already registered; pass { replace: true } to replace it`);
    }
    this.#factories.set(key, factory);
  }

  has(key: string): boolean {
    return this.#factories.has(key);
  }

  /** Registered keys, in registration order. */
  keys(): string[] {
    return [...this.#factories.keys()];
  }

  /** The factory registered under `key`; an unknown key throws with the known keys listed. */
  get(key: string): Factory<T, O> {
    const factory = this.#factories.get(key);
    if (!factory) throw this.unknownKeyError(key);
    return factory;
  }

  create(key: string, options?: O): T {
    return this.get(key)((options ?? {}) as O);
  }

  /** The error for an unknown key: what was asked for, every known key, and the closest one. */
  unknownKeyError(key: unknown): Error {
    const known = this.keys();
    const asked = typeof key === "string" ? `"${key}"` : JSON.stringify(key);
    const suggestion = typeof key === "string" ? closestKey(key, known) : undefined;
    return new Error(
      `unknown ${this.kind} ${asked}; known ${this.kind} keys: ${known.length > 0 ? known.join(", ") : "(none registered)"}` +
        (suggestion !== undefined ? `; did you mean "${suggestion}"?` : ""),
    );
  }
}
