// Every public function that ../shared/API.md names has a summary and an @example in the
// reference TypeDoc generates (npm run docs), read from the reflection TypeDoc builds with the
// repository's typedoc.json, so a comment placed where TypeDoc does not show it counts as missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Application, type ProjectReflection, type Reflection, type Comment, DeclarationReflection, ReflectionKind } from 'typedoc';
import { apiNames } from './api-names';

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

describe.skipIf(!haveApiMd)('API reference (TypeDoc)', () => {
  it('gives every function named in API.md a summary and an @example', async () => {
    const names = apiNames(readFileSync(apiMd, 'utf8'));
    expect(names.length).toBeGreaterThan(80);
    const project = await buildProject();
    const problems: string[] = [];
    for (const name of names) {
      const r = lookup(project, name);
      if (r === undefined) { problems.push(`${name}: not in the generated reference`); continue; }
      const comment = shownComment(r);
      const summary = comment?.summary.map((p) => p.text).join('').trim() ?? '';
      if (summary === '') problems.push(`${name}: no summary`);
      const example = comment?.blockTags.find((t) => t.tag === '@example');
      if (example === undefined || example.content.map((p) => p.text).join('').trim() === '') problems.push(`${name}: no @example`);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
