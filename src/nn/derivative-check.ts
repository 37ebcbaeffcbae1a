// Checks a hand-written derivative against central finite differences of the function, in
// float64, before a custom fused activation enters the op table: a wrong `df` would otherwise
// train silently with wrong gradients.

export interface DerivativeMismatch {
  readonly x: number;
  /** What the given derivative returned. */
  readonly df: number;
  /** The central finite difference of f at x. */
  readonly numeric: number;
}

/**
 * The sample points: a fine grid over [-8, 8] plus a few far points. The grid is offset so it
 * does not land exactly on the round numbers (0, ±1, ±3) where piecewise functions have kinks.
 */
export function derivativeCheckPoints(): number[] {
  const points: number[] = [];
  const n = 400;
  for (let i = 0; i < n; i++) points.push(-8 + (16 * (i + 0.5)) / n + 0.00731);
  points.push(-30.3, -15.7, -11.1, 11.1, 15.7, 30.3);
  return points;
}

/**
 * The points where `df` disagrees with the central finite difference of `f`. Points where `f` is
 * not finite, or where a kink or a jump lies within the step (the one-sided differences on
 * either side disagree), are skipped: there the numeric value is no evidence against `df`.
 */
export function findDerivativeMismatches(
  f: (x: number) => number,
  df: (x: number) => number,
  points: readonly number[] = derivativeCheckPoints(),
): DerivativeMismatch[] {
  const mismatches: DerivativeMismatch[] = [];
  for (const x of points) {
    const h = 1e-5 * Math.max(1, Math.abs(x));
    const [below, at, above] = [f(x - h), f(x), f(x + h)];
    const numeric = (above - below) / (2 * h);
    const forward = (above - at) / h;
    const backward = (at - below) / h;
    if (![numeric, forward, backward].every(Number.isFinite)) continue;
    const scale = Math.max(1, Math.abs(numeric));
    if (Math.abs(forward - backward) > 1e-3 * scale) continue;
    const given = df(x);
    if (!(Math.abs(given - numeric) <= 1e-4 * scale)) mismatches.push({ x, df: given, numeric });
  }
  return mismatches;
}

/** A readable description of mismatches: how many, and the first few inputs with both values. */
export function describeMismatches(mismatches: readonly DerivativeMismatch[], limit = 5): string {
  const shown = mismatches
    .slice(0, limit)
    .map((m) => `x=${m.x.toPrecision(6)}: df gives ${m.df.toPrecision(6)}, finite difference ${m.numeric.toPrecision(6)}`)
    .join("; ");
  return `${mismatches.length} point${mismatches.length === 1 ? "" : "s"} disagree (${shown}${mismatches.length > limit ? "; ..." : ""})`;
}
