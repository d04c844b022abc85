/**
 * Optimizer slots that start at a value other than zero (RMSProp's `rms` at 1, Adagrad's accumulator
 * at initial_accumulator_value), named as TF-1 names slots (`W/RMSProp`, `W/RMSProp_1`, ...).
 */
import { isFullyDefined } from '../../graph/shape';
import type { Operation } from '../../graph/operation';
import * as m from '../math-core';
import { declareVariable, type Variable } from '../variables';
import { Optimizer } from './optimizer';

/** A slot shaped like `primary` holding `value` everywhere (also before any initializer ran). */
export function createFilledSlot(primary: Variable, optimizerName: string, value: number): Variable {
  const shape = primary.shape ?? [];
  const known = isFullyDefined(shape);
  return declareVariable({
    name: `${primary.op.name}/${optimizerName}`,
    shape: [...shape],
    dtype: primary.dtype,
    trainable: false,
    dimSources: known ? undefined : shape.map((d, axis) => (d === null ? { tensor: primary.name, axis } : null)),
    defaultFill: value,
    initialValue: known ? m.fill(shape, value, primary.dtype) : m.add(m.zerosLike(primary), value),
    graph: primary.graph,
  });
}

export abstract class FilledSlotOptimizer extends Optimizer {
  /** slot name → primary variable's op → slot variable, in creation order. */
  private readonly filled = new Map<string, Map<Operation, Variable>>();

  /** The slot `slotName` of `variable`, created holding `value` on first use. */
  protected filledSlot(variable: Variable, slotName: string, value: number): Variable {
    let bySlot = this.filled.get(slotName);
    if (!bySlot) {
      bySlot = new Map();
      this.filled.set(slotName, bySlot);
    }
    let slot = bySlot.get(variable.op);
    if (!slot) {
      slot = createFilledSlot(variable, this.name, value);
      bySlot.set(variable.op, slot);
    }
    return slot;
  }

  override get_slot_names(): string[] {
    return [...this.filled.keys(), ...super.get_slot_names()];
  }

  override get_slot(variable: Variable, slotName: string): Variable | null {
    return this.filled.get(slotName)?.get(variable.op) ?? super.get_slot(variable, slotName);
  }
}
