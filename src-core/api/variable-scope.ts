/**
 * TF-1's variable sharing: `tf.variable_scope(name, {reuse, initializer}, fn)` and
 * `tf.get_variable(name, shape, {dtype, initializer, trainable})`.
 *
 * A variable made by get_variable is named `scope/name` whatever name scope surrounds the call (only
 * variable scopes count), and is kept in its graph's store under that name. Without reuse, asking for
 * a name already in the store is an error; with `reuse: true`, asking for one not in it is an error;
 * with `tf.AUTO_REUSE`, the first call creates and later calls share. Reuse is inherited by inner
 * scopes. Entering a variable scope also opens a name scope (made unique: `fc`, then `fc_1`), so the
 * ops of a layer built twice stay apart while its variables are shared, as in TF-1.
 */
import { isDType, type DType } from '../graph/dtype';
import { getDefaultGraph, type Graph } from '../graph/graph';
import { formatShape, type Shape } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import { NDArray, type NestedArray } from '../ndarray';
import { InvalidArgumentError } from '../errors';
import { constantTensor } from './convert';
import { glorot_uniform_initializer, isInitializer, zeros_initializer, type Initializer } from './initializers';
import { checkKeys, describeValue, guarded, isOptionsObject } from './options';
import { VariableFn, type Variable } from './variables';

/** `reuse: tf.AUTO_REUSE`: create the variable if it is missing, share it if not. */
export const AUTO_REUSE: unique symbol = Symbol('tf.AUTO_REUSE');
export type Reuse = boolean | typeof AUTO_REUSE;

/** What a getter sees of the variable scope it runs in (`tf.get_variable_scope()`). */
export class VariableScope {
  constructor(
    /** The full name ('' at the top), the prefix of its variables' names. */
    readonly name: string,
    private reuseFlag: Reuse,
    readonly initializer: Initializer | undefined,
    readonly dtype: DType | undefined,
  ) {}

  get reuse(): Reuse {
    return this.reuseFlag;
  }

  /** TF-1's `scope.reuse_variables()`: from now on, get_variable in this scope shares. */
  reuse_variables(): void {
    this.reuseFlag = true;
  }

  get original_name_scope(): string {
    return this.name === '' ? '' : `${this.name}/`;
  }
}

interface ScopeState {
  stack: VariableScope[];
  /** Full variable name → the variable get_variable made. */
  store: Map<string, Variable>;
  /** Full scope name → times entered, for unique default names (`dense`, `dense_1`). */
  scopeUses: Map<string, number>;
}

const states = new WeakMap<Graph, ScopeState>();

function stateOf(graph: Graph): ScopeState {
  let state = states.get(graph);
  if (!state) {
    state = { stack: [new VariableScope('', false, undefined, undefined)], store: new Map(), scopeUses: new Map() };
    states.set(graph, state);
  }
  return state;
}

function current(state: ScopeState): VariableScope {
  return state.stack[state.stack.length - 1];
}

/** tf.get_variable_scope(): the variable scope of the default graph in effect now. */
export const get_variable_scope = guarded('get_variable_scope', function get_variable_scope(): VariableScope {
  return current(stateOf(getDefaultGraph()));
});

export interface VariableScopeOptions {
  /** true: share existing variables (missing ones are an error); tf.AUTO_REUSE: share or create. */
  reuse?: Reuse | null;
  /** The default initializer of get_variable inside (inherited by inner scopes). */
  initializer?: Initializer;
  dtype?: DType;
  /** With no name: the base of a unique name (`dense`, `dense_1`, ...). */
  default_name?: string;
}

const SCOPE_KEYS = ['reuse', 'initializer', 'dtype', 'default_name'] as const;

function checkScopeName(fn: string, name: string): void {
  if (name === '' || !/^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$/.test(name) || name.endsWith('/')) {
    throw new InvalidArgumentError(`${fn}: '${name}' is not a valid scope name (letters, digits, '.', '_', '-', '/' inside)`);
  }
}

function uniqueScopeName(state: ScopeState, prefix: string, base: string): string {
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? base : `${base}_${i}`;
    if ((state.scopeUses.get(prefix + candidate) ?? 0) === 0) return candidate;
  }
}

/**
 * tf.variable_scope(name_or_scope, fn) or (name_or_scope, {reuse, initializer, dtype, default_name}, fn):
 * runs `fn` (and returns what it returns) with variables named `name_or_scope/…`. A VariableScope (from
 * get_variable_scope) re-enters that scope by its full name. name_or_scope may be null with default_name.
 */
