// The property suite of `tunegrad lab ACTIVATION`: facts about an activation function measured
// on a grid, from its values and its autograd gradients. Pure: arrays in, findings out.

export interface Finding {
  property: string;
  holds: boolean;
  /** The evidence: where it fails, or the numbers that show it holds. */
  detail: string;
  /** Must-hold properties make `lab` exit with status 1 when they fail. */
  required: boolean;
}

export interface Samples {
  /** Inputs, sorted ascending. */
  x: readonly number[];
  /** f(x) as the engine computes it (float32). */
  f: readonly number[];
  /** f'(x) from autograd (float32). */
  df: readonly number[];
}

/** Finite differences of the reference f (float64 when the op table has the op). */
export type ReferenceFunction = (x: number) => number;

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

/** The sample grid: fine over [-8, 8] (kept off the round numbers where kinks sit), plus far points. */
export function labGrid(): number[] {
  const xs: number[] = [];
  const n = 1600;
  for (let i = 0; i <= n; i++) xs.push(-8 + (16 * i) / n + 0.000731);
  xs.push(-1e4, -100, -30, 30, 100, 1e4);
  return xs.sort((a, b) => a - b);
}

function where(samples: Samples, predicate: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.x.length; i++) if (predicate(i)) out.push(i);
  return out;
}

