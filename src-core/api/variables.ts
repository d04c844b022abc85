/** TF-1 state: placeholder, Variable, assign, group and the variable initializers. */
import type { DType } from '../graph/dtype';
import { isDType } from '../graph/dtype';
import { getDefaultGraph, type Graph } from '../graph/graph';
import { Operation } from '../graph/operation';
import { formatShape, isFullyDefined, type Dim, type Shape } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import { Assign, NoOp, Placeholder, VariableV2, type DimSource } from '../ops/state';
import { toTensor, type TensorLike } from './convert';
import { guarded, checkKeys, describeValue, isOptionsObject, optionsOf } from './options';

export const GLOBAL_VARIABLES = 'variables';
export const TRAINABLE_VARIABLES = 'trainable_variables';

export interface PlaceholderOptions {
  shape?: Shape;
  name?: string;
}

/**
 * tf.placeholder(dtype, shape?, name?) or tf.placeholder(dtype, {shape, name}): shape dims may be null;
 * no shape means unknown rank.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 2]);
 * const y = await tf.Session().run(tf.reduce_sum(x), { feed_dict: [[x, [[1, 2]]]] });
 * ```
 */
export const placeholder = guarded('placeholder', function placeholder(dtype: DType, shapeOrOptions?: Shape | PlaceholderOptions, nameOrOptions?: string | PlaceholderOptions): Tensor {
  if (!isDType(dtype)) throw new InvalidArgumentError(`placeholder: unknown dtype ${describeValue(dtype)} (use tf.float32, tf.int32 or tf.bool)`);
  let shape: unknown = shapeOrOptions;
  let opts: Partial<PlaceholderOptions>;
  if (isOptionsObject(shapeOrOptions)) {
    if (nameOrOptions !== undefined) throw new InvalidArgumentError('placeholder: give the name inside the options object');
    opts = optionsOf<PlaceholderOptions>('placeholder', shapeOrOptions, ['shape', 'name']);
    shape = opts.shape;
  } else {
    opts = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : optionsOf<PlaceholderOptions>('placeholder', nameOrOptions, ['name']);
  }
  if (shape !== undefined && shape !== null && (!Array.isArray(shape) || shape.some((d) => d !== null && (!Number.isInteger(d) || d < 0)))) {
    throw new InvalidArgumentError(`placeholder: shape must be a list of non-negative integers or null, got ${describeValue(shape)}`);
  }
  if (opts.name !== undefined && typeof opts.name !== 'string') throw new InvalidArgumentError(`placeholder: name must be a string, got ${describeValue(opts.name)}`);
  const s = shape === undefined || shape === null ? null : [...(shape as Dim[])];
  return getDefaultGraph().createOp(Placeholder, [], { dtype, shape: s }, { name: opts.name ?? 'Placeholder' }).outputs[0];
});

export interface VariableOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DType;
}

/** A Variable is the tensor of its VariableV2 op, plus its initializer. */
export class Variable extends Tensor {
  /** Set right after construction; an Assign of the initial value. */
  initializer!: Operation;
  /** null for a layer weight whose first value comes from `tf.assign` (see `declareVariable`). */
  initial_value!: Tensor | null;
  trainable = true;

  assign(value: TensorLike, name?: string): Tensor {
    return assign(this, value, name === undefined ? {} : { name });
  }

  value(): Tensor {
    return this;
  }
}

function createVariable(initial: TensorLike, options: VariableOptions = {}): Variable {
  checkKeys('Variable', options, ['name', 'trainable', 'dtype']);
  const graph = initial instanceof Tensor ? initial.graph : getDefaultGraph();
  const init = toTensor(initial, options.dtype, graph, 'initial_value');
  if (options.dtype !== undefined && init.dtype !== options.dtype) {
    throw new InvalidArgumentError(`Variable: initial value is ${init.dtype} but dtype ${options.dtype} was requested`);
  }
  if (!isFullyDefined(init.shape)) {
    throw new InvalidArgumentError(`Variable: the initial value '${init.name}' must have a fully known shape, got ${formatShape(init.shape)}`);
  }
  const trainable = options.trainable ?? true;
  const op = graph.createOp(VariableV2, [], { dtype: init.dtype, shape: [...init.shape], trainable }, {
    name: options.name ?? 'Variable',
    tensorFactory: (o, i, spec) => new Variable(o, i, spec.dtype, spec.shape),
  });
  const variable = op.outputs[0] as Variable;
  variable.initial_value = init;
  variable.trainable = trainable;
  variable.initializer = graph.createOp(Assign, [variable, init], {}, { name: `${op.name}/Assign` });
  graph.addToCollection(GLOBAL_VARIABLES, variable);
  if (trainable) graph.addToCollection(TRAINABLE_VARIABLES, variable);
  return variable;
}

export interface DeclaredVariableOptions {
  name: string;
  /** Dims may be null for layer weights: the first assignment gives the buffer its shape. */
  shape: Dim[];
  dtype?: DType;
  trainable?: boolean;
  dimSources?: (DimSource | null)[];
  /** See VariableAttrs.default_fill: the value before any assignment (optimizer state). */
  defaultFill?: number;
  /** What the variable's initializer assigns; absent, the initializer does nothing (layer weights of unknown shape). */
  initialValue?: Tensor;
  graph?: Graph;
}

