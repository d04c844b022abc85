// Every public function that ../shared/API.md names has a summary and an @example in the
// reference TypeDoc generates (npm run docs), read from the reflection TypeDoc builds with the
// repository's typedoc.json, so a comment placed where TypeDoc does not show it counts as missing.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, type ProjectReflection, type Reflection, type Comment, DeclarationReflection, ReflectionKind } from 'typedoc';
import { apiNames } from './api-names';
import * as tf from '../../src-core';
import * as np from '../../src-core/np';
import { get_mnist } from '../../src-core/datasets';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const apiMd = join(root, '..', 'shared', 'API.md');
const haveApiMd = existsSync(apiMd);
if (!haveApiMd) console.log(`api-docs: skipped, ${apiMd} is missing (it sits beside the repository)`);

async function buildProject(): Promise<ProjectReflection> {
  const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), logLevel: 'Error' });
  const project = await app.convert();
  if (project === undefined) throw new Error('TypeDoc could not convert the entry points in typedoc.json');
  return project;
}

function childNamed(parent: Reflection | undefined, name: string): DeclarationReflection | undefined {
  if (!(parent instanceof DeclarationReflection) && parent?.kind !== ReflectionKind.Project) return undefined;
  const container = parent as DeclarationReflection;
  const direct = container.children?.find((c) => c.name === name);
  if (direct !== undefined) return direct;
  // A const object (`nn = {...}`) or a factory keeps its members on its type's declaration.
  const type = container.type;
  if (type?.type === 'reflection') return type.declaration.children?.find((c) => c.name === name);
  return undefined;
}

/** The entry modules, src-core's first, so `placeholder` resolves to the tf namespace's member. */
function lookup(project: ProjectReflection, path: string): DeclarationReflection | undefined {
  const parts = path.split('.');
  const modules = [...(project.children ?? [])].sort((a, b) => (a.name === 'src-core' ? -1 : b.name === 'src-core' ? 1 : 0));
  const starts: (Reflection | undefined)[] = [project, ...modules];
  if (parts[0] === 'np') starts.unshift(modules.find((m) => m.name.endsWith('np')));
  for (const start of starts) {
    let node: Reflection | undefined = start;
    for (const [i, part] of parts.entries()) {
      if (i === 0 && parts[0] === 'np' && start !== project && start?.name.endsWith('np')) continue;
      node = childNamed(node, part);
      if (node === undefined) break;
    }
    if (node instanceof DeclarationReflection) return node;
  }
  return undefined;
}

/** The comment TypeDoc shows for a function, a function-valued const, a class or a method. */
function shownComment(r: DeclarationReflection): Comment | undefined {
  if (r.comment !== undefined) return r.comment;
  const signature = r.signatures?.[0] ?? (r.type?.type === 'reflection' ? r.type.declaration.signatures?.[0] : undefined);
  return signature?.comment;
}

/** The code of a comment's first @example, without its ```ts fence. */
function exampleCode(comment: Comment | undefined): string {
  const example = comment?.blockTags.find((t) => t.tag === '@example');
  return (example?.content.map((p) => p.text).join('') ?? '').replace(/^\s*```\w*\n?|```\s*$/g, '').trim();
}

// The names examples may use without defining them, as in a TF-1 tutorial: a softmax-regression graph
// on a few bundled digits, with its variables initialized in `sess`.
const CONTEXT = `
const x = tf.placeholder(tf.float32, [null, 784]);
const y_ = tf.placeholder(tf.float32, [null, 10]);
const W = tf.Variable(tf.zeros([784, 10]));
const b_ = tf.Variable(tf.zeros([10]));
const logits = tf.add(tf.matmul(x, W), b_);
const loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ logits, labels: y_ }));
const train_step = tf.train.GradientDescentOptimizer(0.1).minimize(loss);
const [xs, ys] = get_mnist({ flatten: true, onehot: true }).train.next_batch(4);
const sess = tf.Session({ backend: 'cpu' });
await sess.run(tf.global_variables_initializer());
`;

type ExampleFn = (tf: unknown, np: unknown, get_mnist: unknown) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => ExampleFn;

/** Runs one example in a fresh default graph; returns its error, if any. */
async function runExample(code: string): Promise<string | undefined> {
  const js = ts.transpileModule(`${CONTEXT}\n{\n${code}\n}\nsess.close();`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  tf.reset_default_graph();
  try {
    await new AsyncFunction('tf', 'np', 'get_mnist', js)(tf, np, get_mnist);
    return undefined;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

describe.skipIf(!haveApiMd)('API reference (TypeDoc)', () => {
  let project: ProjectReflection;
  let names: string[];
  beforeAll(async () => {
    names = apiNames(readFileSync(apiMd, 'utf8'));
    project = await buildProject();
  }, 60_000);

  it('gives every function named in API.md a summary and an @example', () => {
    expect(names.length).toBeGreaterThan(80);
    const problems: string[] = [];
    for (const name of names) {
      const r = lookup(project, name);
      if (r === undefined) { problems.push(`${name}: not in the generated reference`); continue; }
      const comment = shownComment(r);
      const summary = comment?.summary.map((p) => p.text).join('').trim() ?? '';
      if (summary === '') problems.push(`${name}: no summary`);
      if (exampleCode(comment) === '') problems.push(`${name}: no @example`);
    }
    expect(problems).toEqual([]);
  });

  describe('the examples run', () => {
    const cwd = process.cwd();
    let dir = '';
    // Saver's examples write and read model.safetensors in the working directory.
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tinyflow-api-examples-')); process.chdir(dir); });
    afterAll(() => { process.chdir(cwd); rmSync(dir, { recursive: true, force: true }); });

    it('every example runs against the real library (save before restore)', async () => {
      const order = (n: string) => (n === 'train.Saver.restore' ? 1 : 0);
      const failures: string[] = [];
      for (const name of [...names].sort((a, b) => order(a) - order(b))) {
        const r = lookup(project, name);
        const code = r === undefined ? '' : exampleCode(shownComment(r));
        if (code === '') continue;
        const error = await runExample(code);
        if (error !== undefined) failures.push(`${name}: ${error}`);
      }
      expect(failures).toEqual([]);
    });
  });
});
