// Grid search: enumerates the cartesian product of the space's `grid` domains (the first grid
// varies slowest), cycling when there are more trials than grid points; any other domain is
// sampled as random search does, from a generator forked by trial index.

import { Random } from "../random.js";
import { gridDomains, sampleValue, validateSpace, type Space } from "../space.js";
import type { Config, JsonObject, JsonValue, SearcherSetup } from "../types.js";

export class GridSearcher {
  readonly name = "GridSearcher";
  private space: Space | undefined;
  private rng: Random | undefined;
  private grids: { path: string; values: JsonValue[] }[] = [];

  setup(setup: SearcherSetup): void {
    validateSpace(setup.space);
    this.space = setup.space;
    this.rng = new Random(setup.seed);
    this.grids = gridDomains(setup.space);
  }

  /** The number of grid points (1 for a space with no grid). */
  size(): number {
    return this.grids.reduce((n, g) => n * g.values.length, 1);
  }

  suggest(_trialId: string, index: number): Config {
    if (!this.space || !this.rng) throw new Error("GridSearcher.suggest called before setup()");
    let point = index % this.size();
    const fixed = new Map<string, JsonValue>();
    for (let g = this.grids.length - 1; g >= 0; g--) {
      const { path, values } = this.grids[g]!;
      fixed.set(path, values[point % values.length]!);
      point = Math.floor(point / values.length);
    }
    return sampleValue(this.space, this.rng.fork("config", index), "space", fixed) as Config;
  }

  observe(): void {
    // Grid search does not learn from results.
  }

  describe(): { type: string; options: JsonObject } {
    return { type: "GridSearcher", options: {} };
  }

  /** Stateless: configs depend only on the seed and the trial index. */
  getState(): JsonValue {
    return {};
  }

  setState(_state: JsonValue): void {}
}