/**
 * A variable for tinyflow's automatic layers and the optimizers' slots: its shape may be partly unknown
 * and its first value may come from a later `tf.assign` rather than from an initial value.
 */
export function declareVariable(options: DeclaredVariableOptions): Variable {
  const graph = options.graph ?? options.initialValue?.graph ?? getDefaultGraph();
  const dtype = options.dtype ?? options.initialValue?.dtype ?? 'float32';
  const trainable = options.trainable ?? true;
  const attrs = {
    dtype, shape: [...options.shape], trainable,
    ...(options.dimSources ? { dim_sources: options.dimSources } : {}),
    ...(options.defaultFill !== undefined ? { default_fill: options.defaultFill } : {}),
  };
  const op = graph.createOp(VariableV2, [], attrs, {
    name: options.name,
    tensorFactory: (o, i, spec) => new Variable(o, i, spec.dtype, spec.shape),
  });
  const variable = op.outputs[0] as Variable;
  variable.trainable = trainable;
  variable.initial_value = options.initialValue ?? null;
  variable.initializer = options.initialValue
    ? graph.createOp(Assign, [variable, options.initialValue], {}, { name: `${op.name}/Assign` })
    : graph.createOp(NoOp, [], {}, { name: `${op.name}/Assign` });
  graph.addToCollection(GLOBAL_VARIABLES, variable);
  if (trainable) graph.addToCollection(TRAINABLE_VARIABLES, variable);
  return variable;
}

type VariableFactory = {
  (initial: TensorLike, options?: VariableOptions): Variable;
  new (initial: TensorLike, options?: VariableOptions): Variable;
};

/** tf.Variable(initial, {name, trainable}) — callable with or without `new`. */
export const VariableFn = guarded('Variable', function (this: unknown, initial: TensorLike, options?: VariableOptions): Variable {
  return createVariable(initial, options);
}) as unknown as VariableFactory;

export interface AssignOptions {
  name?: string;
}

/**
 * assign(ref, value): a tensor whose value is the variable's new value once it runs.
 * @example
 * ```ts
 * const v = tf.Variable(1);
 * const inc = tf.assign(v, tf.add(v, 1));
 * await sess.run(inc); // 2
 * ```
 */
export const assign = guarded('assign', function assign(ref: Tensor, value: TensorLike, options: AssignOptions = {}): Tensor {
  checkKeys('assign', options, ['name']);
  if (!(ref instanceof Tensor) || ref.op.type !== 'VariableV2') {
    throw new InvalidArgumentError(`assign: the first argument must be a Variable, got ${String(ref)}`);
  }
  const v = toTensor(value, ref.dtype, ref.graph, 'value');
  return ref.graph.createOp(Assign, [ref, v], {}, { name: options.name ?? 'Assign' }).outputs[0];
});

/**
 * An op that runs all of `inputs` (tensors or ops) and outputs nothing.
 * @example
 * ```ts
 * const a = tf.Variable(0);
 * const b = tf.Variable(0);
 * const train = tf.group(tf.assign(a, 1), tf.assign(b, 2));
 * await sess.run(train);
 * ```
 */
export const group = guarded('group', function group(...inputs: (Tensor | Operation | (Tensor | Operation)[])[]): Operation {
  const flat = inputs.flat();
  let name: string | undefined;
  const last = flat[flat.length - 1] as unknown;
  if (isOptionsObject(last)) {
    checkKeys('group', last, ['name']);
    name = (last as { name?: string }).name;
    flat.pop();
  }
  const bad = flat.findIndex((x) => !(x instanceof Tensor) && !(x instanceof Operation));
  if (bad >= 0) throw new InvalidArgumentError(`group: expected Tensors or Operations (and a trailing {name}), got ${describeValue(flat[bad])}`);
  const deps = flat.map((x) => (x instanceof Tensor ? x.op : x));
  const graph = deps.length > 0 ? deps[0].graph : getDefaultGraph();
  return graph.createOp(NoOp, [], {}, { name: name ?? 'group_deps', controlInputs: deps });
});

export const global_variables = guarded('global_variables', function global_variables(graph: Graph = getDefaultGraph()): Variable[] {
  return graph.getCollection<Variable>(GLOBAL_VARIABLES);
});

export const trainable_variables = guarded('trainable_variables', function trainable_variables(graph: Graph = getDefaultGraph()): Variable[] {
  return graph.getCollection<Variable>(TRAINABLE_VARIABLES);
});

export const variables_initializer = guarded('variables_initializer', function variables_initializer(vars: Variable[], name: string = 'init'): Operation {
  const graph = vars.length > 0 ? vars[0].graph : getDefaultGraph();
  return graph.createOp(NoOp, [], {}, { name, controlInputs: vars.map((v) => v.initializer) });
});

/**
 * Initialises every variable of the default graph created so far.
 * @example
 * ```ts
 * const sess = tf.Session();
 * await sess.run(tf.global_variables_initializer());
 * ```
 */
export const global_variables_initializer = guarded('global_variables_initializer', function global_variables_initializer(): Operation {
  return variables_initializer(global_variables());
});

/**
 * TF-1's older name for `tf.global_variables_initializer()`.
 * @example
 * ```ts
 * const sess = tf.Session();
 * await sess.run(tf.initialize_all_variables());
 * ```
 */
export const initialize_all_variables = guarded('initialize_all_variables', global_variables_initializer);
