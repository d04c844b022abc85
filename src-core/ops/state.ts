/** Graph plumbing: placeholders, variables, assignment, grouping and identity. */
import type { DType } from '../graph/dtype';
import { formatShape, shapesCompatible, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { emitUnary } from './lowering';
import { opError } from './support';

function fedOnly(node: NodeInfo): never {
  throw opError(node, 'has no kernel: its value comes from a feed or the session');
}

export interface PlaceholderAttrs {
  dtype: DType;
  shape: Shape;
}

export const Placeholder = defineOp<PlaceholderAttrs>({
  type: 'Placeholder',
  stateful: true,
  inferOutputs(_inputs, attrs) {
    return [{ dtype: attrs.dtype, shape: attrs.shape === null ? null : [...attrs.shape] }];
  },
  lower(_ctx, node) {
    fedOnly(node);
  },
  reference(_inputs, _attrs, node) {
    return fedOnly(node);
  },
});

/** Where a not-yet-known dim of a variable comes from: dim `axis` (may be negative) of tensor `tensor`. */
export interface DimSource {
  tensor: string;
  axis: number;
}

export interface VariableAttrs {
  dtype: DType;
  /**
   * Fully known for `tf.Variable`. tinyflow's automatic layers may leave dims unknown (null): such a
   * variable gets its buffer from its first assignment, and `tf.infer_variable_shapes` derives the dims
   * from `dim_sources`.
   */
  shape: Shape;
  trainable: boolean;
  /** Per dim: where an unknown dim comes from (null: the dim is known, or has no source). */
  dim_sources?: (DimSource | null)[];
  /**
   * The value a variable holds before anything assigns it: the session fills it on first use (optimizer
   * state, because tinyflow programs initialise only their weights). Absent: reading it first is an error.
   */
  default_fill?: number;
}

/** A variable's value lives on the session's backend; the plan binds its buffer, so there is no kernel. */
export const VariableV2 = defineOp<VariableAttrs>({
  type: 'VariableV2',
  stateful: true,
  inferOutputs(_inputs, attrs, node) {
    if (attrs.shape === null) throw opError(node, 'a variable needs a known rank, got an unknown shape');
    return [{ dtype: attrs.dtype, shape: [...attrs.shape] }];
  },
  lower(_ctx, node) {
    fedOnly(node);
  },
  reference(_inputs, _attrs, node) {
    return fedOnly(node);
  },
});

/** assign(ref, value): writes value into the variable in place; its output is the new value. */
export const Assign = defineOp({
  type: 'Assign',
  stateful: true,
  aliasInput: 0,
  inferOutputs(inputs, _attrs, node) {
    const [ref, value] = inputs;
    if (ref.dtype !== value.dtype) {
      throw opError(node, `cannot assign a ${value.dtype} value to a ${ref.dtype} variable`);
    }
    if (!shapesCompatible(ref.shape, value.shape)) {
      throw opError(node, `shapes differ: variable ${formatShape(ref.shape)} vs value ${formatShape(value.shape)}`);
    }
    return [{ dtype: ref.dtype, shape: ref.shape }];
  },
  lower(ctx, node) {
    const [ref, value] = node.inputs;
    if (ref.shape.length !== value.shape.length || ref.shape.some((d, i) => d !== value.shape[i])) {
      throw opError(node, `shapes differ: variable ${formatShape(ref.shape)} vs value ${formatShape(value.shape)}`);
    }
    if (ref.buffer !== value.buffer) emitUnary(ctx, 'identity', value, ref);
  },
  reference(inputs) {
    return [inputs[1]];
  },
});

/** Does nothing; its control inputs make it a join point (`tf.group`, the variable initializer). */
export const NoOp = defineOp({
  type: 'NoOp',
  stateful: true,
  inferOutputs: () => [],
  lower() {},
  reference: () => [],
});

export const Identity = defineOp({
  type: 'Identity',
  inferOutputs: (inputs) => [{ ...inputs[0] }],
  gradient: (_op, [dy]) => [dy],
  lower(ctx, node) {
    emitUnary(ctx, 'identity', node.inputs[0], node.outputs[0]);
  },
  reference: (inputs) => [inputs[0]],
});

/** Passes its input through but blocks gradients. */
export const StopGradient = defineOp({
  type: 'StopGradient',
  aliasInput: 0,
  inferOutputs: (inputs) => [{ ...inputs[0] }],
  gradient: () => [null],
  lower() {},
  reference: (inputs) => [inputs[0]],
});
