/** Which ops a run needs: everything the fetches and targets depend on, stopping at fed tensors. */
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';

/** Needed ops in execution order (creation order is a topological order: inputs exist first). */
export function pruneToFetches(fetchTensors: readonly Tensor[], targets: readonly Operation[], fed: ReadonlySet<Tensor>): Operation[] {
  const needed = new Set<Operation>();
  const stack: Operation[] = [...targets];
  for (const t of fetchTensors) if (!fed.has(t)) stack.push(t.op);
  while (stack.length > 0) {
    const op = stack.pop() as Operation;
    if (needed.has(op)) continue;
    needed.add(op);
    for (const input of op.inputs) if (!fed.has(input)) stack.push(input.op);
    for (const c of op.controlInputs) stack.push(c);
  }
  return [...needed].sort((a, b) => a.id - b.id);
}
