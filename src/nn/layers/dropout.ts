// Dropout: in training, zeroes each value with probability `rate` and scales the rest by
// 1 / (1 - rate); in eval mode it is the identity. Masks come from a seeded generator, one
// fork per call, so a run is reproducible.

import { Generator, rand, type Tensor } from "../../tensor/index.js";
import { Module, type ModuleCounters } from "../module.js";

export class Dropout extends Module {
  /** How many masks have been drawn; the next mask comes from the generator's fork at this count. */
  calls = 0;

  private readonly generator: Generator;

  /** `seed` is a seed or a generator the masks are drawn from (default 0). */
  constructor(
    readonly rate: number,
    seed: number | string | Generator = 0,
  ) {
    super();
    this.generator = seed instanceof Generator ? seed : new Generator(seed);
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) throw new Error(`Dropout: rate must be a number in [0, 1), got ${rate}`);
  }

  /** The masks drawn so far: a run resumed from a checkpoint goes on with the next one. */
  protected override counters(): ModuleCounters {
    return { calls: this.calls };
  }

  protected override setCounters({ calls }: ModuleCounters): void {
    this.calls = calls!;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.rate === 0) return x;
    const u = rand(x.shape, { generator: this.generator.fork(this.calls++) });
    const keepMask = u.ge(this.rate);
    const y = x.mul(keepMask).mul(1 / (1 - this.rate));
    u.dispose();
    return y;
  }

  override toSpec(): { type: "dropout"; rate: number } {
    return { type: "dropout", rate: this.rate };
  }
}
