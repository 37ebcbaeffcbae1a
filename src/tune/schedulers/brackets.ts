// Hyperband's bracket schedule (Li et al. 2018, Algorithm 1), in exact integer arithmetic
// (DESIGN principle 11): floating-point logs get s_max wrong, e.g. log(1000)/log(10) < 3.

import { describeValue } from "../json.js";
import { checkPositiveInteger } from "./base.js";

export interface Rung {
  /** How many trials run to this rung. */
  n: number;
  /** The exact resource of the paper, R·eta^(i-s); not an integer when R is not a power of eta. */
  r: number;
  /** The number of reports a trial has made at this rung: floor(r), and exactly R at the last rung. */
  budget: number;
}

export interface Bracket {
  s: number;
  rungs: Rung[];
}

export interface BracketOptions {
  /** R: the most budget (reports, e.g. epochs) any trial gets. A positive integer. */
  maxBudget: number;
  /** The reduction factor: each rung keeps the top 1/eta. An integer >= 2 (default 3). */
  eta?: number;
}

/** The largest s with eta^s <= R, by an integer loop. */
export function sMax(maxBudget: number, eta: number): number {
  let s = 0;
  let p = eta;
  while (p <= maxBudget) {
    s++;
    p *= eta;
  }
  return s;
}

/** Hyperband's brackets, most exploratory first (s = s_max down to 0), as the scheduler runs them. */
export function hyperbandBrackets(options: BracketOptions): Bracket[] {
  if (typeof options !== "object" || options === null) throw new TypeError(`Hyperband needs options { maxBudget, eta? }, got ${describeValue(options)}`);
  const R = checkPositiveInteger("maxBudget", options.maxBudget);
  const eta = checkPositiveInteger("eta", options.eta ?? 3, 2);
  const smax = sMax(R, eta);
  const brackets: Bracket[] = [];
  for (let s = smax; s >= 0; s--) {
    const n = bracketSize(smax, s, eta);
    const rungs: Rung[] = [];
    for (let i = 0; i <= s; i++) {
      const div = eta ** (s - i);
      rungs.push({ n: floorDiv(n, eta ** i), r: R / div, budget: floorDiv(R, div) });
    }
    brackets.push({ s, rungs });
  }
  return brackets;
}

/** ceil((s_max+1)/(s+1) · eta^s), the trials a bracket starts. eta^s <= R < 2^53 is exact, but
 *  (s_max+1)·eta^s can pass 2^53 (R = 5^22, eta = 5), so the product is taken in BigInt; the
 *  quotient is at most R, exact again as a number. */
function bracketSize(smax: number, s: number, eta: number): number {
  const numerator = BigInt(smax + 1) * BigInt(eta) ** BigInt(s);
  const divisor = BigInt(s + 1);
  return Number((numerator + divisor - 1n) / divisor);
}

function floorDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}
