import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

const eslint = new ESLint({ cwd: root });

/** The repository's own eslint.config.js run on `source` as if it were the file at `path`: `rule`'s messages. */
async function messagesOf(rule: string, path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: fileURLToPath(new URL(`../../${path}`, import.meta.url)) });
  return result.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

// op-def.ts with one extra import: math-core imports op-def (its registry), so a value import back
// is a cycle and must fail the lint.
const cycleMessages = (source: string) => messagesOf('import-x/no-cycle', 'src-core/ops/op-def.ts', source);

describe('import-x/no-cycle in eslint.config.js', () => {
  it('fails a value import that closes a cycle (op-def -> math-core -> op-def)', async () => {
    const messages = await cycleMessages("import { add } from '../api/math-core';\nexport const plus = add;\n");
    expect(messages).toEqual([expect.stringMatching(/Dependency cycle/)]);
  });

  it('lets a type-only import through (erased at compile time)', async () => {
    const messages = await cycleMessages("import type { TensorLike } from '../api/math-core';\nexport type Like = TensorLike;\n");
    expect(messages).toEqual([]);
  });
});

describe('one-way layering (import-x/no-restricted-paths)', () => {
  const restricted = (path: string, source: string) => messagesOf('import-x/no-restricted-paths', path, source);

  it('a backend may import src-core/base but nothing else of src-core', async () => {
    expect(await restricted('backends/cpu/cpu-buffer.ts', "export { numElements } from '../../src-core/base/shape';\n")).toEqual([]);
    expect(await restricted('backends/cpu/cpu-buffer.ts', "export { numElements } from '../../src-core/graph/shape';\n"))
      .toEqual([expect.stringMatching(/backends import only src-core\/base/)]);
  });

  it('src-core reaches backends through the registry, not the concrete backends', async () => {
    expect(await restricted('src-core/eager.ts', "export { createBackend } from '../backends/registry';\n")).toEqual([]);
    expect(await restricted('src-core/eager.ts', "export { createCpuBackend } from '../backends/cpu';\n"))
      .toEqual([expect.stringMatching(/only through backends\/registry/)]);
    expect(await restricted('src-core/eager.ts', "export { createBackend } from '../backends';\n")).toHaveLength(1);
  });
});
