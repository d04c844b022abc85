/**
 * The Node side of the user's own model: reading a model file or a layer editor file from disk, and
 * building any model source (zoo name, layer model, model file) in the default graph. A model file is
 * an ES module (../shared/API.md "Model files"): TypeScript is transpiled with sucrase, the module is
 * imported from a data: URL, and its default export is called with (tf, x, { training }). User code
 * runs here (the CLI, the compute worker), never in the renderer.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { transform } from 'sucrase';
import * as tf from '../tf';
import { OpError } from '../base/errors';
import { Tensor } from '../graph/tensor';
import { getDefaultGraph, withDefaultGraph } from '../graph/graph';
import { buildFromSpec, classifierHead } from './build';
import { DEFAULT_NUM_CLASSES, modelEntry } from './index';
import type { BuiltModel } from './model';
import type { OptimizerName } from './optimizer-names';
import { layerModelToSpec } from './layer-spec';
import { LAYER_MODEL_LIMITS, ModelDefinitionError, inputError, parseLayerModel, type UserModelSource } from './layer-model';
import { userInput } from './user-layers';
import { global_variables } from '../api/variables';

/** The extensions `loadModelSource` reads: model files and the layer editor's files. */
export const MODEL_FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;
export const LAYER_MODEL_SUFFIX = '.tfmodel.json';

/** Defaults for a model file, whose author chose no optimizer: Adam at 1e-3 trains most small nets. */
export const MODEL_FILE_DEFAULTS = { learningRate: 0.001, optimizer: 'adam' } as const satisfies { learningRate: number; optimizer: OptimizerName };

