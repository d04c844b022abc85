import { InvalidArgumentError } from '../errors';
import type { Attrs, OpDef, TensorSpec } from '../ops/op-def';
import { Operation } from './operation';
import { Tensor } from './tensor';

/** Builds a Tensor subclass for an op's output (Variables use this to return a `Variable`). */
export type TensorFactory = (op: Operation, index: number, spec: TensorSpec) => Tensor;

export interface CreateOpOptions {
  name?: string;
  controlInputs?: Operation[];
  tensorFactory?: TensorFactory;
}

/**
 * A static dataflow graph. Node names are unique (`MatMul`, `MatMul_1`, `scope/MatMul`), as in TF-1,
 * so every error message can point at one node.
 */
export class Graph {
  private readonly ops: Operation[] = [];
  private readonly opsByName = new Map<string, Operation>();
  private readonly nameCounts = new Map<string, number>();
  private readonly usedNames = new Set<string>();
  private readonly scopeStack: string[] = [];
  private readonly controlStack: Operation[][] = [];
  private readonly collections = new Map<string, unknown[]>();
  /** Graph-level seed (`tf.set_random_seed`); op-level seeds combine with it. */
  seed: number | null = null;
  /** Bumped on every op creation: lets caches notice graph changes cheaply. */
  version = 0;

  get operations(): readonly Operation[] {
    return this.ops;
  }

  get_operations(): Operation[] {
    return [...this.ops];
  }

  get_operation_by_name(name: string): Operation {
    const op = this.opsByName.get(name);
    if (!op) throw new InvalidArgumentError(`The name '${name}' refers to no operation in the graph`);
    return op;
  }

  /** Looks up `op:index` or a bare op name (meaning output 0). */
  get_tensor_by_name(name: string): Tensor {
    const match = /^(.*):(\d+)$/.exec(name);
    const opName = match ? match[1] : name;
    const index = match ? Number(match[2]) : 0;
    const op = this.opsByName.get(opName);
    if (!op || index >= op.outputs.length) {
      throw new InvalidArgumentError(`The name '${name}' refers to no tensor in the graph`);
    }
    return op.outputs[index];
  }

  hasOperation(name: string): boolean {
    return this.opsByName.has(name);
  }

  /** The current name-scope prefix, e.g. `gradients/MatMul_grad/`. */
  get scopePrefix(): string {
    return this.scopeStack.length === 0 ? '' : `${this.scopeStack.join('/')}/`;
  }

  /** Runs `fn` with names created inside it prefixed by `name/` (made unique like op names). */
  nameScope<T>(name: string, fn: () => T): T {
    const full = this.uniqueName(name);
    const prefix = this.scopePrefix;
    const relative = full.slice(prefix.length);
    this.scopeStack.push(relative);
    try {
      return fn();
    } finally {
      this.scopeStack.pop();
    }
  }

  /**
   * Runs `fn` with the name scope set to exactly `prefix` ('' for the root) and no control dependencies:
   * TF-1's `init_scope`, so variables and optimizer state get their own names (`scope/w`, `w/Adam`) and
   * never wait on the ops (update_ops) that happen to surround their creation.
   */
  stateScope<T>(prefix: string, fn: () => T): T {
    const savedScopes = this.scopeStack.splice(0);
    const savedControl = this.controlStack.splice(0);
    if (prefix !== '') this.scopeStack.push(prefix);
    try {
      return fn();
    } finally {
      this.scopeStack.splice(0, this.scopeStack.length, ...savedScopes);
      this.controlStack.splice(0, this.controlStack.length, ...savedControl);
    }
  }

  /** Ops created inside `fn` run only after `deps` (TF-1's `control_dependencies`). */
  controlDependencies<T>(deps: Operation[], fn: () => T): T {
    this.controlStack.push(deps);
    try {
      return fn();
    } finally {
      this.controlStack.pop();
    }
  }

  /**
   * Makes `scope + base` unique: the first use keeps the name, later ones get `_1`, `_2`, ...
   * Scope names and op names share one namespace, as in TF-1.
   */
  uniqueName(base: string): string {
    const wanted = this.scopePrefix + base;
    let count = this.nameCounts.get(wanted) ?? 0;
    let name = count === 0 ? wanted : `${wanted}_${count}`;
    while (this.usedNames.has(name)) {
      count++;
      name = `${wanted}_${count}`;
    }
    this.nameCounts.set(wanted, count + 1);
    this.usedNames.add(name);
    return name;
  }

  createOp<A extends Attrs>(def: OpDef<A>, inputs: Tensor[], attrs: A, options: CreateOpOptions = {}): Operation<A> {
    for (const t of inputs) {
      if (t.graph !== this) {
        throw new InvalidArgumentError(
          `${def.type}: input '${t.name}' belongs to another graph; tensors of two graphs cannot be mixed`,
        );
      }
    }
    const name = this.uniqueName(options.name ?? def.type);
    const specs = def.inferOutputs(
      inputs.map((t) => ({ dtype: t.dtype, shape: t.shape })),
      attrs,
      { type: def.type, name },
    );
    const control = [...this.controlStack.flat(), ...(options.controlInputs ?? [])];
    const op = new Operation<A>(this, this.ops.length, def, name, inputs, attrs, control);
    const factory = options.tensorFactory ?? ((o, i, s) => new Tensor(o, i, s.dtype, s.shape));
    op.outputs = specs.map((spec, i) => factory(op as unknown as Operation, i, spec));
    this.ops.push(op as unknown as Operation);
    this.opsByName.set(name, op as unknown as Operation);
    this.version++;
    return op;
  }

  addToCollection(key: string, value: unknown): void {
    const list = this.collections.get(key) ?? [];
    list.push(value);
    this.collections.set(key, list);
  }

  getCollection<T>(key: string): T[] {
    return [...((this.collections.get(key) as T[] | undefined) ?? [])];
  }

  /** Runs `fn` with this graph as the default one. */
  as_default<T>(fn: () => T): T {
    return withDefaultGraph(this, fn);
  }
}

let defaultGraph = new Graph();
const defaultGraphStack: Graph[] = [];

export function getDefaultGraph(): Graph {
  return defaultGraphStack.length > 0 ? defaultGraphStack[defaultGraphStack.length - 1] : defaultGraph;
}

export function resetDefaultGraph(): void {
  if (defaultGraphStack.length > 0) {
    throw new InvalidArgumentError('reset_default_graph: cannot reset inside a Graph.as_default() block');
  }
  defaultGraph = new Graph();
}

export function withDefaultGraph<T>(graph: Graph, fn: () => T): T {
  defaultGraphStack.push(graph);
  try {
    return fn();
  } finally {
    defaultGraphStack.pop();
  }
}
