// The chaining API: every op is also a Tensor method (`x.matmul(w).add(b).relu()`), and every
// unary op of the op table is a method named as its key. Importing this module installs them.

import { BUILTIN_UNARY, type BinaryOp, type BuiltinUnaryOp, onUnaryOpDefined } from "../kernels/ops.js";
import type { Shape } from "../kernels/shape.js";
import { backward } from "./autograd.js";
import { binary, clamp, type TensorLike, unary } from "./elementwise.js";
import { linear, matmul } from "./matmul.js";
import { type Axes, argmax, argmin, logSoftmax, logSumExp, max, mean, min, softmax, sum } from "./reduce.js";
import { expand, gather, permute, reshape, slice, squeeze, transpose, unsqueeze } from "./shape-ops.js";
import { INSTANCE_FIELDS, Tensor } from "./tensor.js";

type UnaryMethods = { [K in Exclude<BuiltinUnaryOp, "clamp">]: (...params: number[]) => Tensor };
type BinaryMethods = { [K in BinaryOp]: (other: TensorLike) => Tensor };

declare module "./tensor.js" {
  interface Tensor extends UnaryMethods, BinaryMethods {
    /** Accumulates gradients into the leaves (see autograd.ts). */
    backward(grad?: Tensor): void;
    /** Any unary op of the op table by key, including ones defined at run time. */
    unary(op: string, ...params: number[]): Tensor;
    clamp(min?: number, max?: number): Tensor;
    reshape(shape: Shape): Tensor;
    flatten(): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(axis0?: number, axis1?: number): Tensor;
    expand(shape: Shape): Tensor;
    squeeze(axes?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    gather(axis: number, index: Tensor): Tensor;
    sum(axes?: Axes, keepDims?: boolean): Tensor;
    mean(axes?: Axes, keepDims?: boolean): Tensor;
    max(axes?: Axes, keepDims?: boolean): Tensor;
    min(axes?: Axes, keepDims?: boolean): Tensor;
    argmax(axis?: number, keepDims?: boolean): Tensor;
    argmin(axis?: number, keepDims?: boolean): Tensor;
    logSumExp(axes?: Axes, keepDims?: boolean): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    matmul(other: Tensor): Tensor;
    linear(w: Tensor, b?: Tensor | null, activation?: string | null, params?: readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;

function installUnary(name: string): void {
  proto[name] = function (this: Tensor, ...params: number[]) {
    return unary(this, name, params);
  };
}

for (const name of BUILTIN_UNARY) if (name !== "clamp") installUnary(name);

/** The ops defined at run time that are methods now (a replaced one keeps its method). */
const definedAtRunTime = new Set<string>();

// An op defined at run time becomes a method too (in JavaScript; TypeScript reaches it through
// x.unary(name)), unless the name is a Tensor member already, which it must not shadow.
onUnaryOpDefined((name) => {
  if (definedAtRunTime.has(name)) return;
  if (name in proto || INSTANCE_FIELDS.has(name)) {
    throw new Error(`"${name}" is a Tensor ${typeof proto[name] === "function" ? "method" : "property"} already, and every op becomes a method: choose another name`);
  }
  installUnary(name);
  definedAtRunTime.add(name);
});

const binaryNames: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
for (const name of binaryNames) {
  proto[name] = function (this: Tensor, other: TensorLike) {
    return binary(this, other, name);
  };
}

Object.assign(Tensor.prototype, {
  backward(this: Tensor, grad?: Tensor) {
    backward(this, grad);
  },
  unary(this: Tensor, op: string, ...params: number[]) {
    return unary(this, op, params);
  },
  clamp(this: Tensor, lo?: number, hi?: number) {
    return clamp(this, lo, hi);
  },
  reshape(this: Tensor, shape: Shape) {
    return reshape(this, shape);
  },
  flatten(this: Tensor) {
    return reshape(this, [this.size]);
  },
  permute(this: Tensor, perm: readonly number[]) {
    return permute(this, perm);
  },
  transpose(this: Tensor, a?: number, b?: number) {
    return transpose(this, a, b);
  },
  expand(this: Tensor, shape: Shape) {
    return expand(this, shape);
  },
  squeeze(this: Tensor, axes?: number | readonly number[]) {
    return squeeze(this, axes);
  },
  unsqueeze(this: Tensor, axis: number) {
    return unsqueeze(this, axis);
  },
  slice(this: Tensor, begin: readonly number[], size?: readonly number[]) {
    return slice(this, begin, size);
  },
  gather(this: Tensor, axis: number, index: Tensor) {
    return gather(this, axis, index);
  },
  sum(this: Tensor, axes?: Axes, keepDims?: boolean) {
    return sum(this, axes, keepDims);
  },
  mean(this: Tensor, axes?: Axes, keepDims?: boolean) {
    return mean(this, axes, keepDims);
  },
  max(this: Tensor, axes?: Axes, keepDims?: boolean) {
    return max(this, axes, keepDims);
  },
  min(this: Tensor, axes?: Axes, keepDims?: boolean) {
    return min(this, axes, keepDims);
  },
  argmax(this: Tensor, axis?: number, keepDims?: boolean) {
    return argmax(this, axis, keepDims);
  },
  argmin(this: Tensor, axis?: number, keepDims?: boolean) {
    return argmin(this, axis, keepDims);
  },
  logSumExp(this: Tensor, axes?: Axes, keepDims?: boolean) {
    return logSumExp(this, axes, keepDims);
  },
  softmax(this: Tensor, axis?: number) {
    return softmax(this, axis);
  },
  logSoftmax(this: Tensor, axis?: number) {
    return logSoftmax(this, axis);
  },
  matmul(this: Tensor, other: Tensor) {
    return matmul(this, other);
  },
  linear(this: Tensor, w: Tensor, b?: Tensor | null, activation?: string | null, params?: readonly number[]) {
    return linear(this, w, b, activation, params);
  },
});
