/**
 * tf.train.Saver: saves variables (weights and optimizer slots alike) to a safetensors file and
 * restores them by name into any graph that has variables of those names. It stays in the graph layer:
 * values are read with `sess.run(vars)` and written back through assign ops fed from placeholders,
 * built once per Saver.
 */
import { InvalidArgumentError, NotFoundError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Operation } from '../graph/operation';
import { formatShape, shapesCompatible } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import type { NDArray } from '../ndarray';
import type { Session } from '../session';
import { decodeSafetensors, encodeSafetensors } from '../checkpoint/safetensors';
import { checkKeys } from './options';
import { assign, global_variables, group, placeholder, type Variable } from './variables';

export interface SaverOptions {
  /** The variables to save: a list (saved under their op names) or an object of name → variable. Default: all. */
  var_list?: Variable[] | Record<string, Variable>;
  name?: string;
}

export interface SaveOptions {
  /** Appended to the path as `path-STEP`, as TF-1 does. */
  global_step?: number;
}

/** Recorded in the file's `__metadata__`. */
export const CHECKPOINT_FORMAT = { format: 'tinyflow', version: '1' } as const;

interface SavedVariable {
  key: string;
  variable: Variable;
  feed: Tensor;
}

export class Saver {
  private readonly graph: Graph;
  private readonly entries: SavedVariable[];
  private readonly restoreOp: Operation;

  constructor(options: SaverOptions = {}) {
    checkKeys('Saver', options, ['var_list', 'name']);
    const named = namedVariables(options.var_list ?? global_variables());
    if (named.length === 0) throw new InvalidArgumentError('Saver: no variables to save');
    this.graph = named[0][1].graph;
    const scope = options.name ?? 'save';
    const built = this.graph.nameScope(scope, () => {
      const entries = named.map(([key, variable]): SavedVariable => ({
        key,
        variable,
        feed: placeholder(variable.dtype, variable.shape, `restore_${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`),
      }));
      const assigns = entries.map((e) => assign(e.variable, e.feed));
      return { entries, op: group(...assigns) };
    });
    this.entries = built.entries;
    this.restoreOp = built.op;
  }

  /** Writes every variable's value to `save_path` (atomically) and resolves to the path written. */
  async save(sess: Session, save_path: string, options: SaveOptions = {}): Promise<string> {
    checkKeys('Saver.save', options, ['global_step']);
    this.checkSession(sess, 'save');
    const path = options.global_step === undefined ? save_path : `${save_path}-${options.global_step}`;
    const values = (await sess.run(this.entries.map((e) => e.variable))) as NDArray[];
    const chunks = encodeSafetensors(this.entries.map((e, i) => ({ name: e.key, array: values[i] })), { ...CHECKPOINT_FORMAT });
    const io = await import('../checkpoint/checkpoint-file');
    await io.writeFileAtomic(path, chunks);
    return path;
  }

  /** Reads `save_path` and assigns each saved value to the variable of the same name. */
  async restore(sess: Session, save_path: string): Promise<void> {
    this.checkSession(sess, 'restore');
    const io = await import('../checkpoint/checkpoint-file');
    const { tensors } = decodeSafetensors(await io.readCheckpointFile(save_path), save_path);
    const feeds = this.entries.map((e): [Tensor, NDArray] => {
      const value = tensors.get(e.key);
      if (!value) {
        throw new NotFoundError(
          `Saver.restore: variable '${e.key}' not found in checkpoint '${save_path}' (it holds ${[...tensors.keys()].join(', ') || 'no tensors'})`,
        );
      }
      if (value.dtype !== e.variable.dtype || !shapesCompatible(e.variable.shape, value.shape)) {
        throw new InvalidArgumentError(
          `Saver.restore: variable '${e.key}' is ${e.variable.dtype} ${formatShape(e.variable.shape)} in the graph ` +
            `but ${value.dtype} ${formatShape(value.shape)} in checkpoint '${save_path}'`,
        );
      }
      return [e.feed, value];
    });
    await sess.run(this.restoreOp, feeds);
  }

  private checkSession(sess: Session, what: string): void {
    if (sess.graph !== this.graph) {
      throw new InvalidArgumentError(`Saver.${what}: the session runs another graph than the one this Saver's variables belong to`);
    }
  }
}

function namedVariables(varList: Variable[] | Record<string, Variable>): [string, Variable][] {
  const pairs: [string, unknown][] = Array.isArray(varList) ? varList.map((v) => ['', v]) : Object.entries(varList);
  const seen = new Set<string>();
  return pairs.map(([key, v]): [string, Variable] => {
    if (!(v instanceof Tensor) || v.op.type !== 'VariableV2') throw new InvalidArgumentError(`Saver: var_list must hold Variables, got ${String(v)}`);
    const name = key === '' ? v.op.name : key;
    if (seen.has(name)) throw new InvalidArgumentError(`Saver: two variables would be saved under the name '${name}'`);
    seen.add(name);
    return [name, v as Variable];
  });
}