async function readLimited(path: string): Promise<string> {
  const name = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelDefinitionError(`model file ${path} is not a file`);
    size = info.size;
  } catch (e) {
    if (e instanceof ModelDefinitionError) throw e;
    throw new ModelDefinitionError(`cannot read model file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (size > LAYER_MODEL_LIMITS.fileBytes) throw new ModelDefinitionError(`model file ${name} is ${size} bytes, more than the ${LAYER_MODEL_LIMITS.fileBytes} allowed`);
  if (size === 0) throw new ModelDefinitionError(`model file ${name} is empty`);
  return readFile(path, 'utf8');
}

/** A .ts/.js model file's text, checked for size; errors name the file. */
export async function loadModelFile(path: string): Promise<Extract<UserModelSource, { kind: 'file' }>> {
  const ext = extname(path).toLowerCase();
  if (!(MODEL_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ModelDefinitionError(`model file ${basename(path)}: a model file ends in ${MODEL_FILE_EXTENSIONS.join(', ')} (or ${LAYER_MODEL_SUFFIX} for a layer editor model)`);
  }
  return { kind: 'file', fileName: basename(path), source: await readLimited(path) };
}

/** A model file or a layer editor file (NAME.tfmodel.json), told apart by the file name. */
export async function loadModelSource(path: string): Promise<Extract<UserModelSource, { kind: 'file' | 'layers' }>> {
  if (!path.toLowerCase().endsWith(LAYER_MODEL_SUFFIX)) return loadModelFile(path);
  return { kind: 'layers', model: parseLayerModel(await readLimited(path), basename(path)) };
}

export interface UserModelOptions {
  learningRate: number;
  /** The model's own default when absent. */
  optimizer?: OptimizerName;
  /**
   * The data's class count. A zoo or layer model sizes its output for it (default 10); a model file's
   * logits must agree with it when given.
   */
  numClasses?: number;
}

/** A model source ready to build synchronously: a model file's module is imported. */
export type PreparedModel =
  | Extract<UserModelSource, { kind: 'zoo' | 'layers' }>
  | (Extract<UserModelSource, { kind: 'file' }> & { module: ModelFileModule });

/** Imports a model file's module (transpiled when TypeScript); zoo and layer models need nothing. */
export async function prepareUserModel(source: UserModelSource): Promise<PreparedModel> {
  return source.kind === 'file' ? { ...source, module: await importModelFile(source.fileName, source.source) } : source;
}

/** Builds a prepared model in the default graph, synchronously (so withDefaultGraph scopes it). */
export function buildPreparedModel(prepared: PreparedModel, options: UserModelOptions): BuiltModel {
  switch (prepared.kind) {
    case 'zoo':
      return modelEntry(prepared.name).build(options);
    case 'layers': {
      const numClasses = options.numClasses ?? DEFAULT_NUM_CLASSES;
      const spec = layerModelToSpec(prepared.model, numClasses);
      return buildFromSpec(prepared.model.name, spec, { learningRate: options.learningRate, optimizer: options.optimizer ?? spec.defaultOptimizer, numClasses });
    }
    case 'file':
      return buildModelFile(prepared.fileName, prepared.module, options);
  }
}

/**
 * Builds a model of any source in the graph that is the default one when called (a model file is
 * imported first: the await would otherwise leave a caller's withDefaultGraph scope).
 */
export async function buildUserModel(source: UserModelSource, options: UserModelOptions): Promise<BuiltModel> {
  const graph = getDefaultGraph();
  const prepared = await prepareUserModel(source);
  return withDefaultGraph(graph, () => buildPreparedModel(prepared, options));
}

/** A model's display name: the zoo name, the layer model's name, or the model file's name. */
export function userModelName(source: UserModelSource): string {
  return source.kind === 'zoo' ? source.name : source.kind === 'layers' ? source.model.name : source.fileName;
}

/** The learning rate and optimizer a model trains with when the user names none. */
export function userModelDefaults(source: UserModelSource): { learningRate: number; optimizer: OptimizerName; description: string } {
  switch (source.kind) {
    case 'zoo': {
      const entry = modelEntry(source.name);
      return { learningRate: entry.defaultLearningRate, optimizer: entry.defaultOptimizer, description: entry.description };
    }
    case 'layers': {
      const spec = layerModelToSpec(source.model, DEFAULT_NUM_CLASSES);
      return { learningRate: spec.defaultLearningRate, optimizer: spec.defaultOptimizer, description: spec.description };
    }
    case 'file':
      return { ...MODEL_FILE_DEFAULTS, description: `model file ${source.fileName}` };
  }
}

/** What a model file exports, checked. */
export interface ModelFileModule {
  input: number[];
  model: (tfNamespace: typeof tf, x: Tensor, context: { training: Tensor }) => unknown;
}

/** Where in the user's file an error was thrown: sucrase keeps line numbers, the data: URL's frame has them. */
function lineOf(e: unknown): string {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const frame = /data:text\/javascript[^\s)]*:(\d+):(\d+)/.exec(stack);
  return frame === null ? '' : ` (line ${frame[1]})`;
}

function messageOf(e: unknown): string {
  if (e instanceof OpError) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : `threw ${String(e)}`;
}

/** Transpiles (TypeScript) and imports a model file's text; checks its exports. */
export async function importModelFile(fileName: string, text: string): Promise<ModelFileModule> {
  const where = `model file ${fileName}`;
  const typescript = /\.m?ts$/i.test(fileName);
  let code: string;
  try {
    code = typescript ? transform(text, { transforms: ['typescript'], filePath: fileName, disableESTransforms: true }).code : text;
  } catch (e) {
    throw new ModelDefinitionError(`${where}: cannot read it as TypeScript: ${(e as Error).message}`);
  }
  // A data: module resolves no imports: the model gets tf as its first argument instead.
  const imported = /^\s*import\s*(?:[\w*{][^'"]*from\s*)?['"]([^'"]+)['"]/m.exec(code);
  if (imported !== null) throw new ModelDefinitionError(`${where}: imports '${imported[1]}'; a model file imports nothing: its default export gets tf as its first argument`);
  let module: Record<string, unknown>;
  try {
    module = (await import(/* @vite-ignore */ `data:text/javascript;base64,${Buffer.from(code, 'utf8').toString('base64')}`)) as Record<string, unknown>;
  } catch (e) {
    throw new ModelDefinitionError(`${where}${lineOf(e)}: ${messageOf(e)}`);
  }
  const model = module.default;
  if (typeof model !== 'function') {
    throw new ModelDefinitionError(`${where}: its default export must be a function (tf, x, { training }) that returns the logits, got ${model === undefined ? 'no default export' : typeof model}`);
  }
  const input = module.input === undefined ? [LAYER_MODEL_LIMITS.flat] : module.input;
  const bad = inputError(input);
  if (bad !== null) throw new ModelDefinitionError(`${where}: export const ${bad}`);
  return { input: [...(input as number[])], model: model as ModelFileModule['model'] };
}

/** Calls the model function on the user input and completes it with the studio's head. */
export function buildModelFile(fileName: string, module: ModelFileModule, { learningRate, optimizer = MODEL_FILE_DEFAULTS.optimizer, numClasses }: UserModelOptions): BuiltModel {
  const where = `model file ${fileName}`;
  const graph = getDefaultGraph();
  const { x, training, h } = userInput(module.input);
  let logits: unknown;
  try {
    logits = module.model(tf, h, { training });
  } catch (e) {
    throw new ModelDefinitionError(`${where}${lineOf(e)}: ${messageOf(e)}`);
  }
  if (logits instanceof Promise) throw new ModelDefinitionError(`${where}: the model function returned a Promise; it must build and return the logits synchronously (no async)`);
  if (!(logits instanceof Tensor)) throw new ModelDefinitionError(`${where}: the model function must return the logits Tensor [null, classes], got ${logits === null ? 'null' : typeof logits}`);
  if (logits.graph !== graph) throw new ModelDefinitionError(`${where}: the returned logits '${logits.name}' belong to another graph (build in the default graph: no tf.Graph() of your own)`);
  const shape = logits.shape;
  const k = shape?.length === 2 ? shape[1] : null;
  if (logits.dtype !== 'float32' || k === null || k === undefined || k < 2 || shape?.[0] !== null) {
    throw new ModelDefinitionError(`${where}: the logits '${logits.name}' must be float32 [null, classes] with at least 2 classes, got ${logits.dtype} [${shape?.map((d) => d ?? 'null').join(', ') ?? 'unknown shape'}]`);
  }
  // Before the optimizer doubles it and a session allocates it: a model too big for the worker's memory.
  const params = global_variables(graph).reduce((sum, v) => sum + (v.shape?.every((d) => d !== null) ? (v.shape as number[]).reduce((a, b) => a * b, 1) : 0), 0);
  if (params > LAYER_MODEL_LIMITS.params) {
    throw new ModelDefinitionError(`${where}: its variables hold ${params} parameters, more than the ${LAYER_MODEL_LIMITS.params} allowed`);
  }
  if (numClasses !== undefined && numClasses !== k) {
    throw new ModelDefinitionError(`${where}: the model makes ${k} classes, the data has ${numClasses}: make the logits [null, ${numClasses}]`);
  }
  let head: ReturnType<typeof classifierHead>;
  try {
    head = classifierHead(fileName, logits, { loss: 'softmax_cross_entropy', optimizer, learningRate, numClasses: k });
  } catch (e) {
    throw new ModelDefinitionError(`${where}: cannot train its logits: ${messageOf(e)}`);
  }
  return { x, ...head, flatten: true, training };
}
