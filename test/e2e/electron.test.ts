/**
 * The real Electron app, where the Electron binary and a display exist: the window opens with the typed
 * bridge (and nothing else) exposed, and the API answers through the preload and the main-process router.
 * Elsewhere it skips, saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import type { BridgeApi } from '../../src-app-api/client';
import { buildApp, ROOT } from './browser-support';

function electronBinary(): string | null {
  const pathFile = join(ROOT, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ROOT, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || process.platform !== 'linux';
const skipReason = binary === null ? 'the Electron binary is not installed (node_modules/electron/dist is missing)' : !hasDisplay ? 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' : null;
if (skipReason) console.warn(`Electron e2e skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('tinyflow studio in Electron', () => {
  let app: ElectronApplication;
  beforeAll(async () => {
    buildApp();
    app = await _electron.launch({ executablePath: binary as string, args: [join(ROOT, 'out/main/index.js')], cwd: ROOT });
  }, 120_000);
  afterAll(() => app?.close());

  it('opens a sandboxed window whose bridge answers the typed API', async () => {
    const page = await app.firstWindow();
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 20_000 }).toBe('idle');
    const exposed = await page.evaluate(() => ({ keys: Object.keys((window as unknown as { tinyflow?: object }).tinyflow ?? {}).sort(), node: typeof (globalThis as { require?: unknown }).require }));
    expect(exposed.keys).toContain('trainStart');
    expect(exposed.node).toBe('undefined');
    const info = await page.evaluate(() => (window as unknown as { tinyflow: BridgeApi }).tinyflow.appInfo({}));
    expect(info.backends).toContain('cpu');
    await expect(page.evaluate(() => (window as unknown as { tinyflow: BridgeApi }).tinyflow.predict({ pixels: [2], saliency: false } as never))).rejects.toThrow("IPC 'predict'");
  });
});
