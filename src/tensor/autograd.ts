// Reverse-mode differentiation over the DAG of grad nodes (micrograd's contract, on tensors):
// order the graph topologically, walk it backwards summing each tensor's incoming gradients,
// and keep the gradient only on leaves that asked for one.

import { shapeToString, sameShape } from "../kernels/shape.js";
import { keep, noGrad, tidy } from "./engine.js";
import { copy, fullLike } from "./elementwise.js";
import { DisposedTensorError, type GradNode, type Tensor } from "./tensor.js";

/** Tensors reachable from `root` through grad nodes, inputs before the tensors computed from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: a deep graph (a long training unroll) must not overflow the call stack.
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push([t, true]);
    for (const input of t.node?.inputs ?? []) {
      if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
    }
  }
  return order;
}

/** node.backward(g), with a disposed tensor it needed reported as what backward needed. */
function backwardOf(node: GradNode, g: Tensor): readonly (Tensor | null)[] {
  try {
    return node.backward(g);
  } catch (e) {
    if (!(e instanceof DisposedTensorError)) throw e;
    throw new Error(
      `backward through ${node.op} needs a tensor of shape ${shapeToString(e.shape)} that was disposed before backward() ran ` +
        `(by dispose(), or at the end of the tidy() that created it); call backward() inside that tidy(), or keep() what the loss is computed from`,
      { cause: e },
    );
  }
}

/**
 * Accumulates d(root)/d(leaf) into `leaf.grad` for every leaf under `root` that requires a
 * gradient. `grad` defaults to 1 for a one-element root; any other root needs it explicitly.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error("backward(): this tensor does not require a gradient; create the leaves with { requiresGrad: true } and compute it outside noGrad()");
  }
  if (grad === undefined && root.size !== 1) {
    throw new Error(`backward() without a gradient needs a one-element tensor, got shape ${shapeToString(root.shape)}; reduce it (e.g. .mean()) or pass backward(grad)`);
  }
  if (grad !== undefined && grad.backend !== root.backend) {
    throw new Error(`backward(grad): grad lives on the ${grad.backend.name} backend but the tensor on ${root.backend.name}; create grad on ${root.backend.name}`);
  }
  if (grad !== undefined && !sameShape(grad.shape, root.shape)) {
    throw new Error(`backward(grad): grad has shape ${shapeToString(grad.shape)} but the tensor has shape ${shapeToString(root.shape)}`);
  }
  noGrad(() =>
    tidy(() => {
      const grads = new Map<Tensor, Tensor>();
      grads.set(root, grad ?? fullLike(root, 1));
      const givenToLeaves = new Set<Tensor>();
      for (const t of topologicalOrder(root).reverse()) {
        const g = grads.get(t);
        if (!g) continue;
        if (!t.node) {
          // A leaf keeps its gradient past this tidy. A tensor can reach several leaves (add's
          // gradient is the same tensor for both inputs), and the caller's `grad` is theirs, so
          // those are copied rather than shared.
          const own = givenToLeaves.has(g) || g === grad ? copy(g) : g;
          givenToLeaves.add(own);
          const total = t.grad ? t.grad.add(own) : own;
          t.grad?.dispose();
          t.grad = keep(total);
          continue;
        }
        const inputGrads = backwardOf(t.node, g);
        t.node.inputs.forEach((input, i) => {
          const gi = inputGrads[i];
          if (!gi || !input.requiresGrad) return;
          if (!sameShape(gi.shape, input.shape)) {
            throw new Error(`internal: the backward of ${t.node!.op} gave a gradient of shape ${shapeToString(gi.shape)} for an input of shape ${shapeToString(input.shape)}`);
          }
          const before = grads.get(input);
          grads.set(input, before ? before.add(gi) : gi);
        });
      }
    }),
  );
}
