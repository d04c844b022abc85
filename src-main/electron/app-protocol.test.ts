import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appProtocolHandler, resolveAppPath } from './app-protocol';
import { APP_CSP } from './policy';

function renderer(): { dir: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'app-protocol-'));
  const dir = join(base, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'kernels-abc.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, 'assets', 'index.js'), 'export {}');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  symlinkSync(join(base, 'secret.txt'), join(dir, 'assets', 'link.txt'));
  return { dir, outside: join(base, 'secret.txt') };
}

describe('the app:// protocol', () => {
  it('resolves app://tinyflow paths inside the renderer folder and refuses the rest', () => {
    const root = '/srv/renderer';
    expect(resolveAppPath(root, 'app://tinyflow/')).toEqual({ file: '/srv/renderer/index.html' });
    expect(resolveAppPath(root, 'app://tinyflow/assets/a%20b.js')).toEqual({ file: '/srv/renderer/assets/a b.js' });
    // The URL parser resolves dot segments (encoded ones too) against the root: they cannot climb out.
    expect(resolveAppPath(root, 'app://tinyflow/%2e%2e/%2e%2e/etc/passwd')).toEqual({ file: '/srv/renderer/etc/passwd' });
    expect(resolveAppPath(root, 'app://tinyflow/assets/..%2f..%2f..%2fetc/passwd')).toMatchObject({ status: 403 });
    expect(resolveAppPath(root, 'app://tinyflow/..%5c..%5cwindows')).toMatchObject({ status: 400 });
    expect(resolveAppPath(root, 'app://tinyflow/a%00.html')).toMatchObject({ status: 400 });
    expect(resolveAppPath(root, 'app://tinyflow/%')).toMatchObject({ status: 400 });
    expect(resolveAppPath(root, 'app://tinyflow/%E0%A4%A')).toMatchObject({ status: 400 });
    expect(resolveAppPath(root, 'app://evil/index.html')).toMatchObject({ status: 404 });
    expect(resolveAppPath(root, 'app://tinyflow/', 'POST')).toMatchObject({ status: 405 });
  });

  it('serves files with their type, the CSP and nosniff as headers; refuses traversal and symlinks out', async () => {
    const { dir } = renderer();
    const handle = appProtocolHandler(dir);
    const page = await handle(new Request('app://tinyflow/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>t</title>');
    const wasm = await handle(new Request('app://tinyflow/assets/kernels-abc.wasm'));
    expect(wasm.headers.get('content-type')).toBe('application/wasm'); // instantiateStreaming needs it
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect((await handle(new Request('app://tinyflow/assets/missing.js'))).status).toBe(404);
    expect((await handle(new Request('app://tinyflow/assets'))).status).toBe(404);
    const link = await handle(new Request('app://tinyflow/assets/link.txt'));
    expect(link.status).toBe(403);
    expect(await link.text()).not.toContain('secret');
    const up = await handle(new Request('app://tinyflow/..%2fsecret.txt'));
    expect(up.status).toBe(403);
    expect(up.headers.get('content-security-policy')).toBe(APP_CSP);
  });
});
