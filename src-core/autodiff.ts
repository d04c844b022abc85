/**
 * Reverse-mode differentiation over the graph, TF-1 style: `gradients(ys, xs, grad_ys)` adds the
 * gradient ops to the graph (under a `gradients/` name scope) and returns symbolic gradients.
 */
import { InvalidArgumentError, UnimplementedError } from './errors';
import { formatShape, shapesCompatible } from './graph/shape';
import type { Operation } from './graph/operation';
import { Tensor } from './graph/tensor';
import * as m from './api/math-core';
// Gradients are built from builders that look ops up by name: every built-in op must be registered.
import './ops/builtin';

/**
 * d(sum of ys)/d(x) for each x; `null` where no y depends on x. `grad_ys` seeds each y's gradient
 * (default: ones shaped like y).
 * @example
 * ```ts
 * const x = tf.Variable(3);
 * const [dx] = tf.gradients(tf.square(x), [x]);
 * await sess.run(tf.global_variables_initializer());
 * await sess.run(dx!); // 6
 * ```
 */
export function gradients(ys: Tensor | Tensor[], xs: Tensor | Tensor[], grad_ys?: (Tensor | null)[] | Tensor): (Tensor | null)[] {
  const yList = Array.isArray(ys) ? ys : [ys];
  const xList = Array.isArray(xs) ? xs : [xs];
  const seeds = grad_ys === undefined ? [] : Array.isArray(grad_ys) ? grad_ys : [grad_ys];
  if (yList.length === 0) throw new InvalidArgumentError('gradients: ys is empty');
  for (const t of [...yList, ...xList]) {
    if (!(t instanceof Tensor)) throw new InvalidArgumentError(`gradients: expected Tensors, got ${String(t)}`);
  }
  const graph = yList[0].graph;
  if (seeds.length > 0 && seeds.length !== yList.length) {
    throw new InvalidArgumentError(`gradients: ${seeds.length} grad_ys for ${yList.length} ys`);
  }

  const between = opsBetween(yList, xList);
  return graph.nameScope('gradients', () => {
    // Accumulated gradient contributions per tensor, summed lazily when the tensor's op is visited.
    const pending = new Map<Tensor, Tensor[]>();
    const addGrad = (t: Tensor, g: Tensor) => {
      const list = pending.get(t);
      if (list) list.push(g);
      else pending.set(t, [g]);
    };
    yList.forEach((y, i) => {
      const seed = seeds[i] ?? null;
      if (seed !== null && !shapesCompatible(seed.shape, y.shape)) {
        throw new InvalidArgumentError(
          `gradients: grad_ys[${i}] has shape ${formatShape(seed.shape)} but ys[${i}] '${y.name}' has ${formatShape(y.shape)}`,
        );
      }
      addGrad(y, seed ?? m.onesLike(y, `${y.op.name}_grad_ys`));
    });
    const summed = new Map<Tensor, Tensor | null>();
    const total = (t: Tensor): Tensor | null => {
      if (summed.has(t)) return summed.get(t) ?? null;
      const parts = pending.get(t) ?? [];
      const g = parts.length === 0 ? null : parts.reduce((acc, p) => m.add(acc, p));
      summed.set(t, g);
      return g;
    };

    for (const op of reverseTopological(between)) {
      // Sources (variables, placeholders, constants) end the backward walk.
      if (op.inputs.length === 0) continue;
      const dys = op.outputs.map(total);
      if (dys.every((g) => g === null)) continue;
      if (!op.def.gradient) {
        throw new UnimplementedError(`gradients: no gradient is defined for ${op.type} '${op.name}'`);
      }
      const grad = op.def.gradient;
      const dxs = graph.nameScope(`${op.name.split('/').pop()}_grad`, () => grad(op, dys));
      op.inputs.forEach((input, i) => {
        const g = dxs[i];
        if (g && between.has(input.op)) addGrad(input, g);
      });
    }
    return xList.map((x) => total(x));
  });
}

/** Ops on some path from an x to a y (inclusive): only their gradients are needed. */
function opsBetween(ys: Tensor[], xs: Tensor[]): Set<Operation> {
  const reachesY = new Set<Operation>();
  const stack = ys.map((y) => y.op);
  while (stack.length > 0) {
    const op = stack.pop() as Operation;
    if (reachesY.has(op)) continue;
    reachesY.add(op);
    for (const t of op.inputs) stack.push(t.op);
  }
  // Forward from the xs through consumers, restricted to ops that reach a y.
  const consumers = new Map<Operation, Operation[]>();
  for (const op of reachesY) {
    for (const t of op.inputs) {
      const list = consumers.get(t.op) ?? [];
      list.push(op);
      consumers.set(t.op, list);
    }
  }
  const between = new Set<Operation>();
  const frontier = xs.map((x) => x.op).filter((op) => reachesY.has(op));
  while (frontier.length > 0) {
    const op = frontier.pop() as Operation;
    if (between.has(op)) continue;
    between.add(op);
    for (const c of consumers.get(op) ?? []) frontier.push(c);
  }
  return between;
}

/** Consumers before producers: every op comes after all ops that use its outputs. */
function reverseTopological(ops: Set<Operation>): Operation[] {
  return [...ops].sort((a, b) => b.id - a.id);
}
