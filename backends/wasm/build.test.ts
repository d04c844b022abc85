import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('kernels.wasm', () => {
  it('was built from the current csrc/ sources and build flags (else run: npm run build:wasm)', () => {
    const script = fileURLToPath(new URL('./build.mjs', import.meta.url));
    const status = JSON.parse(execFileSync(process.execPath, [script, '--status'], { encoding: 'utf8' })) as { fresh: boolean };
    expect(status.fresh).toBe(true);
  });
});
