// fast-check generators for tensor tests: shapes of rank 0..4, pairs of shapes that broadcast,
// and float64 arrays of values in a domain (optionally kept away from kinks, or kept distinct so
// that max/min have no ties within a finite-difference step).

import fc from "fast-check";
import { type NdArray, nd, size } from "./ndarray.js";
import { awayFromKinks } from "./reference-ops.js";

export interface ShapeOptions {
  readonly minRank?: number;
  readonly maxRank?: number;
  readonly minDim?: number;
  readonly maxDim?: number;
}

export function shapeArb({ minRank = 0, maxRank = 4, minDim = 1, maxDim = 3 }: ShapeOptions = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * A shape that broadcasts to `full`: a suffix of it (leading axes dropped) with some axes
 * set to 1.
 */
export function broadcastableTo(full: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
    .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** Two shapes that broadcast against each other (either may be the larger), rank 0..4. */
export function broadcastPairArb(options: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(options).chain((full) =>
    fc.oneof(
      fc.tuple(fc.constant(full), broadcastableTo(full)),
      fc.tuple(broadcastableTo(full), fc.constant(full)),
      fc.tuple(broadcastableTo(full), broadcastableTo(full)),
    ),
  );
}

export interface ValueOptions {
  readonly min?: number;
  readonly max?: number;
  /** Points each value is kept at least `margin` away from. */
  readonly kinks?: readonly number[];
  readonly margin?: number;
  /**
   * Make all values distinct, at least 0.04 apart, keeping the order of the draw: for max/min,
   * whose finite differences must not swap the extreme element.
   */
  readonly distinct?: boolean;
}

function makeDistinct(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  order.forEach(([v, i], rank) => (out[i] = 0.05 * (rank - values.length / 2) + 0.01 * (v - Math.floor(v))));
  return out;
}

export function valuesArb(shape: readonly number[], options: ValueOptions = {}): fc.Arbitrary<NdArray> {
  const { min = -3, max = 3, kinks = [], margin = 1e-2, distinct = false } = options;
  const n = size(shape);
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((values) => {
      const moved = values.map((v) => awayFromKinks(v, kinks, margin));
      return nd(shape, distinct ? makeDistinct(moved) : moved);
    });
}

/** A shape and values of that shape. */
export function arrayArb(shapeOptions: ShapeOptions = {}, valueOptions: ValueOptions = {}): fc.Arbitrary<NdArray> {
  return shapeArb(shapeOptions).chain((shape) => valuesArb(shape, valueOptions));
}

/** A non-empty subset of the axes of a rank, each written as a positive or a negative index. */
export function axesArb(rank: number): fc.Arbitrary<number[]> {
  if (rank === 0) return fc.constant([]);
  return fc
    .tuple(
      fc.subarray(Array.from({ length: rank }, (_, i) => i), { minLength: 1 }),
      fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    )
    .map(([axes, negative]) => axes.map((a) => (negative[a] ? a - rank : a)));
}

/** One axis of a rank ≥ 1, positive or negative. */
export function axisArb(rank: number): fc.Arbitrary<number> {
  return fc.integer({ min: -rank, max: rank - 1 });
}