export function variable_scope<T>(nameOrScope: string | VariableScope | null, optionsOrFn: VariableScopeOptions | (() => T), maybeFn?: () => T): T {
  return guarded('variable_scope', () => {
    const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
    const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
    if (typeof fn !== 'function') throw new InvalidArgumentError('variable_scope: the last argument must be the function to run inside the scope');
    if (!isOptionsObject(options)) throw new InvalidArgumentError(`variable_scope: expected an options object {${SCOPE_KEYS.join(', ')}}, got ${describeValue(options)}`);
    checkKeys('variable_scope', options, SCOPE_KEYS);
    const reuse = options.reuse ?? false;
    if (reuse !== true && reuse !== false && reuse !== AUTO_REUSE) {
      throw new InvalidArgumentError(`variable_scope: reuse must be true, false, null or tf.AUTO_REUSE, got ${describeValue(reuse)}`);
    }
    if (options.initializer !== undefined && !isInitializer(options.initializer)) {
      throw new InvalidArgumentError(`variable_scope: initializer must be an initializer (tf.zeros_initializer(), ...), got ${describeValue(options.initializer)}`);
    }
    if (options.dtype !== undefined && !isDType(options.dtype)) throw new InvalidArgumentError(`variable_scope: unknown dtype ${describeValue(options.dtype)}`);
    const graph = getDefaultGraph();
    const state = stateOf(graph);
    const outer = current(state);
    let fullName: string;
    if (nameOrScope instanceof VariableScope) {
      if (nameOrScope.name === '') throw new InvalidArgumentError('variable_scope: the top-level scope cannot be re-entered');
      fullName = nameOrScope.name;
    } else if (nameOrScope === null || nameOrScope === undefined) {
      if (typeof options.default_name !== 'string') throw new InvalidArgumentError('variable_scope: give a name or a default_name');
      checkScopeName('variable_scope', options.default_name);
      fullName = outer.original_name_scope + uniqueScopeName(state, outer.original_name_scope, options.default_name);
    } else if (typeof nameOrScope === 'string') {
      checkScopeName('variable_scope', nameOrScope);
      fullName = outer.original_name_scope + nameOrScope;
    } else {
      throw new InvalidArgumentError(`variable_scope: the name must be a string, a VariableScope or null, got ${describeValue(nameOrScope)}`);
    }
    // Reuse is inherited: inside a reusing scope, every inner scope reuses too (TF-1).
    const inherited: Reuse = outer.reuse === true || reuse === true ? true : reuse === AUTO_REUSE || outer.reuse === AUTO_REUSE ? AUTO_REUSE : false;
    const base = nameOrScope instanceof VariableScope ? nameOrScope : undefined;
    const scope = new VariableScope(fullName, inherited, options.initializer ?? base?.initializer ?? outer.initializer, options.dtype ?? base?.dtype ?? outer.dtype);
    state.scopeUses.set(fullName, (state.scopeUses.get(fullName) ?? 0) + 1);
    state.stack.push(scope);
    try {
      // The name scope nests under the current one: the scope's own name, or its last part when re-entered.
      const nameScope = typeof nameOrScope === 'string' ? nameOrScope : fullName.slice(fullName.lastIndexOf('/') + 1);
      return graph.nameScope(nameScope, fn);
    } finally {
      state.stack.pop();
    }
  })();
}

export type InitializerArg = Initializer | Tensor | NDArray | NestedArray;

export interface GetVariableOptions {
  shape?: number[];
  dtype?: DType;
  /** An initializer, or the initial value itself (a Tensor or values; then shape may be left out). */
  initializer?: InitializerArg;
  trainable?: boolean;
}

const GET_KEYS = ['shape', 'dtype', 'initializer', 'trainable'] as const;

