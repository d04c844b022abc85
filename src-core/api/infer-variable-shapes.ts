/**
 * tinyflow's `tf.infer_variable_shapes(net, {feed_dict: known_shapes})`: static shape inference forward
 * through the graph with the placeholders' shapes given, returning every variable the net uses with its
 * now-known shape, so a program can initialise weights whose shapes it never wrote down.
 */
import { InvalidArgumentError } from '../errors';
import type { Graph } from '../graph/graph';
import { Operation } from '../graph/operation';
import { formatShape, isFullyDefined, shapesCompatible, type Dim, type Shape } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import type { TensorSpec } from '../ops/op-def';
import type { VariableAttrs } from '../ops/state';
import { checkKeys } from './options';
import type { Variable } from './variables';

/** Placeholder → concrete shape: a Map, [tensor, shape] pairs, or an object keyed by tensor name. */
export type KnownShapes =
  | Map<Tensor | string, readonly number[]>
  | ReadonlyArray<readonly [Tensor | string, readonly number[]]>
  | { readonly [name: string]: readonly number[] };

export interface InferVariableShapesOptions {
  feed_dict?: KnownShapes;
}

export type VariableShape = [variable: Variable, name: string, shape: number[]];

/**
 * Infers the shapes of the Variables that tinyflow's layers created, from the known input shapes; returns [variable, name, shape] triples.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32);
 * const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(tf.nn.linear(x, { num_hidden: 10 }), tf.placeholder(tf.float32));
 * const shapes = tf.infer_variable_shapes(loss, { feed_dict: { [x.name]: [100, 784] } });
 * ```
 */
export function infer_variable_shapes(
  net: Tensor | Operation | readonly (Tensor | Operation)[],
  options: InferVariableShapesOptions | KnownShapes = {},
): VariableShape[] {
  const roots = (Array.isArray(net) ? net : [net]) as (Tensor | Operation)[];
  if (roots.length === 0 || roots.some((r) => !(r instanceof Tensor) && !(r instanceof Operation))) {
    throw new InvalidArgumentError('infer_variable_shapes: net must be a Tensor, an Operation or a list of them');
  }
  const graph = roots[0].graph;
  const inference = new ShapeInference(knownShapes(options, graph));
  const variables = variablesUsedBy(roots.map((r) => (r instanceof Tensor ? r.op : r)));
  return variables.map((op): VariableShape => {
    const shape = inference.specOf(op.outputs[0]).shape;
    if (!isFullyDefined(shape)) {
      throw new InvalidArgumentError(
        `infer_variable_shapes: not sufficient information in feed_dict to infer the shape of variable '${op.name}' ` +
          `(got ${formatShape(shape)}); give the shapes of the placeholders it depends on`,
      );
    }
    return [op.outputs[0] as Variable, op.name, [...shape]];
  });
}

function knownShapes(options: InferVariableShapesOptions | KnownShapes, graph: Graph): Map<Tensor, readonly number[]> {
  const isOptions = !(options instanceof Map) && !Array.isArray(options) && 'feed_dict' in options;
  if (isOptions) checkKeys('infer_variable_shapes', options, ['feed_dict']);
  const given = (isOptions ? (options as InferVariableShapesOptions).feed_dict : (options as KnownShapes)) ?? {};
  const entries: (readonly [Tensor | string, readonly number[]])[] =
    given instanceof Map ? [...given.entries()] : Array.isArray(given) ? [...given] : Object.entries(given);
  const out = new Map<Tensor, readonly number[]>();
  for (const [key, shape] of entries) {
    const tensor = typeof key === 'string' ? graph.get_tensor_by_name(key) : key;
    if (!(tensor instanceof Tensor)) throw new InvalidArgumentError(`infer_variable_shapes: feed_dict key ${String(key)} is not a Tensor or a tensor name`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InvalidArgumentError(`infer_variable_shapes: the shape given for '${tensor.name}' must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!shapesCompatible(tensor.shape, shape)) {
      throw new InvalidArgumentError(
        `infer_variable_shapes: the shape ${formatShape(shape)} given for '${tensor.name}' does not fit its static shape ${formatShape(tensor.shape)}`,
      );
    }
    out.set(tensor, shape);
  }
  return out;
}

/** Every variable the roots depend on (through inputs and control inputs), in creation order. */
function variablesUsedBy(roots: Operation[]): Operation[] {
  const seen = new Set<Operation>();
  const stack = [...roots];
  while (stack.length > 0) {
    const op = stack.pop() as Operation;
    if (seen.has(op)) continue;
    seen.add(op);
    for (const t of op.inputs) stack.push(t.op);
    stack.push(...op.controlInputs);
  }
  return [...seen].filter((op) => op.type === 'VariableV2').sort((a, b) => a.id - b.id);
}

/** Memoised forward inference: each op's outputs from its inputs' inferred specs. */
class ShapeInference {
  private readonly specs = new Map<Tensor, TensorSpec>();

  constructor(private readonly known: Map<Tensor, readonly number[]>) {}

  specOf(tensor: Tensor): TensorSpec {
    const cached = this.specs.get(tensor);
    if (cached) return cached;
    this.inferOp(tensor.op);
    return this.specs.get(tensor) as TensorSpec;
  }

  private inferOp(op: Operation): void {
    const outputs = this.outputSpecs(op);
    op.outputs.forEach((t, i) => this.specs.set(t, outputs[i]));
  }

  private outputSpecs(op: Operation): TensorSpec[] {
    const fed = op.outputs.length === 1 ? this.known.get(op.outputs[0]) : undefined;
    if (fed) return [{ dtype: op.outputs[0].dtype, shape: [...fed] }];
    if (op.type === 'VariableV2') return [{ dtype: op.outputs[0].dtype, shape: this.variableShape(op) }];
    const inputs = op.inputs.map((t) => this.specOf(t));
    return op.def.inferOutputs(inputs, op.attrs, { type: op.type, name: op.name });
  }

  /** A layer weight's unknown dims come from the inferred shapes of the tensors its layer read. */
  private variableShape(op: Operation): Shape {
    const { shape, dim_sources: sources = [] } = op.attrs as VariableAttrs;
    if (shape === null) return null;
    return shape.map((d, i): Dim => {
      const source = sources[i];
      if (d !== null || !source) return d;
      const from = this.specOf(op.graph.get_tensor_by_name(source.tensor)).shape;
      if (from === null) return null;
      const axis = source.axis < 0 ? source.axis + from.length : source.axis;
      return from[axis] ?? null;
    });
  }
}
