/**
 * Optimizer slots that start at a value other than zero (RMSProp's `rms` at 1, Adagrad's accumulator
 * at initial_accumulator_value), named as TF-1 names slots (`W/RMSProp`, `W/RMSProp_1`, ...).
 */
import type { Operation } from '../../graph/operation';
import type { Variable } from '../variables';
import { Optimizer } from './optimizer';
import { createSlot } from './slots';

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
      slot = createSlot(variable, this.name, value);
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
