/**
 * Runs one op immediately on host arrays, through the same shape rule, lowering and backend kernels
 * as a compiled plan. This is what `np` is built on.
 */
import type { Backend, BackendBuffer } from '../backends/interface';
import { instantiateBackend } from '../backends/registry';
import { numElements } from './graph/shape';
import { NDArray } from './ndarray';
import type { Attrs, LowerContext, OpDef, Port } from './ops/op-def';
import { InvalidArgumentError } from './errors';

let backend: Backend | null = null;

function eagerBackend(): Backend {
  if (backend === null) {
    const made = instantiateBackend('cpu');
    if (made instanceof Promise) throw new InvalidArgumentError('eager: the cpu backend must initialise synchronously');
    backend = made;
  }
  return backend;
}

export function runEager<A extends Attrs>(def: OpDef<A>, inputs: NDArray[], attrs: A): NDArray[] {
  const b = eagerBackend();
  const node = { type: def.type, name: `np.${def.type}` };
  const owned: BackendBuffer[] = [];
  const alloc = (dtype: NDArray['dtype'], size: number) => {
    const buf = b.alloc(dtype, size);
    owned.push(buf);
    return buf;
  };
  try {
    const ins: Port[] = inputs.map((x) => {
      const buffer = alloc(x.dtype, x.size);
      b.write(buffer, x.data);
      return { buffer, shape: x.shape, dtype: x.dtype };
    });
    const specs = def.inferOutputs(ins.map((p) => ({ dtype: p.dtype, shape: p.shape })), attrs, node);
    const outs: Port[] = specs.map((spec, i) => {
      const shape = spec.shape as number[];
      const buffer = def.aliasInput !== undefined && i === 0 ? ins[def.aliasInput].buffer : alloc(spec.dtype, numElements(shape));
      return { buffer, shape, dtype: spec.dtype };
    });
    const steps: (() => void)[] = [];
    const ctx: LowerContext = { backend: b, temp: alloc, emit: (s) => steps.push(s), init: (s) => steps.unshift(s), constant: alloc, sessionState: (_key, create) => create() };
    def.lower(ctx, { ...node, attrs, inputs: ins, outputs: outs });
    for (const s of steps) s();
    const read = (b.readSync as (buf: BackendBuffer) => NDArray['data']).bind(b);
    return outs.map((p) => new NDArray(read(p.buffer), p.shape, p.dtype));
  } finally {
    for (const buf of owned) b.free(buf);
  }
}
