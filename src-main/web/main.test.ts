/**
 * The web host's process: an exception or rejection nobody handles is logged and the host keeps
 * serving (faults are injected into the real process with --import), and a bad --port is refused.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src-main/web/main.ts');

describe('the web host process', () => {
  it('logs an uncaught exception and an unhandled rejection and keeps serving; SIGINT still autosaves and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-main-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    // Faults from inside the host's own process, once main.ts has installed its handlers.
    const faults = join(dir, 'faults.mjs');
    writeFileSync(
      faults,
      `const wait = setInterval(() => {
        if (process.listenerCount('uncaughtException') === 0) return;
        clearInterval(wait);
        setTimeout(() => { throw new Error('injected uncaught'); }, 10);
        setTimeout(() => void Promise.reject(new Error('injected rejection')), 20);
      }, 50);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(faults).href, MAIN, '--renderer', dir], {
      cwd: ROOT,
      env: { ...process.env, TINYFLOW_STUDIO_HOME: mkdtempSync(join(tmpdir(), 'studio-home-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      for (const end = Date.now() + 60_000; !(output.includes('injected uncaught') && output.includes('injected rejection')); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no faults logged:\n${output}`);
      }
      expect(output).toContain('uncaught exception (still serving)');
      expect(output).toContain('unhandled rejection (still serving)');
      const url = output.match(/http:\/\/127\.0\.0\.1:\d+\//)![0];
      expect((await fetch(url)).status).toBe(200);
      child.kill('SIGINT');
      expect(await exit).toBe(0);
      expect(output).toContain('SIGINT: pausing and autosaving the session before leaving');
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses a --port outside [0, 65535] with exit 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--port', '70000'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--port must be an integer in [0, 65535], got '70000'");
  });
});