export function activationFindings(samples: Samples, reference: ReferenceFunction): Finding[] {
  const { x, f, df } = samples;
  const findings: Finding[] = [];
  const inside = where(samples, (i) => Math.abs(x[i]!) <= 8);

  const notFinite = where(samples, (i) => !Number.isFinite(f[i]!) || !Number.isFinite(df[i]!));
  findings.push({
    property: "finite values and gradients",
    holds: notFinite.length === 0,
    detail: notFinite.length === 0
      ? `at all ${x.length} points in [-1e4, 1e4]`
      : `not finite at x = ${notFinite.slice(0, 4).map((i) => fmt(x[i]!)).join(", ")}${notFinite.length > 4 ? ", ..." : ""}`,
    required: true,
  });

  // Autograd against central differences of the reference, skipping kinks (where the one-sided
  // differences disagree, the numeric value is no evidence either way).
  let checked = 0;
  let worst = { error: 0, x: 0, df: 0, numeric: 0 };
  for (const i of inside) {
    const xi = x[i]!;
    const h = 1e-5 * Math.max(1, Math.abs(xi));
    const [below, at, above] = [reference(xi - h), reference(xi), reference(xi + h)];
    const forward = (above - at) / h;
    const backward = (at - below) / h;
    const numeric = (above - below) / (2 * h);
    const scale = Math.max(1, Math.abs(numeric));
    if (Math.abs(forward - backward) > 1e-3 * scale) continue;
    checked++;
    const error = Math.abs(df[i]! - numeric) / scale;
    if (error > worst.error) worst = { error, x: xi, df: df[i]!, numeric };
  }
  findings.push({
    property: "autograd gradient matches finite differences",
    holds: worst.error <= 1e-4,
    detail: worst.error <= 1e-4
      ? `at ${checked} points in [-8, 8], largest relative error ${worst.error.toExponential(1)}`
      : `at x = ${fmt(worst.x)}: autograd ${fmt(worst.df)}, finite difference ${fmt(worst.numeric)}`,
    required: true,
  });

  const zeroIndex = where(samples, () => true).reduce((best, i) => (Math.abs(x[i]!) < Math.abs(x[best]!) ? i : best), 0);
  const f0 = reference(0);
  // The grid keeps off 0 (a kink sits there for relu and others), so the slope is the one just beside it.
  findings.push({ property: "f(0) = 0", holds: Math.abs(f0) < 1e-6, detail: `f(0) = ${fmt(f0)}, f'(${fmt(x[zeroIndex]!)}) = ${fmt(df[zeroIndex]!)}`, required: false });

  const decreasing = where(samples, (i) => i > 0 && f[i]! < f[i - 1]! - 1e-6 * Math.max(1, Math.abs(f[i]!)));
  let lowest = 0;
  for (let i = 1; i < x.length; i++) if (f[i]! < f[lowest]!) lowest = i;
  findings.push({
    property: "monotonic (non-decreasing)",
    holds: decreasing.length === 0,
    detail: decreasing.length === 0 ? "on the whole grid" : `decreases near x = ${fmt(x[decreasing[0]!]!)}; its minimum is ${fmt(f[lowest]!)} at x = ${fmt(x[lowest]!)}`,
    required: false,
  });

  const odd = inside.every((i) => Math.abs(reference(-x[i]!) + reference(x[i]!)) <= 1e-9 * Math.max(1, Math.abs(reference(x[i]!))));
  findings.push({ property: "odd (f(-x) = -f(x))", holds: odd, detail: odd ? "on [-8, 8]" : `f(-1) = ${fmt(reference(-1))}, f(1) = ${fmt(reference(1))}`, required: false });

  const last = x.length - 1;
  findings.push({ property: "bounded below", holds: Math.abs(f[0]!) < 100, detail: `f(-1e4) = ${fmt(f[0]!)}; minimum on the grid ${fmt(f[lowest]!)}`, required: false });
  findings.push({ property: "bounded above", holds: Math.abs(f[last]!) < 100, detail: `f(1e4) = ${fmt(f[last]!)}`, required: false });

  const farNegative = where(samples, (i) => x[i]! === -30)[0]!;
  const farPositive = where(samples, (i) => x[i]! === 30)[0]!;
  findings.push({
    property: "gradient flows for large negative x",
    holds: Math.abs(df[farNegative]!) > 1e-6,
    detail: `f'(-30) = ${fmt(df[farNegative]!)}${Math.abs(df[farNegative]!) <= 1e-6 ? " (saturates: units stuck there stop learning)" : ""}`,
    required: false,
  });
  findings.push({
    property: "gradient flows for large positive x",
    holds: Math.abs(df[farPositive]!) > 1e-6,
    detail: `f'(30) = ${fmt(df[farPositive]!)}${Math.abs(df[farPositive]!) <= 1e-6 ? " (saturates)" : ""}`,
    required: false,
  });

  // A jump in f' between neighbouring grid points (0.01 apart) is a kink.
  let kink = { jump: 0, x: 0 };
  for (let k = 1; k < inside.length; k++) {
    const jump = Math.abs(df[inside[k]!]! - df[inside[k - 1]!]!);
    if (jump > kink.jump) kink = { jump, x: (x[inside[k]!]! + x[inside[k - 1]!]!) / 2 };
  }
  findings.push({
    property: "continuously differentiable (no jump in f')",
    holds: kink.jump < 0.05,
    detail: kink.jump < 0.05 ? `f' changes by at most ${fmt(kink.jump)} per 0.01 step` : `f' jumps by ${fmt(kink.jump)} near x = ${fmt(kink.x)}`,
    required: false,
  });

  let steepest = 0;
  for (const i of inside) steepest = Math.max(steepest, Math.abs(df[i]!));
  findings.push({ property: "1-Lipschitz (|f'| <= 1)", holds: steepest <= 1 + 1e-6, detail: `largest |f'| on [-8, 8] is ${fmt(steepest)}`, required: false });
  return findings;
}

export function formatFindings(name: string, description: string | undefined, findings: readonly Finding[]): string {
  const width = Math.max(...findings.map((f) => f.property.length));
  const lines = [`${name}${description ? `: ${description}` : ""}`, ""];
  for (const finding of findings) {
    lines.push(`  ${finding.holds ? "holds" : "fails"}  ${finding.property.padEnd(width)}  ${finding.detail}`);
  }
  const failedRequired = findings.filter((f) => f.required && !f.holds);
  lines.push("", failedRequired.length === 0 ? "Every required property holds." : `Required propert${failedRequired.length === 1 ? "y fails" : "ies fail"}: ${failedRequired.map((f) => f.property).join("; ")}.`, "");
  return lines.join("\n");
}
