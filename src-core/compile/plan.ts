/**
 * Compiles one (fetch set, feed shapes) into a Plan: pruned, shape-checked with concrete shapes,
 * buffers allocated once, every op lowered to a flat list of backend calls. Running a plan then
 * writes the feeds, runs the steps and reads the fetches, with no allocation.
 */
import type { Backend, BackendBuffer } from '../../backends/interface';
import { FailedPreconditionError, InvalidArgumentError } from '../errors';
import type { DType } from '../graph/dtype';
import { formatShape, isFullyDefined, numElements, shapesCompatible } from '../graph/shape';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import type { LowerContext, Port, TensorSpec } from '../ops/op-def';
import { pruneToFetches } from './prune';

/** Where variable values live: owned by the session, shared by all its plans. */
export interface VariableStore {
  bufferFor(variable: Operation): BackendBuffer;
}

export interface FeedSlot {
  tensor: Tensor;
  port: Port;
}

export interface Plan {
  readonly feeds: FeedSlot[];
  /** One port per fetched tensor, in fetch order. */
  readonly fetches: Port[];
  readonly steps: (() => void)[];
  /** Variables whose value the plan reads; they must be initialised first. */
  readonly readsVariables: Operation[];
  /** Variables the plan assigns; they count as initialised after it runs. */
  readonly assignsVariables: Operation[];
  /** Buffers the plan owns (freed with it). */
  readonly ownedBuffers: BackendBuffer[];
}

export interface CompileRequest {
  fetchTensors: Tensor[];
  targets: Operation[];
  /** Fed tensors and the concrete shape and dtype of this run's values. */
  feedSpecs: Map<Tensor, { shape: number[]; dtype: DType }>;
}

export function compilePlan(backend: Backend, variables: VariableStore, req: CompileRequest): Plan {
  const fed = new Set(req.feedSpecs.keys());
  const order = pruneToFetches(req.fetchTensors, req.targets, fed);
  const owned: BackendBuffer[] = [];
  try {
    return build(backend, variables, req, order, owned);
  } catch (e) {
    for (const b of owned) backend.free(b);
    throw e;
  }
}

function build(backend: Backend, variables: VariableStore, req: CompileRequest, order: Operation[], owned: BackendBuffer[]): Plan {
  const ports = new Map<Tensor, Port>();
  const alloc = (dtype: DType, size: number): BackendBuffer => {
    const b = backend.alloc(dtype, size);
    owned.push(b);
    return b;
  };

  const feeds: FeedSlot[] = [];
  for (const [tensor, spec] of req.feedSpecs) {
    if (!shapesCompatible(tensor.shape, spec.shape)) {
      throw new InvalidArgumentError(
        `${tensor.op.type} '${tensor.op.name}': cannot feed a value of shape ${formatShape(spec.shape)} ` +
          `for tensor '${tensor.name}', which has shape ${formatShape(tensor.shape)}`,
      );
    }
    const port = { buffer: alloc(tensor.dtype, numElements(spec.shape)), shape: spec.shape, dtype: tensor.dtype };
    ports.set(tensor, port);
    feeds.push({ tensor, port });
  }

  const steps: (() => void)[] = [];
  const inits: (() => void)[] = [];
  const ctx: LowerContext = {
    backend,
    temp: (dtype, size) => alloc(dtype, size),
    emit: (step) => steps.push(step),
    init: (step) => inits.push(step),
  };
  const reads = new Set<Operation>();
  const assigns = new Set<Operation>();

  for (const op of order) {
    const inputs = op.inputs.map((t) => ports.get(t) as Port);
    if (op.type === 'Placeholder') {
      const t = op.outputs[0];
      throw new InvalidArgumentError(
        `Placeholder '${op.name}': you must feed a value for placeholder tensor '${t.name}' with dtype ${t.dtype} and shape ${formatShape(t.shape)}`,
      );
    }
    if (op.type === 'VariableV2') {
      const t = op.outputs[0];
      ports.set(t, { buffer: variables.bufferFor(op), shape: t.shape as number[], dtype: t.dtype });
      continue;
    }
    noteVariableUse(op, reads, assigns);
    const node = { type: op.type, name: op.name };
    const specs = op.def.inferOutputs(inputs.map((p): TensorSpec => ({ dtype: p.dtype, shape: p.shape })), op.attrs, node);
    const outputs = specs.map((spec, i): Port => {
      if (!isFullyDefined(spec.shape)) {
        throw new InvalidArgumentError(`${op.type} '${op.name}': output ${i} has no concrete shape (${formatShape(spec.shape)}) even with the fed shapes`);
      }
      const shape = spec.shape;
      const buffer = op.def.aliasInput !== undefined && i === 0 ? inputs[op.def.aliasInput].buffer : alloc(spec.dtype, numElements(shape));
      return { buffer, shape, dtype: spec.dtype };
    });
    op.def.lower(ctx, { ...node, attrs: op.attrs, inputs, outputs });
    op.outputs.forEach((t, i) => {
      if (!ports.has(t)) ports.set(t, outputs[i]);
    });
  }
  for (const t of req.fetchTensors) {
    if (t.op.type === 'VariableV2') reads.add(t.op);
  }
  for (const init of inits) init();

  const fetches = req.fetchTensors.map((t) => {
    const port = ports.get(t);
    if (!port) throw new FailedPreconditionError(`fetch '${t.name}' was not computed by the plan`);
    return port;
  });
  return { feeds, fetches, steps, readsVariables: [...reads], assignsVariables: [...assigns], ownedBuffers: owned };
}

/** An Assign's first input is the variable it writes, not a read of its value. */
function noteVariableUse(op: Operation, reads: Set<Operation>, assigns: Set<Operation>): void {
  op.inputs.forEach((t, i) => {
    if (t.op.type !== 'VariableV2') return;
    if (op.type === 'Assign' && i === 0) assigns.add(t.op);
    else reads.add(t.op);
  });
}