function sameShape(a: Shape, b: readonly number[]): boolean {
  return a !== null && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * tf.get_variable(name, shape?, {dtype, initializer, trainable}) or (name, {shape, dtype, initializer,
 * trainable}): the variable `scope/name`, created or shared as the enclosing variable_scope's reuse says.
 */
export const get_variable = guarded('get_variable', function get_variable(name: string, shapeOrOptions?: number[] | GetVariableOptions, maybeOptions?: GetVariableOptions): Variable {
  const fn = 'get_variable';
  if (typeof name !== 'string') throw new InvalidArgumentError(`${fn}: the name must be a string, got ${describeValue(name)}`);
  checkScopeName(fn, name);
  let opts: GetVariableOptions;
  if (isOptionsObject(shapeOrOptions)) {
    if (maybeOptions !== undefined) throw new InvalidArgumentError(`${fn}: give the shape either positionally or in the options, not both`);
    opts = shapeOrOptions;
  } else {
    if (maybeOptions !== undefined && !isOptionsObject(maybeOptions)) throw new InvalidArgumentError(`${fn}: expected an options object, got ${describeValue(maybeOptions)}`);
    opts = { ...(maybeOptions ?? {}), ...(shapeOrOptions === undefined || shapeOrOptions === null ? {} : { shape: shapeOrOptions as number[] }) };
    if (maybeOptions?.shape !== undefined && shapeOrOptions !== undefined) throw new InvalidArgumentError(`${fn}: give the shape either positionally or in the options, not both`);
  }
  checkKeys(fn, opts, GET_KEYS);
  const shape = opts.shape;
  if (shape !== undefined && (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))) {
    throw new InvalidArgumentError(`${fn}: the shape of '${name}' must be a list of non-negative integers, got ${describeValue(shape)}`);
  }
  if (opts.dtype !== undefined && !isDType(opts.dtype)) throw new InvalidArgumentError(`${fn}: unknown dtype ${describeValue(opts.dtype)}`);
  if (opts.trainable !== undefined && typeof opts.trainable !== 'boolean') throw new InvalidArgumentError(`${fn}: trainable must be a boolean, got ${describeValue(opts.trainable)}`);

  const graph = getDefaultGraph();
  const state = stateOf(graph);
  const scope = current(state);
  const fullName = scope.original_name_scope + name;
  const existing = state.store.get(fullName);
  if (scope.reuse === true && !existing) {
    throw new InvalidArgumentError(`${fn}: Variable ${fullName} does not exist, or was not created with tf.get_variable(). Did you mean to set reuse: tf.AUTO_REUSE in the variable_scope?`);
  }
  if (existing) {
    if (scope.reuse === false) {
      throw new InvalidArgumentError(`${fn}: Variable ${fullName} already exists, disallowed. Did you mean to set reuse: true or reuse: tf.AUTO_REUSE in the variable_scope?`);
    }
    if (shape !== undefined && !sameShape(existing.shape, shape)) {
      throw new InvalidArgumentError(`${fn}: Trying to share variable ${fullName}, but specified shape ${formatShape(shape)} and found shape ${formatShape(existing.shape)}`);
    }
    if (opts.dtype !== undefined && opts.dtype !== existing.dtype) {
      throw new InvalidArgumentError(`${fn}: Trying to share variable ${fullName}, but specified dtype ${opts.dtype} and found dtype ${existing.dtype}`);
    }
    return existing;
  }
  if (graph.hasOperation(fullName)) {
    throw new InvalidArgumentError(`${fn}: cannot create Variable ${fullName}: an op of that name already exists in the graph (not made by get_variable)`);
  }
  if (graph.operations.some((op) => op.name.startsWith(`${fullName}/`))) {
    throw new InvalidArgumentError(`${fn}: cannot create Variable ${fullName}: the name is taken by a name scope`);
  }
  const dtype = opts.dtype ?? scope.dtype ?? 'float32';
  const initial = graph.stateScope(`${fullName}/Initializer`, () => initialValue(fullName, opts.initializer, scope, shape, dtype, graph));
  const slash = fullName.lastIndexOf('/');
  const variable = graph.stateScope(slash < 0 ? '' : fullName.slice(0, slash), () =>
    VariableFn(initial, { name: fullName.slice(slash + 1), trainable: opts.trainable ?? true, dtype }));
  // A name scope of the same name (tf.name_scope('w')) takes the name without being an op.
  if (variable.op.name !== fullName) {
    throw new InvalidArgumentError(`${fn}: cannot create Variable ${fullName}: the name is taken by a name scope (it would become ${variable.op.name})`);
  }
  state.store.set(fullName, variable);
  return variable;
});

function initialValue(fullName: string, init: InitializerArg | undefined, scope: VariableScope, shape: number[] | undefined, dtype: DType, graph: Graph): Tensor {
  const fn = 'get_variable';
  const chosen = init ?? scope.initializer ?? (dtype === 'float32' ? glorot_uniform_initializer() : zeros_initializer());
  if (isInitializer(chosen)) {
    if (shape === undefined) throw new InvalidArgumentError(`${fn}: Variable ${fullName} needs a shape (only an initial value given as the initializer carries its own)`);
    return chosen(shape, dtype);
  }
  if (typeof chosen === 'function') throw new InvalidArgumentError(`${fn}: the initializer of ${fullName} must be a tf initializer, a Tensor or values, got a plain function`);
  const value = chosen instanceof Tensor ? chosen : constantTensor(chosen, dtype, undefined, graph);
  if (value.graph !== graph) throw new InvalidArgumentError(`${fn}: the initial value of ${fullName} belongs to another graph`);
  if (shape !== undefined && !sameShape(value.shape, shape)) {
    throw new InvalidArgumentError(`${fn}: the initial value of ${fullName} has shape ${formatShape(value.shape)} but shape ${formatShape(shape)} was given`);
  }
  return value;
}
