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
import type { VariableAttrs } from '../ops/state';
import { pruneToFetches } from './prune';

/** Where variable values live: owned by the session, shared by all its plans. */
export interface VariableStore {
  /** The variable's buffer, allocated with `shape` on first use. */
  bufferFor(variable: Operation, shape: readonly number[]): BackendBuffer;
  /** The shape a variable's buffer was allocated with, if it has one. */
  allocatedShape(variable: Operation): readonly number[] | undefined;
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

  const variablePort = (variable: Operation, shape: readonly number[]): Port => {
    const t = variable.outputs[0];
    const port = { buffer: variables.bufferFor(variable, shape), shape: [...shape], dtype: t.dtype };
    ports.set(t, port);
    return port;
  };

  for (const op of order) {
    if (op.type === 'Assign') bindFirstAssignment(op, ports, variablePort);
    const inputs = op.inputs.map((t) => ports.get(t) ?? unshapedVariable(t));
    if (op.type === 'Placeholder') {
      const t = op.outputs[0];
      throw new InvalidArgumentError(
        `Placeholder '${op.name}': you must feed a value for placeholder tensor '${t.name}' with dtype ${t.dtype} and shape ${formatShape(t.shape)}`,
      );
    }
    if (op.type === 'VariableV2') {
      // A variable of partly unknown shape has a buffer once assigned; until then its first Assign binds it.
      const shape = knownVariableShape(op, variables);
      if (shape) variablePort(op, shape);
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
    if (!port && t.op.type === 'VariableV2') unshapedVariable(t);
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

/**
 * A variable's concrete shape: static, else its buffer's, else (optimizer state that starts filled)
 * the shapes of the variables its dims come from.
 */
function knownVariableShape(op: Operation, variables: VariableStore): readonly number[] | undefined {
  const t = op.outputs[0];
  if (isFullyDefined(t.shape)) return t.shape;
  const allocated = variables.allocatedShape(op);
  if (allocated || (op.attrs as VariableAttrs).default_fill === undefined) return allocated;
  const sources = (op.attrs as VariableAttrs).dim_sources ?? [];
  const dims = (t.shape ?? []).map((d, i) => {
    const source = sources[i];
    if (d !== null || !source) return d;
    const from = op.graph.get_tensor_by_name(source.tensor);
    const shape = from.op.type === 'VariableV2' ? knownVariableShape(from.op, variables) : undefined;
    return shape?.[source.axis < 0 ? source.axis + shape.length : source.axis] ?? null;
  });
  return isFullyDefined(dims) ? dims : undefined;
}

/** An Assign to a variable with no buffer yet gives it one shaped like the assigned value. */
function bindFirstAssignment(op: Operation, ports: Map<Tensor, Port>, variablePort: (v: Operation, shape: readonly number[]) => Port): void {
  const [ref, value] = op.inputs;
  const valuePort = ports.get(value);
  if (ports.has(ref) || ref.op.type !== 'VariableV2' || !valuePort) return;
  if (!shapesCompatible(ref.shape, valuePort.shape)) {
    throw new InvalidArgumentError(
      `${op.type} '${op.name}': cannot assign a value of shape ${formatShape(valuePort.shape)} to variable '${ref.op.name}' of shape ${formatShape(ref.shape)}`,
    );
  }
  variablePort(ref.op, valuePort.shape);
}

function unshapedVariable(t: Tensor): never {
  if (t.op.type !== 'VariableV2') throw new FailedPreconditionError(`input '${t.name}' was not computed by the plan`);
  throw new FailedPreconditionError(
    `VariableV2 '${t.op.name}': its shape ${formatShape(t.shape)} is not known yet because it was never assigned; ` +
      'initialise it with tf.assign(v, tf.normal(shape)) using the shapes from tf.infer_variable_shapes(loss, {feed_dict})',
  );
}
