// Random search: trial i's config is sampled from a generator forked from the experiment seed
// by ("config", i), so it does not depend on how many configs were drawn before or in what order.

import { Random } from "../random.js";
import { sample, validateSpace, type Space } from "../space.js";
import type { Config, JsonObject, JsonValue, SearcherSetup } from "../types.js";

export class RandomSearcher {
  readonly name = "RandomSearcher";
  private space: Space | undefined;
  private rng: Random | undefined;

  setup(setup: SearcherSetup): void {
    validateSpace(setup.space);
    this.space = setup.space;
    this.rng = new Random(setup.seed);
  }

  suggest(_trialId: string, index: number): Config {
    if (!this.space || !this.rng) throw new Error("RandomSearcher.suggest called before setup()");
    return sample(this.space, this.rng.fork("config", index));
  }

  observe(): void {
    // Random search does not learn from results.
  }

  describe(): { type: string; options: JsonObject } {
    return { type: "RandomSearcher", options: {} };
  }

  /** Stateless: configs depend only on the seed and the trial index. */
  getState(): JsonValue {
    return {};
  }

  setState(_state: JsonValue): void {}
}
