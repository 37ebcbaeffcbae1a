// The activations registry: every activation of the op table, plus the ones users define.
// A composed activation is a function of tensor ops (autograd gives its backward); a fused one
// is a new op-table entry with hand-written value and derivative in TypeScript and WGSL, whose
// derivative is checked against finite differences before it is accepted.

import { defineUnaryOp, listUnaryOps, type OpParam, unaryOp } from "../kernels/ops.js";
import { noGrad, tidy, type Tensor, tensor } from "../tensor/index.js";
import { derivativeCheckPoints, describeMismatches, findDerivativeMismatches } from "./derivative-check.js";
import { type Activation, ComposedActivation, type InitHint, OpActivation } from "./layers/activation.js";
import { type RegisterOptions, Registry } from "./registry.js";

export type ActivationOptions = Record<string, number>;

export interface ComposedActivationDefinition {
  readonly name: string;
  readonly forward: (x: Tensor) => Tensor;
  /** The initialisation for a Linear layer feeding it (default "kaiming"). */
  readonly init?: InitHint;
  readonly replace?: boolean;
}

export interface FusedActivationDefinition {
  readonly name: string;
  readonly ts: {
    readonly f: (x: number, params: readonly number[]) => number;
    readonly df: (x: number, params: readonly number[]) => number;
  };
  /** WGSL expressions in `x` (and `p0`, `p1`, ... for parameters); may call the op table's `tg_*` helpers. */
  readonly wgsl: { readonly f: string; readonly df: string };
  readonly params?: readonly OpParam[];
  readonly init?: InitHint;
  readonly description?: string;
  readonly replace?: boolean;
}

export type ActivationDefinition = ComposedActivationDefinition | FusedActivationDefinition;

/** Relative tolerance between a backend's float32 results and the float64 TypeScript reference. */
const BACKEND_TOLERANCE = 1e-4;

export class ActivationRegistry extends Registry<Activation, ActivationOptions> {
  constructor() {
    super("activation");
    for (const op of listUnaryOps()) {
      if (op.activation) this.register(op.name, (options) => new OpActivation(op.name, options));
    }
  }

  /** Defines a custom activation (composed when `forward` is given, fused when `ts`/`wgsl` are). */
  define(def: ActivationDefinition): void {
    if (typeof def !== "object" || def === null || typeof def.name !== "string") {
      throw new Error("activations.define needs { name, forward } (composed) or { name, ts: { f, df }, wgsl: { f, df } } (fused)");
    }
    if (this.has(def.name) && !def.replace) {
      throw new Error(`an activation named "${def.name}" is already registered; pass replace: true to replace it`);
    }
    const registerOptions: RegisterOptions = { replace: def.replace ?? false };
    if ("forward" in def) {
      if (typeof def.forward !== "function") throw new Error(`activation "${def.name}": forward must be a function of a Tensor`);
      if ("ts" in def || "wgsl" in def) throw new Error(`activation "${def.name}": give either forward (composed) or ts and wgsl (fused), not both`);
      checkComposedForward(def);
      const init = def.init ?? "kaiming";
      this.register(def.name, (options) => {
        if (Object.keys(options).length > 0) throw new Error(`activation "${def.name}" is composed and takes no options`);
        return new ComposedActivation(def.name, def.forward, init);
      }, registerOptions);
      return;
    }
    this.#defineFused(def, registerOptions);
  }

  #defineFused(def: FusedActivationDefinition, registerOptions: RegisterOptions): void {
    const { name, ts, wgsl } = def;
    if (typeof ts?.f !== "function" || typeof ts?.df !== "function") {
      throw new Error(`activation "${name}": a fused activation needs ts: { f, df }, two functions of a number`);
    }
    if (typeof wgsl?.f !== "string" || typeof wgsl?.df !== "string" || wgsl.f.trim() === "" || wgsl.df.trim() === "") {
      throw new Error(`activation "${name}": a fused activation needs wgsl: { f, df }, two WGSL expressions in x`);
    }
    const defaults = (def.params ?? []).map((p) => p.default);
    const mismatches = findDerivativeMismatches(
      (x) => ts.f(x, defaults),
      (x) => ts.df(x, defaults),
    );
    if (mismatches.length > 0) {
      throw new Error(`activation "${name}": ts.df is not the derivative of ts.f: ${describeMismatches(mismatches)}`);
    }
    defineUnaryOp(
      {
        name,
        ts,
        wgsl,
        activation: true,
        init: def.init ?? "kaiming",
        ...(def.params ? { params: def.params } : {}),
        ...(def.description ? { description: def.description } : {}),
      },
      registerOptions,
    );
    this.register(name, (options) => new OpActivation(name, options), registerOptions);
  }

  /**
   * Runs an op-table activation on the current backend at the derivative-check points, forward
   * and backward, and compares with its TypeScript definition. On WebGPU this checks the WGSL
   * against the TypeScript; a disagreement throws with the inputs where it occurs.
   */
  async verifyOnBackend(name: string, options: ActivationOptions = {}): Promise<void> {
    const module = this.create(name, options);
    if (!(module instanceof OpActivation)) {
      throw new Error(`activation "${name}" is composed from tensor ops, so it has no kernel of its own to check; only op-table activations can be verified`);
    }
    const op = unaryOp(name);
    const params = module.params;
    const points = derivativeCheckPoints();
    const x = tensor(Float32Array.from(points), [points.length], { requiresGrad: true });
    const y = tidy(() => {
      const out = x.unary(name, ...params);
      out.sum().backward();
      return out.detach();
    });
    const [values, grads] = await Promise.all([y.data(), x.grad!.data()]);
    const xs = await x.data();
    x.zeroGrad();
    x.dispose();
    y.dispose();
    const bad: string[] = [];
    xs.forEach((xi, i) => {
      const f = op.ts.f(xi, params);
      const df = op.ts.df(xi, params);
      const close = (got: number, want: number) => Math.abs(got - want) <= BACKEND_TOLERANCE * Math.max(1, Math.abs(want));
      if (!close(values[i]!, f)) bad.push(`f(${xi}) = ${values[i]} on the backend, ${f} in TypeScript`);
      if (!close(grads[i]!, df)) bad.push(`f'(${xi}) = ${grads[i]} on the backend, ${df} in TypeScript`);
    });
    if (bad.length > 0) {
      throw new Error(`activation "${name}" disagrees with its TypeScript definition at ${bad.length} points: ${bad.slice(0, 5).join("; ")}`);
    }
  }
}

/** Runs a composed forward once on a small input, so a broken function fails at definition. */
function checkComposedForward(def: ComposedActivationDefinition): void {
  noGrad(() =>
    tidy(() => {
      const probe = tensor([[-1, 0, 1]]);
      let out: unknown;
      try {
        out = def.forward(probe);
      } catch (e) {
        throw new Error(`activation "${def.name}": forward failed on a [1, 3] input: ${(e as Error).message}`, { cause: e });
      }
      const shape = (out as Tensor | undefined)?.shape;
      if (!shape || shape.length !== 2 || shape[0] !== 1 || shape[1] !== 3) {
        throw new Error(`activation "${def.name}": forward must return a Tensor of its input's shape; for a [1, 3] input it returned ${shape ? `shape [${shape.join(", ")}]` : String(out)}`);
      }
    }),
  );
}

export const activations = new ActivationRegistry();
