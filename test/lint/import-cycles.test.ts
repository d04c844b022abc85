import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const opDef = fileURLToPath(new URL('../../src-core/ops/op-def.ts', import.meta.url));

// The repository's own eslint.config.js, run on op-def.ts's path with one extra import: math-core
// imports op-def (its registry), so a value import back is a cycle and must fail the lint.
async function cycleMessages(source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(source, { filePath: opDef });
  return result.messages.filter((m) => m.ruleId === 'import-x/no-cycle').map((m) => m.message);
}

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
