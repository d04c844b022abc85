import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { needsBuild, studioCommand } from './studio';

function touch(root: string, path: string, secondsAgo: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, '');
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(full, t, t);
}

describe('tinyflow studio', () => {
  it('builds when the build is missing or older than a source file, not otherwise', () => {
    const root = mkdtempSync(join(tmpdir(), 'tinyflow-studio-cli-'));
    touch(root, 'src-main/router.ts', 100);
    expect(needsBuild(root)).toBe(true);
    for (const out of ['out/main/web-host.js', 'out/main/compute-worker.js', 'out/renderer/index.html']) touch(root, out, 50);
    expect(needsBuild(root)).toBe(false);
    touch(root, 'src-renderer/views/TrainView.vue', 10);
    expect(needsBuild(root)).toBe(true);
  });

  it('asks for --web and a valid port', async () => {
    await expect(studioCommand([])).rejects.toThrow("only '--web' is available");
    await expect(studioCommand(['--web', '--port', 'x'])).rejects.toThrow('--port must be an integer');
  });
});
