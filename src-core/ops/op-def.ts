import type { Backend, BackendBuffer } from '../../backends/interface';
import type { DType } from '../graph/dtype';
import type { Shape } from '../graph/shape';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';

/** Attribute values are plain data so graphs can be serialised. */
export type AttrValue = number | string | boolean | null | readonly AttrValue[] | { readonly [k: string]: AttrValue };
// Attribute records are declared per op as ordinary interfaces; `object` keeps them assignable.
export type Attrs = object;

export interface TensorSpec {
  dtype: DType;
  shape: Shape;
}

/** What shape rules and lowerings know about the node they work on, for error messages. */
export interface NodeInfo {
  type: string;
  name: string;
}

/** A value in the float64 reference interpreter: int32 and bool are stored as whole numbers. */
export interface RefArray {
  shape: number[];
  dtype: DType;
  data: Float64Array;
}

/** A concrete input or output of a node during lowering. */
export interface Port {
  buffer: BackendBuffer;
  shape: number[];
  dtype: DType;
}

export interface LoweredNode<A extends Attrs> extends NodeInfo {
  attrs: A;
  inputs: Port[];
  outputs: Port[];
}

/** Services a lowering uses: the backend, plan-owned scratch buffers, and the step list. */
export interface LowerContext {
  readonly backend: Backend;
  /** A scratch buffer owned by the plan, alive for the whole step. */
  temp(dtype: DType, size: number): BackendBuffer;
  /** Appends one step (a closure calling backend primitives) to the plan. */
  emit(step: () => void): void;
  /**
   * Runs once when the plan is built, for outputs that never change (constants). The plan keeps
   * such outputs out of any buffer sharing.
   */
  init(step: () => void): void;
  /** A plan-owned buffer that only `init` writes: it keeps its own storage, never shared with a value. */
  constant(dtype: DType, size: number): BackendBuffer;
  /**
   * Host state that outlives one plan: the session keeps one value per key, made by `create` on first
   * use, and every plan it compiles gets the same one (a random op's generator, so its stream goes on
   * whichever fetches a run asks for, as a TF-1 op kernel's state does).
   */
  sessionState<T>(key: string, create: () => T): T;
}

export type GradientFn<A extends Attrs> = (op: Operation<A>, dys: (Tensor | null)[]) => (Tensor | null)[];

/**
 * One op, declared once: its shape rule, its gradient as other graph ops, its lowering to backend
 * primitives, and a plain float64 reference kernel that tests and constant folding trust.
 */
export interface OpDef<A extends Attrs = Attrs> {
  readonly type: string;
  /** Output dtypes and shapes from input specs; works on partial shapes, throws naming the node. */
  inferOutputs(inputs: TensorSpec[], attrs: A, node: NodeInfo): TensorSpec[];
  /** Gradients w.r.t. each input, built from other ops; absent means not differentiable. */
  gradient?: GradientFn<A>;
  /** Emits backend primitive calls computing outputs from inputs (all shapes concrete). */
  lower(ctx: LowerContext, node: LoweredNode<A>): void;
  /** Naive float64 kernel: the oracle for tests. */
  reference(inputs: RefArray[], attrs: A, node: NodeInfo): RefArray[];
  /** Output 0 shares this input's buffer (reshape-like ops, assign): no copy is made for it. */
  readonly aliasInput?: number;
  /** Has effects or state (variables, assign, random): never folded or merged. */
  readonly stateful?: boolean;
  /** Outputs are written once, at compile time (through `init`): they get storage of their own. */
  readonly constantOutputs?: boolean;
  /** Inputs used only for their shape: their values are never read. */
  readonly shapeOnlyInputs?: readonly number[];
}

const registry = new Map<string, OpDef<Attrs>>();

/** Registers an op definition under its type name; each type is declared exactly once. */
export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  if (registry.has(def.type)) throw new Error(`op type '${def.type}' is declared twice`);
  registry.set(def.type, def as unknown as OpDef<Attrs>);
  return def;
}

export function getOpDef(type: string): OpDef<Attrs> | undefined {
  return registry.get(type);
}

/**
 * The definition registered under `type`, for builders that look ops up by name (so they need not
 * import the op modules, whose gradients import the builders). Built-in ops register when
 * src-core/ops/builtin.ts is loaded, which the `tf` entry point and autodiff do.
 */
export function opDef<A extends Attrs = Attrs>(type: string): OpDef<A> {
  const def = registry.get(type);
  if (def === undefined) {
    throw new Error(`op type '${type}' is not registered (import src-core, or src-core/ops/builtin, so the built-in ops register)`);
  }
  return def as unknown as OpDef<A>;
}

export function registeredOpTypes(): string[] {
  return [...registry.keys()].sort();
}
