// Weight initialisers, keyed by name. A Linear layer picks one from the `init` hint of the
// activation that follows it (Kaiming for ReLU-like ones, Xavier for saturating ones) unless
// its spec names one. Every draw comes from the seeded generator passed in.

import { rand, randn, zeros, type Generator, type Tensor } from "../tensor/index.js";
import { Registry } from "./registry.js";

export interface InitializerOptions {
  /** [fanIn, fanOut] for a weight, [features] for a bias or a norm's scale. */
  readonly shape: readonly number[];
  readonly generator: Generator;
}

function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length !== 2) throw new Error(`fan-based initialisers need a [fanIn, fanOut] weight shape, got [${shape.join(", ")}]`);
  return { fanIn: shape[0]!, fanOut: shape[1]! };
}

/** U(-bound, bound), drawn from the generator. */
function uniform(shape: readonly number[], bound: number, generator: Generator): Tensor {
  return rand(shape, { generator, low: -bound, high: bound });
}

function normal(shape: readonly number[], std: number, generator: Generator): Tensor {
  return randn(shape, { generator, std });
}

export const initializers = new Registry<Tensor, InitializerOptions>("initializer");

// He et al. 2015, for ReLU-like activations (gain sqrt(2)): Var(w) = 2 / fanIn.
initializers.register("kaiming", ({ shape, generator }) => uniform(shape, Math.sqrt(6 / fans(shape).fanIn), generator));
initializers.register("kaimingNormal", ({ shape, generator }) => normal(shape, Math.sqrt(2 / fans(shape).fanIn), generator));
// Glorot and Bengio 2010, for tanh/sigmoid-like activations: Var(w) = 2 / (fanIn + fanOut).
initializers.register("xavier", ({ shape, generator }) => {
  const { fanIn, fanOut } = fans(shape);
  return uniform(shape, Math.sqrt(6 / (fanIn + fanOut)), generator);
});
initializers.register("xavierNormal", ({ shape, generator }) => {
  const { fanIn, fanOut } = fans(shape);
  return normal(shape, Math.sqrt(2 / (fanIn + fanOut)), generator);
});
initializers.register("zeros", ({ shape }) => zeros(shape));
