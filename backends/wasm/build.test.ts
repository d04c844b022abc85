import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('kernels.wasm and kernels-relaxed.wasm', () => {
  it('were both built from the current csrc/ sources and build flags (else run: npm run build:wasm)', () => {
    const script = fileURLToPath(new URL('./build.mjs', import.meta.url));
    const status = JSON.parse(execFileSync(process.execPath, [script, '--status'], { encoding: 'utf8' })) as {
      artifacts: { artifact: string; fresh: boolean }[];
    };
    expect(status.artifacts).toEqual([
      expect.objectContaining({ artifact: 'kernels.wasm', fresh: true }),
      expect.objectContaining({ artifact: 'kernels-relaxed.wasm', fresh: true }),
    ]);
  });
});
