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
import { describeNonFinite } from '../checkpoint/finite';
import { encodeSafetensors, type TensorLayout } from '../checkpoint/safetensors';
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
  /** Save NaN / Inf values too (default false: a diverged model is refused rather than saved by accident). */
  allow_non_finite?: boolean;
  /**
   * tinyflow: extra string entries for the file's `__metadata__`, written in the same atomic rename as the
   * weights (an app's step count, config, history). The keys of `CHECKPOINT_FORMAT` are reserved.
   */
  metadata?: Record<string, string>;
}

export interface RestoreOptions {
  /** Restore NaN / Inf values too (default false: the checkpoint is refused, naming the variable). */
  allow_non_finite?: boolean;
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

  /** Saver({var_list, name}), or TF-1's positional var_list: Saver([v1, v2]) or Saver({name: v}). */
  constructor(optionsOrVarList: SaverOptions | Variable[] | Record<string, Variable> = {}) {
    const options = saverOptions(optionsOrVarList);
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

  /**
   * Writes every variable's value to `save_path` (atomically) and resolves to the path written.
   * @example
   * ```ts
   * const saver = tf.train.Saver();
   * await saver.save(sess, 'model.safetensors');
   * ```
   */
  async save(sess: Session, save_path: string, options: SaveOptions = {}): Promise<string> {
    checkKeys('Saver.save', options, ['global_step', 'allow_non_finite', 'metadata']);
    this.checkSession(sess, 'save');
    const path = options.global_step === undefined ? save_path : `${save_path}-${options.global_step}`;
    const metadata = checkpointMetadata(options.metadata);
    const values = (await sess.run(this.entries.map((e) => e.variable))) as NDArray[];
    const named = this.entries.map((e, i) => ({ name: e.key, array: values[i] }));
    const nonFinite = options.allow_non_finite === true ? null : describeNonFinite(named);
    if (nonFinite !== null) {
      throw new InvalidArgumentError(`Saver.save: ${nonFinite}; not saving '${path}' (pass {allow_non_finite: true} to save it anyway)`);
    }
    const chunks = encodeSafetensors(named, metadata);
    const io = await import('../checkpoint/checkpoint-file');
    await io.writeFileAtomic(path, chunks);
    return path;
  }

  /**
   * Reads `save_path` and assigns each saved value to the variable of the same name.
   * @example
   * ```ts
   * const saver = tf.train.Saver();
   * await saver.restore(sess, 'model.safetensors'); // a file saver.save wrote
   * ```
   */
  async restore(sess: Session, save_path: string, options: RestoreOptions = {}): Promise<void> {
    checkKeys('Saver.restore', options, ['allow_non_finite']);
    this.checkSession(sess, 'restore');
    const io = await import('../checkpoint/checkpoint-file');
    // Names, dtypes and shapes are checked against the graph from the header, before any tensor is read.
    const { tensors } = await io.readSafetensorsFile(save_path, {
      names: this.entries.map((e) => e.key),
      check: (layout) => this.checkLayout(layout.tensors, save_path),
    });
    const feeds = this.entries.map((e): [Tensor, NDArray] => {
      const value = tensors.get(e.key);
      if (!value) throw new NotFoundError(`Saver.restore: variable '${e.key}' not found in checkpoint '${save_path}'`);
      return [e.feed, value];
    });
    const nonFinite = options.allow_non_finite === true ? null : describeNonFinite(this.entries.map((e, i) => ({ name: e.key, array: feeds[i][1] })));
    if (nonFinite !== null) {
      throw new InvalidArgumentError(`Saver.restore: checkpoint '${save_path}': ${nonFinite}; nothing was restored (pass {allow_non_finite: true} to restore it anyway)`);
    }
    await sess.run(this.restoreOp, feeds);
  }

  private checkLayout(saved: readonly TensorLayout[], save_path: string): void {
    const byName = new Map(saved.map((t) => [t.name, t]));
    for (const e of this.entries) {
      const t = byName.get(e.key);
      if (!t) {
        throw new NotFoundError(
          `Saver.restore: variable '${e.key}' not found in checkpoint '${save_path}' (it holds ${saved.map((s) => s.name).join(', ') || 'no tensors'})`,
        );
      }
      if (t.dtype !== e.variable.dtype || !shapesCompatible(e.variable.shape, t.shape)) {
        throw new InvalidArgumentError(
          `Saver.restore: variable '${e.key}' is ${e.variable.dtype} ${formatShape(e.variable.shape)} in the graph ` +
            `but ${t.dtype} ${formatShape(t.shape)} in checkpoint '${save_path}'`,
        );
      }
    }
  }

  private checkSession(sess: Session, what: string): void {
    if (sess.graph !== this.graph) {
      throw new InvalidArgumentError(`Saver.${what}: the session runs another graph than the one this Saver's variables belong to`);
    }
  }
}

/** The format tag plus the caller's entries, which may not replace the tag. */
function checkpointMetadata(extra: Record<string, string> | undefined): Record<string, string> {
  if (extra === undefined) return { ...CHECKPOINT_FORMAT };
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new InvalidArgumentError(`Saver.save: metadata must be an object of strings, got ${String(extra)}`);
  }
  for (const [key, value] of Object.entries(extra)) {
    if (key in CHECKPOINT_FORMAT) throw new InvalidArgumentError(`Saver.save: metadata key '${key}' is reserved for the format tag`);
    if (typeof value !== 'string') throw new InvalidArgumentError(`Saver.save: metadata '${key}' must be a string, got ${typeof value}`);
  }
  return { ...extra, ...CHECKPOINT_FORMAT };
}

/** A list, or an object whose values are all Variables, is TF-1's positional var_list; else options. */
function saverOptions(arg: SaverOptions | Variable[] | Record<string, Variable>): SaverOptions {
  if (Array.isArray(arg)) return { var_list: arg };
  if (typeof arg !== 'object' || arg === null) throw new InvalidArgumentError(`Saver: expected a var_list or {var_list, name}, got ${String(arg)}`);
  const values = Object.values(arg);
  if (values.length > 0 && values.every((v) => v instanceof Tensor && v.op.type === 'VariableV2')) return { var_list: arg as Record<string, Variable> };
  return arg as SaverOptions;
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
